//! HTTPS as the local default uses it: a self-signed certificate on 127.0.0.1 that the
//! client trusts only when told to, and TLS refusals reported at once, not retried.

mod acs_common;

use std::net::SocketAddr;
use std::sync::Arc;

use acs_chat::acs::{ChatClient, ErrorKind, HttpConfig, Transport};
use acs_common::*;
use axum_server::tls_rustls::RustlsConfig;
use url::Url;

const THREAD_JSON: &str = r#"{"id":"19:a@thread.v2","topic":"tls","createdOn":"2023-10-19T10:46:25Z","createdByCommunicationIdentifier":{"rawId":"8:acs:r_u"}}"#;

/// An HTTPS server with a fresh self-signed certificate; returns its URL and the PEM.
async fn https_server() -> (Url, Vec<u8>) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cert =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .expect("cert");
    let cert_pem = cert.cert.pem().into_bytes();
    let key_pem = cert.signing_key.serialize_pem().into_bytes();
    let tls = RustlsConfig::from_pem(cert_pem.clone(), key_pem)
        .await
        .expect("tls config");
    let app = axum::Router::new()
        .fallback(|| async { ([("content-type", "application/json")], THREAD_JSON) });
    let handle = axum_server::Handle::<SocketAddr>::new();
    let server_handle = handle.clone();
    tokio::spawn(async move {
        let _ = axum_server::bind_rustls("127.0.0.1:0".parse::<SocketAddr>().expect("addr"), tls)
            .handle(server_handle)
            .serve(app.into_make_service())
            .await;
    });
    let addr = handle.listening().await.expect("listening");
    (
        Url::parse(&format!("https://127.0.0.1:{}/", addr.port())).expect("url"),
        cert_pem,
    )
}

#[tokio::test]
async fn trusts_an_extra_ca_when_given() {
    let (url, pem) = https_server().await;
    for only in [false, true] {
        let config = HttpConfig {
            extra_ca_pem: vec![pem.clone()],
            trust_only_extra_ca: only,
            ..fast_config()
        };
        let chat = ChatClient::new(url.clone(), credential(), transport(config));
        let props = chat
            .thread("19:a@thread.v2")
            .properties()
            .await
            .expect("trusted");
        assert_eq!(props.topic, "tls");
    }
}

#[tokio::test]
async fn an_unknown_certificate_fails_at_once() {
    let (url, _) = https_server().await;
    let recorder = Arc::new(Recorder::default());
    let config = HttpConfig {
        observer: Some(recorder.clone()),
        ..fast_config()
    };
    let chat = ChatClient::new(url, credential(), transport(config));
    let e = chat
        .thread("19:a@thread.v2")
        .properties()
        .await
        .expect_err("untrusted");
    assert_eq!(e.kind(), ErrorKind::Connect);
    assert!(e.message().contains("TLS"), "{e}");
    assert_eq!(
        recorder.all().len(),
        1,
        "a certificate problem is not retried"
    );
}

#[test]
fn bad_ca_input_is_a_config_error() {
    let e = Transport::new(HttpConfig {
        extra_ca_pem: vec![b"not a certificate".to_vec()],
        ..HttpConfig::default()
    })
    .expect_err("bad pem");
    assert_eq!(e.kind(), ErrorKind::Config);
    let e = Transport::new(HttpConfig {
        trust_only_extra_ca: true,
        ..HttpConfig::default()
    })
    .expect_err("nothing to trust");
    assert_eq!(e.kind(), ErrorKind::Config);
    let e = Transport::new(HttpConfig {
        timeout: std::time::Duration::ZERO,
        ..HttpConfig::default()
    })
    .expect_err("zero timeout");
    assert!(e.message().contains("timeout"));
}
