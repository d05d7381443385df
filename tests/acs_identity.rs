//! The Identity client against a scripted server that verifies every HMAC signature
//! with the shared signing code, from the request exactly as it arrived.

mod acs_common;

use std::sync::Arc;

use acs_chat::acs::{ConnectionString, ErrorKind, HttpConfig, IdentityClient, TokenScope};
use acs_chat::wire::signing;
use acs_common::*;
use base64::Engine as _;

const KEY: &str = "YWNzLWNoYXQgbG9jYWwgZW11bGF0b3IgZGV2ZWxvcG1lbnQga2V5IC0gbm90IGEgc2VjcmV0";

/// The recorded Identity answer: a fake token with a padded payload and float exp, and
/// `expiresOn` with 7 fractional digits and a `+00:00` offset.
const CREATE_WITH_TOKEN: &str = r#"{"identity":{"id":"8:acs:a5ba7870-ef05-4e2b-9901-7751faa29e20_00000011-9f42-4aef-88f7-08482200b423"},"accessToken":{"token":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE2NTM1NTU1NjQuODg4fQ==.adM-ddBZZlQ1WlN3pdPBOF5G4Wh9iZpxNP_fSvpF4cWs","expiresOn":"2022-05-27T07:59:25.9595888+00:00"}}"#;
const TOKEN: &str = r#"{"token":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE2NTM1NTU1NjQuODg4fQ==.adM-ddBZZlQ1WlN3pdPBOF5G4Wh9iZpxNP_fSvpF4cWs","expiresOn":"2022-05-27T07:59:25.9595888+00:00"}"#;

/// Checks the signature the way the service does; `None` when it verifies.
fn signature_problem(r: &Recorded) -> Option<String> {
    let key = base64::engine::general_purpose::STANDARD
        .decode(KEY)
        .expect("key");
    let date = r.header("x-ms-date")?;
    let hash = r.header("x-ms-content-sha256")?;
    if hash != signing::content_hash(&r.body) {
        return Some("content hash does not match the body".into());
    }
    let host = r.header("host")?;
    let to_sign = signing::string_to_sign(&r.method, &r.path_and_query, date, host, hash);
    let expected = signing::authorization_header(&signing::signature(&key, &to_sign));
    (r.header("authorization") != Some(expected.as_str()))
        .then(|| format!("bad signature for {to_sign:?}"))
}

fn identity_service(r: &Recorded, _: usize) -> Reply {
    if let Some(problem) = signature_problem(r) {
        let body = serde_json::json!({"error": {"code": "Unauthorized", "message": problem}});
        return Reply::json(401, &body.to_string());
    }
    let user = format!("/identities/{USER_ENCODED}");
    match (r.method.as_str(), r.path()) {
        ("POST", "/identities") if r.body.is_empty() => {
            Reply::json(201, r#"{"identity":{"id":"8:acs:r_new"}}"#)
        }
        ("POST", "/identities") => Reply::json(201, CREATE_WITH_TOKEN),
        ("POST", p) if p == format!("{user}/:issueAccessToken") => Reply::json(200, TOKEN),
        ("POST", p) if p == format!("{user}/:revokeAccessTokens") => Reply::empty(204),
        ("DELETE", p) if p == user => Reply::empty(204),
        _ => Reply::json(404, r#"{"error":{"code":"NotFound","message":"no route"}}"#),
    }
}

fn identity(server: &MockServer, config: HttpConfig) -> IdentityClient {
    let cs = ConnectionString::parse(&format!("endpoint={};accesskey={KEY}", server.url))
        .expect("connection string");
    IdentityClient::new(&cs, transport(config))
}

#[tokio::test]
async fn every_operation_is_signed_as_the_service_verifies_it() {
    let server = MockServer::start(identity_service).await;
    let client = identity(&server, HttpConfig::default());

    assert_eq!(
        client.create_user().await.expect("create user"),
        "8:acs:r_new"
    );
    let (id, token) = client
        .create_user_and_token(&[TokenScope::Chat, TokenScope::Voip], Some(60))
        .await
        .expect("create with token");
    assert!(id.ends_with("_00000011-9f42-4aef-88f7-08482200b423"));
    assert_eq!(token.expires_on.unix_timestamp(), 1653638365);
    let issued = client
        .issue_token(USER, &[TokenScope::Chat], None)
        .await
        .expect("issue");
    assert!(issued.token.starts_with("eyJ"));
    client.revoke_tokens(USER).await.expect("revoke");
    client.delete_user(USER).await.expect("delete");

    let requests = server.requests();
    assert_eq!(requests.len(), 5);
    for r in &requests {
        assert_eq!(
            signature_problem(r),
            None,
            "{} {}",
            r.method,
            r.path_and_query
        );
        assert!(r.path_and_query.ends_with("?api-version=2023-10-01"));
        assert!(r.header("authorization").expect("auth").starts_with(
            "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature="
        ));
        assert!(
            r.header("host").expect("host").starts_with("127.0.0.1:"),
            "host carries the non-default port"
        );
        assert!(is_uuid(r.header("x-ms-client-request-id")));
    }
    assert_eq!(requests[0].header("content-length"), Some("0"));
    assert_eq!(
        requests[0].header("x-ms-content-sha256"),
        Some("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
    );
    assert_eq!(
        requests[1].json(),
        serde_json::json!({"createTokenWithScopes": ["chat", "voip"], "expiresInMinutes": 60})
    );
    assert_eq!(
        requests[2].path_and_query,
        format!("/identities/{USER_ENCODED}/:issueAccessToken?api-version=2023-10-01")
    );
    assert_eq!(requests[2].json(), serde_json::json!({"scopes": ["chat"]}));
    assert_eq!(
        requests[3].header("content-length"),
        Some("0"),
        "empty POST still says so"
    );
    assert_eq!(requests[4].method, "DELETE");
}

#[tokio::test]
async fn a_wrong_key_is_refused_with_the_services_error() {
    let server = MockServer::start(identity_service).await;
    let cs = ConnectionString::parse(&format!("endpoint={};accesskey=d3Jvbmcga2V5", server.url))
        .expect("cs");
    let e = IdentityClient::new(&cs, transport(HttpConfig::default()))
        .create_user()
        .await
        .expect_err("wrong key");
    assert_eq!(
        (e.kind(), e.status(), e.code()),
        (ErrorKind::Http, Some(401), Some("Unauthorized"))
    );
    assert!(e.message().contains("bad signature"));
}

#[tokio::test]
async fn create_user_is_retried_only_when_the_service_did_not_process_it() {
    let server = MockServer::start(|r, i| match i {
        0 => Reply::With(429, vec![("retry-after-ms", "20".into())], String::new()),
        1 => Reply::empty(500),
        _ => identity_service(r, i),
    })
    .await;
    let e = identity(&server, fast_config())
        .create_user()
        .await
        .expect_err("500 is not retried for create");
    assert_eq!(e.status(), Some(500));
    assert_eq!(server.requests().len(), 2, "429 retried, 500 not");
}

#[tokio::test]
async fn issue_is_idempotent_and_retried_on_5xx() {
    let server = MockServer::start(|r, i| {
        if i == 0 {
            Reply::empty(502)
        } else {
            identity_service(r, i)
        }
    })
    .await;
    let token = identity(&server, fast_config())
        .issue_token(USER, &[TokenScope::Chat], Some(60))
        .await
        .expect("retried");
    assert_eq!(token.expires_on.year(), 2022);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests[0].header("x-ms-date").is_some());
    assert_eq!(
        signature_problem(&requests[1]),
        None,
        "the retry is signed afresh"
    );
}

#[tokio::test]
async fn missing_access_token_in_create_with_token_is_an_invalid_response() {
    let server =
        MockServer::start(|_, _| Reply::json(201, r#"{"identity":{"id":"8:acs:x"}}"#)).await;
    let e = identity(&server, fast_config())
        .create_user_and_token(&[TokenScope::Chat], None)
        .await
        .expect_err("no token");
    assert_eq!(e.kind(), ErrorKind::InvalidResponse);
}

#[tokio::test]
async fn signed_requests_never_go_over_plain_http_to_remote_hosts() {
    let cs = ConnectionString::parse(&format!("endpoint=http://acs.example.com/;accesskey={KEY}"))
        .expect("cs");
    let e = IdentityClient::new(&cs, transport(fast_config()))
        .create_user()
        .await
        .expect_err("insecure");
    assert_eq!(e.kind(), ErrorKind::InsecureTransport);
}

#[tokio::test]
async fn observer_never_sees_the_signature_or_issued_tokens() {
    let server = MockServer::start(identity_service).await;
    let recorder = Arc::new(Recorder::default());
    let client = identity(
        &server,
        HttpConfig {
            observer: Some(recorder.clone()),
            ..HttpConfig::default()
        },
    );
    let (_, token) = client
        .create_user_and_token(&[TokenScope::Chat], None)
        .await
        .expect("created");
    let seen = format!("{:?}", recorder.all());
    assert!(!seen.contains(&token.token), "issued token leaked: {seen}");
    assert!(!seen.contains("adM-ddBZZ"), "token signature leaked");
    assert!(seen.contains("Signature=[redacted]"));
    let sent = server.requests()[0]
        .header("authorization")
        .expect("auth")
        .to_owned();
    let signature = sent.rsplit('=').nth(1).expect("signature");
    assert!(!seen.contains(signature));
}
