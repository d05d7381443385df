//! The Trouter WebSocket: `wss://` over the REST transport's own TLS configuration
//! (`Transport::tls`, so both trust the same certificates), or `ws://` where plain
//! http is allowed (loopback only).

use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use url::Url;

use super::super::error::{Error, ErrorKind, Result};
use super::super::urls;
use crate::wire::socketio::MAX_FRAME;

/// A byte stream, plain or TLS.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

pub type Ws = WebSocketStream<Box<dyn Io>>;

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

    /// An HTTPS server with a fresh self-signed certificate for 127.0.0.1, answering
    /// every request with an empty JSON object (so a WebSocket upgrade is refused after
    /// TLS succeeded); its URL and the certificate's PEM.
    async fn https_server() -> (Url, Vec<u8>) {
        let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()])
            .expect("test certificate");
        let cert_pem = cert.cert.pem().into_bytes();
        let key_pem = cert.signing_key.serialize_pem().into_bytes();
        let _ = rustls::crypto::ring::default_provider().install_default();
        let tls = axum_server::tls_rustls::RustlsConfig::from_pem(cert_pem.clone(), key_pem)
            .await
            .expect("server TLS");
        let app = axum::Router::new()
            .fallback(|| async { ([("content-type", "application/json")], "{}") });
        let handle = axum_server::Handle::<std::net::SocketAddr>::new();
        let listening = handle.clone();
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
        tokio::spawn(async move {
            let _ = axum_server::bind_rustls(addr, tls)
                .handle(listening)
                .serve(app.into_make_service())
                .await;
        });
        let addr = handle.listening().await.expect("listening");
        let url = Url::parse(&format!("https://127.0.0.1:{}/", addr.port())).expect("url");
        (url, cert_pem)
    }

    /// The push socket trusts exactly what REST trusts: for each trust setting, a REST
    /// call and a TLS handshake of the socket to the same self-signed server both
    /// succeed (its certificate given as an extra CA, merged or alone) or both fail.
    #[tokio::test]
    async fn the_socket_and_rest_trust_the_same_certificates() {
        use super::super::super::config::{HttpConfig, RetryPolicy};
        use super::super::super::transport::{Auth, Call, Transport};

        let (server, cert) = https_server().await;
        let (_, other) = https_server().await;
        let ws = {
            let mut u = server.join("socket.io/1/websocket/s").expect("ws url");
            u.set_scheme("wss").expect("wss");
            u
        };
        // (extra CAs, trust only them, whether the server's certificate is among them)
        let cases = [
            (vec![cert.clone()], false, true),
            (vec![cert.clone()], true, true),
            (vec![other.clone(), cert.clone()], true, true),
            (vec![other.clone()], true, false),
            (vec![other.clone()], false, false),
            (vec![], false, false),
        ];
        for (extra_ca_pem, trust_only_extra_ca, trusted) in cases {
            let what = format!("{} CA(s), only={trust_only_extra_ca}", extra_ca_pem.len());
            let transport = Transport::new(HttpConfig {
                extra_ca_pem,
                trust_only_extra_ca,
                timeout: Duration::from_secs(10),
                retry: RetryPolicy::none(),
                ..HttpConfig::default()
            })
            .expect("transport");
            let call = Call::idempotent(reqwest::Method::GET, server.clone(), Auth::Hmac(b"k"));
            let rest = transport.send(call).await;
            let socket = open(&ws, transport.tls(), Duration::from_secs(10)).await;
            let socket_error = socket.err().map(|e| e.message().to_owned());
            let socket_tls_ok = socket_error
                .as_deref()
                .is_some_and(|m| m.starts_with("the WebSocket upgrade failed"));
            let socket_tls_refused = socket_error
                .as_deref()
                .is_some_and(|m| m.starts_with("TLS with"));
            assert_eq!(rest.is_ok(), trusted, "REST, {what}: {rest:?}");
            assert_eq!(socket_tls_ok, trusted, "socket, {what}: {socket_error:?}");
            assert_eq!(
                socket_tls_refused, !trusted,
                "socket, {what}: {socket_error:?}"
            );
        }
    }
}
