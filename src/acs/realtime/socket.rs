//! The Trouter WebSocket: `wss://` over rustls with the REST transport's trust
//! rules (the system roots plus the extra CAs, or only the extra CAs, as
//! [`HttpConfig`] says), or `ws://` where plain http is allowed (loopback only).

use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use url::Url;

use super::super::config::HttpConfig;
use super::super::error::{Error, ErrorKind, Result};
use super::super::urls;
use super::frames::MAX_FRAME;

/// A byte stream, plain or TLS.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

pub type Ws = WebSocketStream<Box<dyn Io>>;

/// The TLS settings of the WebSocket, from the REST transport's.
pub fn tls_config(http: &HttpConfig) -> Result<Arc<rustls::ClientConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut certs = Vec::new();
    for (i, pem) in http.extra_ca_pem.iter().enumerate() {
        for cert in CertificateDer::pem_slice_iter(pem) {
            certs.push(cert.map_err(|e| {
                Error::config(format!(
                    "extra CA certificate #{} is not valid PEM: {e}",
                    i + 1
                ))
            })?);
        }
    }
    let tls_error = |e: rustls::Error| Error::config(format!("could not set up TLS: {e}"));
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(tls_error)?;
    let mut config = if http.trust_only_extra_ca {
        let mut roots = rustls::RootCertStore::empty();
        for cert in certs {
            roots.add(cert).map_err(tls_error)?;
        }
        builder.with_root_certificates(roots).with_no_client_auth()
    } else {
        let verifier = if certs.is_empty() {
            rustls_platform_verifier::Verifier::new(provider)
        } else {
            rustls_platform_verifier::Verifier::new_with_extra_roots(certs, provider)
        }
        .map_err(tls_error)?;
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth()
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Opens the WebSocket at `url` (`ws://` or `wss://`) within `timeout`.
pub async fn open(url: &Url, tls: Arc<rustls::ClientConfig>, timeout: Duration) -> Result<Ws> {
    let connect = async {
        let host = url
            .host_str()
            .ok_or_else(|| Error::config(format!("the socket URL {url} has no host")))?;
        let secure = match url.scheme() {
            "wss" => true,
            "ws" => false,
            other => {
                return Err(Error::config(format!(
                    "the socket URL's scheme {other} is not ws(s)"
                )));
            }
        };
        let port = url
            .port_or_known_default()
            .unwrap_or(if secure { 443 } else { 80 });
        // IPv6 literals come bracketed from `host_str`.
        let addr_host = host.trim_start_matches('[').trim_end_matches(']');
        let tcp = TcpStream::connect((addr_host, port)).await.map_err(|e| {
            Error::new(
                ErrorKind::Connect,
                format!("cannot reach {host}:{port}: {e}"),
            )
        })?;
        let _ = tcp.set_nodelay(true);
        let io: Box<dyn Io> = if secure {
            let name = ServerName::try_from(addr_host.to_owned())
                .map_err(|_| Error::config(format!("{host} is not a valid TLS server name")))?;
            let stream = tokio_rustls::TlsConnector::from(tls)
                .connect(name, tcp)
                .await
                .map_err(|e| {
                    Error::new(
                        ErrorKind::Connect,
                        format!("TLS with {host}:{port} failed: {e}"),
                    )
                })?;
            Box::new(stream)
        } else {
            Box::new(tcp)
        };
        let config = WebSocketConfig::default()
            .max_message_size(Some(MAX_FRAME))
            .max_frame_size(Some(MAX_FRAME));
        let (ws, _) = tokio_tungstenite::client_async_with_config(url.as_str(), io, Some(config))
            .await
            .map_err(|e| {
                Error::new(
                    ErrorKind::Connect,
                    format!("the WebSocket upgrade failed: {e}"),
                )
            })?;
        Ok(ws)
    };
    tokio::time::timeout(timeout, connect).await.map_err(|_| {
        Error::new(
            ErrorKind::Timeout,
            format!("the WebSocket did not open within {timeout:?}"),
        )
    })?
}

/// The WebSocket URL of a handshake's session: the socket.io base with `ws(s)`,
/// after the same plain-http check as every credentialed call.
pub fn socket_url(socketio: &Url, sid: &str, query: &str) -> Result<Url> {
    urls::check_secure(socketio, "an access token")?;
    let mut url = socketio
        .join(&format!("/socket.io/1/websocket/{sid}"))
        .map_err(|e| Error::config(format!("cannot build the socket URL: {e}")))?;
    url.set_query(Some(query));
    let scheme = if socketio.scheme() == "https" {
        "wss"
    } else {
        "ws"
    };
    url.set_scheme(scheme)
        .map_err(|()| Error::config("cannot build the socket URL"))?;
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_urls_follow_the_socketio_scheme() {
        let https = Url::parse("https://example.com/").expect("url");
        let url = socket_url(&https, "abc", "a=1").expect("wss");
        assert_eq!(
            url.as_str(),
            "wss://example.com/socket.io/1/websocket/abc?a=1"
        );
        let local = Url::parse("http://127.0.0.1:9/").expect("url");
        assert_eq!(socket_url(&local, "s", "").expect("ws").scheme(), "ws");
        let plain = Url::parse("http://example.com/").expect("url");
        assert_eq!(
            socket_url(&plain, "s", "").map_err(|e| e.kind()).err(),
            Some(ErrorKind::InsecureTransport)
        );
    }

    #[test]
    fn bad_extra_certificates_are_config_errors() {
        let http = HttpConfig {
            extra_ca_pem: vec![
                b"-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n".to_vec(),
            ],
            trust_only_extra_ca: true,
            ..HttpConfig::default()
        };
        assert_eq!(
            tls_config(&http).err().map(|e| e.kind()),
            Some(ErrorKind::Config)
        );
    }
}
