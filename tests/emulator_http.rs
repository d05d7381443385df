//! The emulator at the HTTP level: an over-limit body gets its 413 over every
//! transport a client uses, and a loopback plain-http emulator answers only requests
//! addressed to a loopback name.

mod common;

use acs_chat::emulator::{EmulatorConfig, EmulatorError};
use base64::Engine as _;
use common::*;
use reqwest::{StatusCode, Version};
use serde_json::Value;

/// Bytes of an over-limit body.
const BIG: usize = 6 * 1024 * 1024;

/// A JSON message body of about `bytes` bytes: over the 512 KiB request limit.
fn big_message(bytes: usize) -> Vec<u8> {
    format!("{{\"content\":\"{}\"}}", "a".repeat(bytes)).into_bytes()
}

/// A client trusting the emulator's certificate, held to one HTTP version.
fn client(env: &Env, http2: bool) -> reqwest::Client {
    install_provider();
    let pem = env.emu.cert_pem.as_deref().expect("https emulator");
    let cert = reqwest::Certificate::from_pem(pem.as_bytes()).expect("cert parses");
    let b = reqwest::Client::builder().tls_certs_only([cert]);
    let b = if http2 {
        b.http2_prior_knowledge()
    } else {
        b.http1_only()
    };
    b.build().expect("client builds")
}

/// Posts `body` as a message and checks the answer is the 413 in the service's shape,
/// not a connection error; then checks the connection still serves a normal request.
async fn assert_413(http2: bool, body: reqwest::Body) {
    let env = Env::start().await;
    let alice = env.user().await;
    let thread = env.thread(&alice, "t", &[]).await;
    let url = format!("{}/chat/threads/{}/messages?{CHAT}", env.base, enc(&thread));
    let client = client(&env, http2);
    let r = client
        .post(&url)
        .bearer_auth(&alice.token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("413 expected, got a transport error: {e:?}"));
    let want = if http2 {
        Version::HTTP_2
    } else {
        Version::HTTP_11
    };
    assert_eq!(r.version(), want);
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let v: Value = r.json().await.expect("error body is JSON");
    assert_eq!(v["CommunicationError"]["Code"], "RequestEntityTooLarge");
    let ok = client
        .get(&url)
        .bearer_auth(&alice.token)
        .send()
        .await
        .expect("the next request is served");
    assert_eq!(ok.status(), StatusCode::OK);
}

#[tokio::test]
async fn over_limit_body_gets_413_over_http1_tls() {
    assert_413(false, big_message(BIG).into()).await;
}

#[tokio::test]
async fn over_limit_body_gets_413_over_http2_tls() {
    assert_413(true, big_message(BIG).into()).await;
}

/// The big message without a Content-Length: the limit shows only while reading.
fn chunked() -> reqwest::Body {
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = big_message(BIG)
        .chunks(64 * 1024)
        .map(|c| Ok(c.to_vec()))
        .collect();
    reqwest::Body::wrap_stream(futures::stream::iter(chunks))
}

#[tokio::test]
async fn over_limit_chunked_body_gets_413_over_http1_tls() {
    assert_413(false, chunked()).await;
}

#[tokio::test]
async fn over_limit_chunked_body_gets_413_over_http2_tls() {
    assert_413(true, chunked()).await;
}

/// Writes the whole request, then reads the whole answer, over TLS: the order of
/// clients that do not read while sending (Python's `requests`), which meet a server
/// that closes early as a connection error.
fn send_all_then_read(
    addr: std::net::SocketAddr,
    pem: &str,
    head: &str,
    body: &[u8],
) -> std::io::Result<String> {
    use rustls::pki_types::pem::PemObject as _;
    use std::io::{Read as _, Write as _};
    let mut roots = rustls::RootCertStore::empty();
    let cert = rustls::pki_types::CertificateDer::from_pem_slice(pem.as_bytes())
        .map_err(std::io::Error::other)?;
    roots.add(cert).map_err(std::io::Error::other)?;
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name =
        rustls::pki_types::ServerName::try_from("127.0.0.1").map_err(std::io::Error::other)?;
    let conn = rustls::ClientConnection::new(std::sync::Arc::new(config), name)
        .map_err(std::io::Error::other)?;
    let tcp = std::net::TcpStream::connect(addr)?;
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    tls.write_all(head.as_bytes())?;
    tls.write_all(body)?;
    tls.flush()?;
    let mut answer = Vec::new();
    tls.read_to_end(&mut answer)?;
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

#[tokio::test]
async fn over_limit_body_gets_413_when_the_client_reads_only_after_sending() {
    let env = Env::start().await;
    let alice = env.user().await;
    let thread = env.thread(&alice, "t", &[]).await;
    let body = big_message(BIG);
    let head = format!(
        "POST /chat/threads/{}/messages?{CHAT} HTTP/1.1\r\nhost: {}\r\nauthorization: Bearer {}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        enc(&thread),
        env.host(),
        alice.token,
        body.len()
    );
    let pem = env.emu.cert_pem.clone().expect("https emulator");
    let addr = env.emu.addr;
    let answer = tokio::task::spawn_blocking(move || send_all_then_read(addr, &pem, &head, &body))
        .await
        .expect("client thread")
        .unwrap_or_else(|e| panic!("413 expected, got a connection error: {e}"));
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    let json = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    let v: Value = serde_json::from_str(json).expect("error body is JSON");
    assert_eq!(v["CommunicationError"]["Code"], "RequestEntityTooLarge");
}

#[tokio::test]
async fn beyond_loopback_the_public_development_key_is_refused() {
    let everywhere = EmulatorConfig {
        host: std::net::IpAddr::from([0, 0, 0, 0]),
        ..EmulatorConfig::for_tests()
    };
    let refused = acs_chat::emulator::start(everywhere.clone()).await;
    assert!(
        matches!(refused, Err(EmulatorError::PublicKeyOnNetwork(_))),
        "{:?}",
        refused.err()
    );
    let secret = EmulatorConfig {
        access_key: base64::engine::general_purpose::STANDARD.encode([7u8; 32]),
        ..everywhere
    };
    let emu = acs_chat::emulator::start(secret)
        .await
        .expect("a secret key may listen beyond loopback");
    emu.shutdown().await;
}

/// The status line and body a plain-http emulator gives a request naming `host`.
async fn answer_for_host(port: u16, host: &str) -> (String, String) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut socket = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connects");
    let request =
        format!("GET /chat/threads?{CHAT} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    socket.write_all(request.as_bytes()).await.expect("sends");
    let mut answer = String::new();
    socket.read_to_string(&mut answer).await.expect("reads");
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head.lines().next().unwrap_or_default().to_owned();
    (status, body.to_owned())
}

#[tokio::test]
async fn plain_http_on_loopback_answers_only_loopback_hosts() {
    let env = Env::start_with(EmulatorConfig {
        tls: false,
        ..EmulatorConfig::for_tests()
    })
    .await;
    let port = env.emu.addr.port();
    // A page whose name was rebound to 127.0.0.1 names itself in Host.
    for foreign in [
        format!("evil.example:{port}"),
        "evil.example".to_owned(),
        format!("127.0.0.1.evil.example:{port}"),
        String::new(),
    ] {
        let (status, body) = answer_for_host(port, &foreign).await;
        assert!(status.starts_with("HTTP/1.1 421"), "{foreign:?}: {status}");
        let v: Value = serde_json::from_str(&body).expect("error body is JSON");
        assert_eq!(v["CommunicationError"]["Code"], "MisdirectedRequest");
    }
    // Loopback names reach the API (no token here: its 401).
    for own in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("LocalHost:{port}"),
        format!("[::1]:{port}"),
        "127.0.0.1".to_owned(),
    ] {
        let (status, _) = answer_for_host(port, &own).await;
        assert!(status.starts_with("HTTP/1.1 401"), "{own:?}: {status}");
    }
}
