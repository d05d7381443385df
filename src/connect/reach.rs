//! Reaching the endpoint a resolved configuration names: the HTTP transport with the
//! right trust (`--ca-cert`; for the local default only the emulator's own
//! certificate, starting the emulator when needed) and what can be done there.

use super::*;

/// Where a resolved configuration leads, once the endpoint is reachable.
pub enum Reachable {
    /// A resource key: identities can be minted through Identity.
    ConnectionString {
        connection_string: ConnectionString,
        is_local_default: bool,
        /// A digest of the CA certificates the endpoint is trusted through, when it is
        /// given its own (`--ca-cert`, or the local emulator's).
        endpoint_ca: Option<String>,
    },
    /// One identity: endpoint + user access token.
    EndpointToken { endpoint: url::Url, token: String },
}

/// The HTTP transport for `resolved` (trusting `--ca-cert`, and for the local default
/// only the emulator's own certificate, starting the emulator when needed) and the
/// target it reaches. Shared by sessions and the scripting `identity` commands.
pub async fn reach(
    resolved: &Resolved,
    dirs: &Dirs,
    observer: Option<std::sync::Arc<dyn acs::HttpObserver>>,
) -> Result<(Transport, Reachable), ConnectError> {
    let mut http = HttpConfig {
        observer,
        ..HttpConfig::default()
    };
    if let Some(path) = &resolved.ca_cert {
        let pem = std::fs::read(path).map_err(|e| {
            ConnectError::Config(format!(
                "cannot read CA certificate {}: {e}",
                path.display()
            ))
        })?;
        http.extra_ca_pem.push(pem);
    }
    let mut reachable = match &resolved.target {
        Target::LocalDefault => {
            let emulator = local::ensure_running(dirs, Duration::from_secs(15)).await?;
            // The local default trusts the emulator's own certificate, and only it.
            http.extra_ca_pem.push(emulator.cert_pem);
            http.trust_only_extra_ca = true;
            Reachable::ConnectionString {
                connection_string: ConnectionString::parse(
                    &crate::local::default_connection_string(),
                )?,
                is_local_default: true,
                endpoint_ca: None,
            }
        }
        Target::ConnectionString(cs) => Reachable::ConnectionString {
            connection_string: ConnectionString::parse(cs)?,
            is_local_default: false,
            endpoint_ca: None,
        },
        Target::EndpointToken { endpoint, token } => Reachable::EndpointToken {
            endpoint: parse_endpoint(endpoint)?,
            token: token.clone(),
        },
    };
    // No public CA issues certificates for loopback names, so the system roots can
    // never vouch for a loopback endpoint: with a CA of its own given, trust only that
    // one. (Loading the system store reads ~150 files: most of a short command's time.)
    let endpoint = match &reachable {
        Reachable::ConnectionString {
            connection_string, ..
        } => &connection_string.endpoint,
        Reachable::EndpointToken { endpoint, .. } => endpoint,
    };
    if is_loopback(endpoint) && !http.extra_ca_pem.is_empty() {
        http.trust_only_extra_ca = true;
    }
    if let Reachable::ConnectionString { endpoint_ca, .. } = &mut reachable {
        *endpoint_ca = ca_digest(&http.extra_ca_pem);
    }
    Ok((Transport::new(http)?, reachable))
}

/// A short digest of the CA certificates given for an endpoint.
fn ca_digest(pems: &[Vec<u8>]) -> Option<String> {
    use sha2::Digest as _;
    if pems.is_empty() {
        return None;
    }
    let mut hasher = sha2::Sha256::new();
    for pem in pems {
        hasher.update(pem);
    }
    let digest = hasher.finalize();
    Some(digest.iter().take(16).map(|b| format!("{b:02x}")).collect())
}

fn parse_endpoint(s: &str) -> Result<url::Url, ConnectError> {
    let url = url::Url::parse(s.trim())
        .map_err(|e| ConnectError::Config(format!("endpoint {s:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
        return Err(ConnectError::Config(format!(
            "endpoint {s:?} must be an http(s) URL with a host"
        )));
    }
    Ok(url)
}

pub use crate::local::is_loopback;
