//! The `acs-chat serve` binary: the two stdout lines scripts parse, the certificate
//! they point at, and a clean exit on a signed shutdown request.

mod common;

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use acs_chat::wire::http_date;
use acs_chat::wire::signing;
use base64::Engine as _;

#[tokio::test]
async fn serve_prints_connection_lines_and_stops_on_signed_shutdown() {
    common::install_provider();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_acs-chat"))
        .args(["serve", "--port", "0", "--data-dir"])
        .arg(dir.path())
        .arg("--log-file")
        .arg(dir.path().join("serve.log"))
        .env_remove("ACS_CHAT_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let second = lines.next().and_then(Result::ok).unwrap_or_default();
    let conn = first
        .strip_prefix("ACS_CONNECTION_STRING=")
        .expect("connection string line");
    let cert_path = second
        .strip_prefix("ACS_CA_CERT=")
        .expect("certificate line");
    assert_eq!(std::path::Path::new(cert_path), dir.path().join("cert.pem"));
    let endpoint = conn
        .strip_prefix("endpoint=")
        .and_then(|r| r.split(';').next())
        .expect("endpoint");
    let key = conn.split(";accesskey=").nth(1).expect("key");
    assert_eq!(key, acs_chat::local::DEV_ACCESS_KEY);
    assert!(endpoint.starts_with("https://127.0.0.1:") && endpoint.ends_with('/'));

    let pem = std::fs::read(cert_path).expect("cert readable");
    let client = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&pem).expect("pem")])
        .build()
        .expect("client");
    let base = endpoint.trim_end_matches('/');
    let health = client
        .get(format!("{base}/emulator/health"))
        .send()
        .await
        .expect("health");
    assert_eq!(health.status(), reqwest::StatusCode::OK);

    let date = http_date::format(time::OffsetDateTime::now_utc());
    let hash = signing::content_hash(b"");
    let host = base.trim_start_matches("https://");
    let s = signing::string_to_sign("POST", "/emulator/shutdown", &date, host, &hash);
    let key = base64::engine::general_purpose::STANDARD
        .decode(key)
        .expect("b64");
    let r = client
        .post(format!("{base}/emulator/shutdown"))
        .header("x-ms-date", &date)
        .header("x-ms-content-sha256", &hash)
        .header(
            "authorization",
            signing::authorization_header(&signing::signature(&key, &s)),
        )
        .send()
        .await
        .expect("shutdown sent");
    assert_eq!(r.status(), reqwest::StatusCode::NO_CONTENT);
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(std::time::Instant::now() < deadline, "serve did not exit");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success());
    // With --log-file (the background emulator) the log says what happened but not
    // every request: those are at debug.
    let log = std::fs::read_to_string(dir.path().join("serve.log")).expect("log written");
    assert!(log.contains("emulator listening"), "{log}");
    assert!(log.contains("shutdown requested"), "{log}");
    assert!(!log.contains(" request "), "{log}");
}
