//! CORS on the REST routes and the real-time configuration route, as a browser app
//! calling from another origin sees them.

mod common;

use acs_chat::emulator::EmulatorConfig;
use common::{CHAT, Env, IDENTITY};
use reqwest::{Method, StatusCode};
use serde_json::Value;

const PAGE: &str = "http://app.example.test:5173";
/// A web app's local dev server: the only kind of page the key's routes serve by default.
const LOCAL_PAGE: &str = "http://localhost:5173";
/// What the official SDK and the Trouter client ask a preflight to allow.
const ASKED: &str = "authorization,content-type,x-ms-client-request-id,x-ms-useragent,x-skypetoken";

async fn preflight(env: &Env, path: &str, origin: &str, method: &str) -> reqwest::Response {
    env.client
        .request(Method::OPTIONS, format!("{}{path}", env.base))
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header("access-control-request-headers", ASKED)
        .send()
        .await
        .expect("preflight sent")
}

fn header<'a>(r: &'a reqwest::Response, name: &str) -> &'a str {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[tokio::test]
async fn preflights_are_granted_on_chat_identity_and_realtime_routes() {
    let env = Env::start().await;
    for (path, method) in [
        (format!("/chat/threads?{CHAT}"), "POST"),
        (
            format!("/chat/threads/19%3Aa%40thread.v2/messages/1?{CHAT}"),
            "PATCH",
        ),
        (format!("/identities?{IDENTITY}"), "POST"),
        (
            "/chat/config/realTimeNotifications?api-version=2024-09-01".to_owned(),
            "GET",
        ),
        ("/v4/a?epid=x".to_owned(), "POST"),
    ] {
        // Identity is signed with the (public) development key: local pages only.
        let page = if path.starts_with("/identities") {
            LOCAL_PAGE
        } else {
            PAGE
        };
        let r = preflight(&env, &path, page, method).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT, "{path}");
        assert_eq!(header(&r, "access-control-allow-origin"), page, "{path}");
        assert!(
            header(&r, "access-control-allow-methods").contains(method),
            "{path}"
        );
        let allowed = header(&r, "access-control-allow-headers").to_ascii_lowercase();
        for h in ASKED.split(',') {
            assert!(allowed.contains(h), "{path}: {h} not in {allowed}");
        }
        assert!(!header(&r, "access-control-max-age").is_empty(), "{path}");
    }
}

#[tokio::test]
async fn answers_and_errors_carry_the_origin_and_exposed_headers() {
    let env = Env::start().await;
    let alice = env.user().await;
    let ok = env
        .client
        .get(format!("{}/chat/threads?{CHAT}", env.base))
        .bearer_auth(&alice.token)
        .header("origin", PAGE)
        .send()
        .await
        .expect("sent");
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(header(&ok, "access-control-allow-origin"), PAGE);
    let exposed = header(&ok, "access-control-expose-headers").to_ascii_lowercase();
    for h in ["location", "retry-after", "x-ms-request-id", "ms-cv"] {
        assert!(exposed.contains(h), "{h} not exposed: {exposed}");
    }
    let refused = env
        .client
        .get(format!("{}/chat/threads?{CHAT}", env.base))
        .header("origin", PAGE)
        .send()
        .await
        .expect("sent");
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(header(&refused, "access-control-allow-origin"), PAGE);
}

#[tokio::test]
async fn cors_origin_restricts_to_the_listed_origins() {
    let env = Env::start_with(EmulatorConfig {
        cors_origins: vec![PAGE.to_owned()],
        ..EmulatorConfig::for_tests()
    })
    .await;
    let path = format!("/chat/threads?{CHAT}");
    let listed = preflight(&env, &path, PAGE, "GET").await;
    assert_eq!(header(&listed, "access-control-allow-origin"), PAGE);
    let other = preflight(&env, &path, "http://evil.test", "GET").await;
    assert_eq!(header(&other, "access-control-allow-origin"), "");
}

async fn config(env: &Env, base: &str, path: &str, token: Option<&str>) -> (StatusCode, Value) {
    let mut r = env.client.get(format!("{base}{path}"));
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let r = r.send().await.expect("sent");
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn config_names_the_emulator_itself_for_every_version_and_a_doubled_slash() {
    let env = Env::start().await;
    let alice = env.user().await;
    for path in [
        "/chat/config/realTimeNotifications?api-version=2024-09-01",
        "//chat/config/realTimeNotifications?api-version=2024-09-01",
        "/chat/config/realTimeNotifications?api-version=2025-03-15",
    ] {
        let (status, v) = config(&env, &env.base, path, Some(&alice.token)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(v["trouterServiceUrl"], env.base.as_str(), "{path}");
        assert_eq!(v["registrarServiceUrl"], env.base.as_str(), "{path}");
        assert_eq!(v["cloudType"], "Public", "{path}");
    }
    // The REST routes were already tolerant of a doubled leading slash; keep them so.
    let r = env
        .client
        .get(format!("{}//chat/threads?{CHAT}", env.base))
        .bearer_auth(&alice.token)
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn config_answers_the_origin_the_client_used() {
    let env = Env::start().await;
    let alice = env.user().await;
    common::install_provider();
    let pem = env.emu.cert_pem.clone().expect("https");
    let via_localhost = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(pem.as_bytes()).expect("pem")])
        .resolve("localhost", env.emu.addr)
        .build()
        .expect("client");
    let base = format!("https://localhost:{}", env.emu.addr.port());
    let r = via_localhost
        .get(format!(
            "{base}/chat/config/realTimeNotifications?api-version=2024-09-01"
        ))
        .bearer_auth(&alice.token)
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["trouterServiceUrl"], base.as_str());
}

#[tokio::test]
async fn config_refuses_bad_tokens_and_versions() {
    let env = Env::start().await;
    let alice = env.user().await;
    let path = "/chat/config/realTimeNotifications?api-version=2024-09-01";
    assert_eq!(
        config(&env, &env.base, path, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let forged = format!("{}x", alice.token);
    assert_eq!(
        config(&env, &env.base, path, Some(&forged)).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, body) = config(
        &env,
        &env.base,
        "/chat/config/realTimeNotifications?api-version=1999-01-01",
        Some(&alice.token),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["CommunicationError"]["Code"], "UnsupportedApiVersion");
}

#[test]
fn serve_refuses_a_cors_origin_that_is_not_an_origin() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_acs-chat"))
        .args([
            "serve",
            "--in-memory",
            "--port",
            "0",
            "--cors-origin",
            "localhost:5173/app",
        ])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not an origin"), "{err}");
}

/// An `OPTIONS` without `Access-Control-Request-Method` is no preflight: the API
/// answers it like any method it does not support, in the service's error shape
/// (Chat errors are `CommunicationError`, Identity's `error`).
#[tokio::test]
async fn a_plain_options_is_the_apis_405_not_a_preflight() {
    let env = Env::start().await;
    for (path, code) in [
        (format!("/chat/threads?{CHAT}"), "/CommunicationError/Code"),
        (format!("/identities?{IDENTITY}"), "/error/code"),
    ] {
        let r = env
            .client
            .request(Method::OPTIONS, format!("{}{path}", env.base))
            .send()
            .await
            .expect("sent");
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED, "{path}");
        assert!(r.headers().contains_key("ms-cv"), "{path}: from the API");
        let v: Value = r.json().await.expect("error body");
        assert_eq!(
            v.pointer(code),
            Some(&Value::from("MethodNotAllowed")),
            "{path}"
        );
    }
}

/// The development key is public: a page of a foreign origin could sign Identity and
/// management requests with it. Those routes refuse foreign pages (preflights and
/// requests alike) unless `--cors-origin` lists them; loopback pages are served.
#[tokio::test]
async fn the_key_routes_serve_only_loopback_pages_by_default() {
    let env = Env::start().await;
    for path in [
        format!("/identities?{IDENTITY}"),
        "/emulator/event-subscriptions".to_owned(),
    ] {
        let r = preflight(&env, &path, PAGE, "POST").await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
        assert_eq!(header(&r, "access-control-allow-origin"), "", "{path}");
        let r = env
            .client
            .post(format!("{}{path}", env.base))
            .header("origin", PAGE)
            .send()
            .await
            .expect("sent");
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
        for local in [LOCAL_PAGE, "https://127.0.0.1:8443", "http://[::1]:3000"] {
            let r = preflight(&env, &path, local, "POST").await;
            assert_eq!(r.status(), StatusCode::NO_CONTENT, "{path} from {local}");
            assert_eq!(header(&r, "access-control-allow-origin"), local, "{path}");
        }
    }
    // A listed origin is served there too.
    let listed = Env::start_with(EmulatorConfig {
        cors_origins: vec![PAGE.to_owned()],
        ..EmulatorConfig::for_tests()
    })
    .await;
    let r = preflight(&listed, &format!("/identities?{IDENTITY}"), PAGE, "POST").await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(header(&r, "access-control-allow-origin"), PAGE);
}
