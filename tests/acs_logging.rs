//! The client's own log lines (tracing, debug level) name method, path, status and
//! time, and never a token, key or signature.

mod acs_common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use acs_chat::acs::{ChatClient, ConnectionString, HttpConfig, IdentityClient, TokenScope};
use acs_common::*;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::ErrorKind::Other)?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const KEY: &str = "c2VjcmV0LWtleS1mb3ItbG9nZ2luZy10ZXN0";

#[tokio::test]
async fn debug_logs_carry_no_secrets() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let token = test_jwt();
    let issued = test_jwt().replace("c2lnbmF0dXJl", "aXNzdWVkLXNpZw");
    let body = format!(
        r#"{{"identity":{{"id":"8:acs:r_u"}},"accessToken":{{"token":"{issued}","expiresOn":"2030-01-01T00:00:00Z"}}}}"#
    );
    let server = MockServer::start(move |r, i| match (r.path(), i) {
        ("/identities", _) => Reply::json(201, &body),
        (_, 1) => Reply::empty(503),
        _ => Reply::json(200, r#"{"value":[]}"#),
    })
    .await;

    let cs =
        ConnectionString::parse(&format!("endpoint={};accesskey={KEY}", server.url)).expect("cs");
    let identity = IdentityClient::new(&cs, transport(fast_config()));
    identity
        .create_user_and_token(&[TokenScope::Chat], None)
        .await
        .expect("identity");
    let chat = ChatClient::new(
        server.url.clone(),
        acs_chat::acs::TokenCredential::from_token(token.clone()).expect("token"),
        transport(HttpConfig {
            retry: fast_config().retry,
            ..HttpConfig::default()
        }),
    );
    chat.list_threads_page(&Default::default(), None)
        .await
        .expect("list after one retry");

    let logs = String::from_utf8(captured.0.lock().expect("logs").clone()).expect("utf8");
    assert!(
        logs.contains("acs request")
            && logs.contains("/chat/threads")
            && logs.contains("status=503"),
        "{logs}"
    );
    assert!(logs.contains("retrying"), "{logs}");
    let signature = server.requests()[0]
        .header("authorization")
        .expect("hmac")
        .rsplit("Signature=")
        .next()
        .expect("sig")
        .to_owned();
    for secret in [
        token.as_str(),
        issued.as_str(),
        KEY,
        signature.as_str(),
        "eyJ",
    ] {
        assert!(!logs.contains(secret), "{secret} leaked into:\n{logs}");
    }
}
