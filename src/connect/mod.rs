//! Turning a resolved configuration into a working session: reach the endpoint
//! (starting the local emulator if that is the target), become the chosen profile
//! (minting its identity through Identity on first use), and, on the local default,
//! make sure the seed's "Quickstart" thread with Alice and Bob exists.
//!
//! Used by the interactive client (in the background, after the first frame) and by
//! the scripting subcommands.

pub mod identities;
pub mod local;
pub mod members;
pub mod quickstart;

use std::collections::BTreeMap;
use std::time::Duration;

use time::OffsetDateTime;

use crate::acs::{
    self, ChatClient, ConnectionString, HttpConfig, IdentityClient, TokenCredential, TokenScope,
    Transport,
};
use crate::config::{ConfigFile, ProfileConfig, Resolved, Target};
use crate::paths::Dirs;
use identities::{CachedIdentity, IdentityCache};

/// Why a session could not be set up. One line each, naming what to fix.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(transparent)]
    Local(#[from] local::LocalError),
    #[error("{0}")]
    Acs(#[from] acs::Error),
    #[error("identity cache: {0}")]
    Cache(#[from] identities::CacheError),
    #[error("{0}")]
    Config(String),
}

/// A connected identity and everything needed to talk as it.
#[derive(Clone)]
pub struct Session {
    pub chat: ChatClient,
    pub credential: TokenCredential,
    pub user_id: String,
    pub display_name: String,
    pub profile: String,
    pub endpoint: url::Url,
    pub is_local_default: bool,
    /// Loopback endpoints may poll fast.
    pub is_loopback: bool,
    /// Known profiles on this endpoint: (name, user id), for `/invite` and completion.
    pub known_profiles: Vec<(String, String)>,
    /// The seed's thread, when this session made sure it exists.
    pub quickstart_thread: Option<String>,
    pub transport: Transport,
    /// With a connection string: creates other profiles on demand (`/invite carol`).
    pub minter: Option<ProfileMinter>,
    /// Things the user should hear about (e.g. a token file readable by others).
    pub warnings: Vec<String>,
    /// The config file's `[profiles.*]`, for the display names of other members.
    pub profile_settings: BTreeMap<String, ProfileConfig>,
}

impl Session {
    /// The display name of `profile`: configured, or the name capitalised.
    pub fn display_name_of(&self, profile: &str) -> String {
        crate::config::display_name(&self.profile_settings, profile)
    }
}

/// Creates or finds profiles of one endpoint through Identity.
#[derive(Clone)]
pub struct ProfileMinter {
    identity: IdentityClient,
    cache: IdentityCache,
    reuse: TokenReuse,
}

impl ProfileMinter {
    /// The user id of `profile`, created on first use.
    pub async fn ensure(&self, profile: &str) -> Result<String, ConnectError> {
        crate::config::validate_profile_name(profile).map_err(ConnectError::Config)?;
        let cache = self.cache.clone();
        let lock = tokio::task::spawn_blocking(move || cache.lock())
            .await
            .map_err(|e| ConnectError::Config(e.to_string()))??;
        let id = ensure_profile(&self.identity, &self.cache, profile, &self.reuse).await?;
        drop(lock);
        Ok(id.user_id)
    }
}

/// Options for [`connect`].
#[derive(Clone, Default)]
pub struct ConnectOptions {
    pub http_observer: Option<std::sync::Arc<dyn acs::HttpObserver>>,
    /// Use a cached token that is still valid as it is, instead of first asking
    /// Identity for a new one (one round trip less; for short-lived commands).
    pub reuse_cached_tokens: bool,
}

/// Sets up the session described by `resolved`.
pub async fn connect(
    resolved: &Resolved,
    dirs: &Dirs,
    config: &ConfigFile,
    options: ConnectOptions,
) -> Result<Session, ConnectError> {
    let (transport, reachable) = reach(resolved, dirs, options.http_observer.clone()).await?;
    let (cs, is_local_default, endpoint_ca) = match reachable {
        Reachable::ConnectionString {
            connection_string,
            is_local_default,
            endpoint_ca,
        } => (connection_string, is_local_default, endpoint_ca),
        Reachable::EndpointToken { endpoint, token } => {
            let credential = TokenCredential::from_token(token.clone())?;
            let user_id = user_id_from_token(&token).unwrap_or_else(|| "unknown".to_owned());
            return Ok(Session {
                chat: ChatClient::new(endpoint.clone(), credential.clone(), transport.clone()),
                credential,
                display_name: config.display_name(&resolved.profile),
                profile: resolved.profile.clone(),
                is_loopback: is_loopback(&endpoint),
                endpoint,
                is_local_default: false,
                known_profiles: Vec::new(),
                quickstart_thread: None,
                user_id,
                transport,
                minter: None,
                warnings: Vec::new(),
                profile_settings: config.profiles.clone(),
            });
        }
    };
    let identity = IdentityClient::new(&cs, transport.clone());
    let cache = IdentityCache::new(&dirs.state, &cs.endpoint);
    let profile = resolved.profile.clone();
    let reuse = TokenReuse {
        allowed: options.reuse_cached_tokens,
        endpoint_ca,
        loopback: is_loopback(&cs.endpoint),
    };

    let (me, quickstart_thread) = {
        let cache = cache.clone();
        let identity = identity.clone();
        let profile = profile.clone();
        // The lock is a blocking file lock: take it off the async threads.
        let lock = tokio::task::spawn_blocking({
            let cache = cache.clone();
            move || cache.lock()
        })
        .await
        .map_err(|e| ConnectError::Config(e.to_string()))??;
        let me = ensure_profile(&identity, &cache, &profile, &reuse).await?;
        let quickstart_thread =
            if is_loopback(&cs.endpoint) && quickstart::PROFILES.contains(&profile.as_str()) {
                Some(
                    quickstart::ensure(&identity, &cache, &reuse, &transport, &cs.endpoint, config)
                        .await?,
                )
            } else {
                None
            };
        drop(lock);
        (me, quickstart_thread)
    };

    let minter = ProfileMinter {
        identity: identity.clone(),
        cache: cache.clone(),
        reuse: reuse.clone(),
    };
    let credential = refreshing_credential(identity, cache.clone(), profile.clone(), &me);
    let known_profiles = known_profiles(&cache);
    Ok(Session {
        chat: ChatClient::new(cs.endpoint.clone(), credential.clone(), transport.clone()),
        credential,
        user_id: me.user_id.clone(),
        display_name: config.display_name(&profile),
        profile,
        is_loopback: is_loopback(&cs.endpoint),
        endpoint: cs.endpoint.clone(),
        is_local_default,
        known_profiles,
        quickstart_thread,
        transport,
        minter: Some(minter),
        warnings: cache.take_warnings(),
        profile_settings: config.profiles.clone(),
    })
}

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

/// When [`ensure_profile`] may hand out a cached token as it is.
#[derive(Debug, Clone, Default)]
pub struct TokenReuse {
    /// Reuse is wanted at all (short-lived commands; the interactive client always
    /// asks, which also proves at start-up that the endpoint still knows the user).
    pub allowed: bool,
    /// Digest of the CA the endpoint is trusted through, when it has its own.
    pub endpoint_ca: Option<String>,
    pub loopback: bool,
}

/// How long a reused token must still be valid.
const REUSE_MARGIN: time::Duration = time::Duration::minutes(10);

impl TokenReuse {
    /// Whether `cached` can be used without asking Identity first. A remote resource
    /// keeps its users; a local emulator keeps them as long as its data directory,
    /// whose certificate is its CA: the same CA, the same database. A loopback endpoint
    /// without a CA of its own (plain http) could be a fresh emulator: always ask.
    fn permits(&self, cached: &CachedIdentity, now: OffsetDateTime) -> bool {
        let valid = crate::wire::timestamp::parse(&cached.expires_on)
            .is_some_and(|t| t > now + REUSE_MARGIN);
        let same_endpoint = match &self.endpoint_ca {
            Some(ca) => cached.endpoint_ca.as_ref() == Some(ca),
            None => !self.loopback,
        };
        self.allowed && valid && same_endpoint
    }
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

/// The cached identity of `profile`: reused as it is when `reuse` permits, else
/// validated by issuing a fresh token (which also renews it); created when missing or
/// when the endpoint no longer knows it.
pub async fn ensure_profile(
    identity: &IdentityClient,
    cache: &IdentityCache,
    profile: &str,
    reuse: &TokenReuse,
) -> Result<CachedIdentity, ConnectError> {
    if let Some(cached) = cache.load(profile)? {
        if reuse.permits(&cached, OffsetDateTime::now_utc()) {
            return Ok(cached);
        }
        match identity
            .issue_token(&cached.user_id, &[TokenScope::Chat], None)
            .await
        {
            Ok(token) => {
                let fresh = CachedIdentity {
                    user_id: cached.user_id,
                    token: token.token,
                    expires_on: crate::wire::timestamp::format_whole_seconds(token.expires_on),
                    endpoint_ca: reuse.endpoint_ca.clone(),
                };
                cache.store(profile, &fresh)?;
                return Ok(fresh);
            }
            // The endpoint forgot the user (e.g. a wiped emulator): make a new one.
            Err(e) if matches!(e.status(), Some(400 | 401 | 403 | 404)) => {
                tracing::info!(
                    profile,
                    "cached identity unknown to the endpoint; creating a new one"
                );
            }
            Err(e) => {
                // Offline: a cached token that is still valid lets the client start.
                let still_valid = crate::wire::timestamp::parse(&cached.expires_on)
                    .is_some_and(|t| t > OffsetDateTime::now_utc() + time::Duration::minutes(5));
                if still_valid {
                    return Ok(cached);
                }
                return Err(e.into());
            }
        }
    }
    let (user_id, token) = identity
        .create_user_and_token(&[TokenScope::Chat], None)
        .await?;
    let created = CachedIdentity {
        user_id,
        token: token.token,
        expires_on: crate::wire::timestamp::format_whole_seconds(token.expires_on),
        endpoint_ca: reuse.endpoint_ca.clone(),
    };
    cache.store(profile, &created)?;
    Ok(created)
}

/// A credential that re-issues the profile's token through Identity before it expires
/// and keeps the cache current.
fn refreshing_credential(
    identity: IdentityClient,
    cache: IdentityCache,
    profile: String,
    me: &CachedIdentity,
) -> TokenCredential {
    let initial =
        crate::wire::timestamp::parse(&me.expires_on).map(|expires_on| acs::AccessToken {
            token: me.token.clone(),
            expires_on,
        });
    let user_id = me.user_id.clone();
    let endpoint_ca = me.endpoint_ca.clone();
    TokenCredential::refreshing(initial, move || {
        let identity = identity.clone();
        let cache = cache.clone();
        let profile = profile.clone();
        let user_id = user_id.clone();
        let endpoint_ca = endpoint_ca.clone();
        Box::pin(async move {
            let token = match identity
                .issue_token(&user_id, &[TokenScope::Chat], None)
                .await
            {
                Ok(token) => token,
                // A reused token was refused and the endpoint does not know the user
                // (deleted, or a reset emulator): forget it, so the next run makes a
                // new one, and say so.
                Err(e) if matches!(e.status(), Some(400 | 404)) => {
                    if let Err(forget) = cache.forget(&profile) {
                        tracing::warn!(error = %forget, "could not forget the profile");
                    }
                    return Err(acs::Error::new(
                        acs::ErrorKind::Credential,
                        format!(
                            "the endpoint no longer knows profile '{profile}' (its user was \
                             deleted, or the emulator's data was reset); it has been \
                             forgotten and is created anew on the next run"
                        ),
                    ));
                }
                Err(e) => return Err(e),
            };
            let entry = CachedIdentity {
                user_id,
                token: token.token.clone(),
                expires_on: crate::wire::timestamp::format_whole_seconds(token.expires_on),
                endpoint_ca,
            };
            if let Err(e) = cache.store(&profile, &entry) {
                tracing::warn!(error = %e, "could not update the identity cache");
            }
            Ok(token)
        })
    })
}

/// Every profile cached for this endpoint.
pub fn known_profiles(cache: &IdentityCache) -> Vec<(String, String)> {
    let Ok(entries) = std::fs::read_dir(cache.dir()) else {
        return Vec::new();
    };
    let mut out: Vec<(String, String)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e
                .file_name()
                .to_string_lossy()
                .strip_suffix(".json")?
                .to_owned();
            crate::config::validate_profile_name(&name).ok()?;
            let id = cache.load(&name).ok()??;
            Some((name, id.user_id))
        })
        .collect();
    out.sort();
    out
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

/// Loopback hosts: 127.0.0.0/8, ::1 and localhost.
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// The ACS user id a token belongs to (`skypeid` claim, prefixed `8:`), read without
/// verifying, to recognise one's own messages when running as endpoint + token.
pub fn user_id_from_token(token: &str) -> Option<String> {
    let claims = acs::jwt_claims(token).ok()?;
    let skype = claims.get("skypeid")?.as_str()?;
    Some(if skype.starts_with("8:") {
        skype.to_owned()
    } else {
        format!("8:{skype}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_id_comes_from_the_skypeid_claim() {
        use base64::Engine as _;
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"skypeid":"acs:r_u","exp":1}"#);
        assert_eq!(
            user_id_from_token(&format!("h.{payload}.s")).as_deref(),
            Some("8:acs:r_u")
        );
        assert_eq!(user_id_from_token("not a jwt"), None);
    }

    #[test]
    fn a_cached_token_is_reused_only_when_valid_long_enough_and_from_the_same_endpoint() {
        let now = OffsetDateTime::now_utc();
        let cached = |minutes: i64, ca: Option<&str>| CachedIdentity {
            user_id: "8:acs:x".into(),
            token: "t".into(),
            expires_on: crate::wire::timestamp::format_whole_seconds(
                now + time::Duration::minutes(minutes),
            ),
            endpoint_ca: ca.map(str::to_owned),
        };
        let remote = TokenReuse {
            allowed: true,
            endpoint_ca: None,
            loopback: false,
        };
        assert!(remote.permits(&cached(60, None), now));
        assert!(!remote.permits(&cached(5, None), now), "expires too soon");
        let emulator = TokenReuse {
            allowed: true,
            endpoint_ca: Some("ca1".into()),
            loopback: true,
        };
        assert!(emulator.permits(&cached(60, Some("ca1")), now));
        assert!(
            !emulator.permits(&cached(60, Some("ca2")), now),
            "another emulator"
        );
        assert!(
            !emulator.permits(&cached(60, None), now),
            "cached before the CA was known"
        );
        let plain_loopback = TokenReuse {
            allowed: true,
            endpoint_ca: None,
            loopback: true,
        };
        assert!(!plain_loopback.permits(&cached(60, None), now));
        let interactive = TokenReuse {
            allowed: false,
            ..remote
        };
        assert!(!interactive.permits(&cached(60, None), now));
    }

    #[test]
    fn loopback_hosts() {
        for (u, want) in [
            ("https://127.0.0.2:1/", true),
            ("https://[::1]/", true),
            ("https://LOCALHOST/", true),
            ("https://example.com/", false),
        ] {
            assert_eq!(is_loopback(&url::Url::parse(u).expect("url")), want, "{u}");
        }
    }
}
