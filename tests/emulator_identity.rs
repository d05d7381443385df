//! Identity API and HMAC auth against an in-process emulator.

mod common;

use acs_chat::wire::http_date;
use base64::Engine as _;
use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn create_user_with_and_without_token() {
    let env = Env::start().await;
    let r = env
        .signed(Method::POST, &format!("/identities?{IDENTITY}"), None)
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json; charset=utf-8")
    );
    assert!(
        r.headers().contains_key("api-supported-versions") && r.headers().contains_key("ms-cv")
    );
    let v: Value = r.json().await.expect("json");
    let id = v["identity"]["id"].as_str().expect("id");
    assert!(
        id.starts_with(&format!("8:acs:{}_", acs_chat::local::RESOURCE_ID)),
        "{id}"
    );
    assert!(v.get("accessToken").is_none());
    assert!(
        location.starts_with(&env.base) && location.contains("/identities/8%3Aacs%3A"),
        "{location}"
    );

    let r = env
        .signed(
            Method::POST,
            &format!("/identities?{IDENTITY}"),
            Some(json!({"createTokenWithScopes": ["chat"], "expiresInMinutes": 60})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.expect("json");
    let expires = v["accessToken"]["expiresOn"].as_str().expect("expiresOn");
    assert!(
        expires.ends_with("+00:00") && expires.len() == "2022-05-27T07:59:25.9595888+00:00".len(),
        "{expires}"
    );
    let token = v["accessToken"]["token"].as_str().expect("token");
    // The payload decodes with the standard alphabet (as the Python SDK does).
    let payload = token.split('.').nth(1).expect("payload");
    assert!(!payload.contains(['-', '_']));
    let padded = format!("{payload}{}", "=".repeat((4 - payload.len() % 4) % 4));
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(padded)
            .expect("b64"),
    )
    .expect("json");
    assert_eq!(
        claims["skypeid"].as_str(),
        v["identity"]["id"]
            .as_str()
            .and_then(|i| i.strip_prefix("8:"))
    );
    assert_eq!(claims["acsScope"], "chat");
    assert_eq!(claims["scp"], 1792);
    let (iat, exp) = (
        claims["iat"].as_i64().unwrap_or(0),
        claims["exp"].as_i64().unwrap_or(0),
    );
    assert_eq!(exp - iat, 3600);
    assert_eq!(claims["csi"].as_str(), Some(iat.to_string().as_str()));
}

#[tokio::test]
async fn token_lifetime_and_scope_validation() {
    let env = Env::start().await;
    for minutes in [59, 1441] {
        let r = env
            .signed(
                Method::POST,
                &format!("/identities?{IDENTITY}"),
                Some(json!({"createTokenWithScopes": ["chat"], "expiresInMinutes": minutes})),
            )
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let v: Value = r.json().await.expect("json");
        assert!(v["error"]["code"].is_string());
    }
    let user = env.user().await;
    let path = format!("/identities/{}/:issueAccessToken?{IDENTITY}", enc(&user.id));
    assert_eq!(
        env.signed(Method::POST, &path, Some(json!({"scopes": ["bogus"]})))
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        env.signed(Method::POST, &path, Some(json!({"scopes": []})))
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        env.signed(Method::POST, &path, Some(json!({"scopes": "chat"})))
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    let r = env
        .signed(
            Method::POST,
            &path,
            Some(json!({"scopes": ["chat", "voip"], "expiresInMinutes": 1440})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    assert!(v["token"].is_string() && v["expiresOn"].is_string());
    // A voip-only token cannot use chat.
    let r = env
        .signed(Method::POST, &path, Some(json!({"scopes": ["voip"]})))
        .await;
    let voip: Value = r.json().await.expect("json");
    let r = env
        .chat(
            Method::GET,
            "/chat/threads",
            voip["token"].as_str().unwrap_or_default(),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn revoke_then_reissue_and_delete_user() {
    let env = Env::start().await;
    let user = env.user().await;
    assert_eq!(
        env.chat(Method::GET, "/chat/threads", &user.token, None)
            .await
            .status(),
        StatusCode::OK
    );
    let revoke = format!(
        "/identities/{}/:revokeAccessTokens?{IDENTITY}",
        enc(&user.id)
    );
    assert_eq!(
        env.signed(Method::POST, &revoke, None).await.status(),
        StatusCode::NO_CONTENT
    );
    let r = env
        .chat(Method::GET, "/chat/threads", &user.token, None)
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.text().await.unwrap_or_default(),
        "",
        "chat 401 has an empty body"
    );
    // Reissued within the same second still works.
    let issue = format!("/identities/{}/:issueAccessToken?{IDENTITY}", enc(&user.id));
    let v: Value = env
        .signed(Method::POST, &issue, Some(json!({"scopes": ["chat"]})))
        .await
        .json()
        .await
        .expect("json");
    let fresh = v["token"].as_str().expect("token").to_owned();
    assert_eq!(
        env.chat(Method::GET, "/chat/threads", &fresh, None)
            .await
            .status(),
        StatusCode::OK
    );

    let get = format!("/identities/{}?{IDENTITY}", enc(&user.id));
    let r = env.signed(Method::GET, &get, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["id"].as_str(), Some(user.id.as_str()));

    assert_eq!(
        env.signed(Method::DELETE, &get, None).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        env.chat(Method::GET, "/chat/threads", &fresh, None)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        env.signed(Method::GET, &get, None).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        env.signed(Method::POST, &issue, Some(json!({"scopes": ["chat"]})))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let unknown = format!(
        "/identities/{}?{IDENTITY}",
        enc("8:acs:00000000-1111-2222-3333-444444444444_x")
    );
    assert_eq!(
        env.signed(Method::DELETE, &unknown, None).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn hmac_rejections() {
    let env = Env::start().await;
    let path = format!("/identities?{IDENTITY}");
    let now = http_date::format(time::OffsetDateTime::now_utc());
    let key = env.key.clone();
    let ok = env
        .signed_with(Method::POST, &path, b"", &key, &now, None)
        .await;
    assert_eq!(ok.status(), StatusCode::CREATED);
    // Wrong key.
    let r = env
        .signed_with(Method::POST, &path, b"", b"some other key", &now, None)
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let v: Value = r.json().await.expect("identity errors have a body");
    assert_eq!(v["error"]["code"], "Unauthorized");
    // Stale date.
    let stale = http_date::format(time::OffsetDateTime::now_utc() - time::Duration::minutes(20));
    assert_eq!(
        env.signed_with(Method::POST, &path, b"", &key, &stale, None)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // Body hash does not match the body.
    let wrong = acs_chat::wire::signing::content_hash(b"{}");
    assert_eq!(
        env.signed_with(Method::POST, &path, b"", &key, &now, Some(&wrong))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // Signature for another path, sent to this one.
    let host = env.host();
    let hash = acs_chat::wire::signing::content_hash(b"");
    let s = acs_chat::wire::signing::string_to_sign(
        "POST",
        "/identities?api-version=2022-06-01",
        &now,
        &host,
        &hash,
    );
    let auth = acs_chat::wire::signing::authorization_header(&acs_chat::wire::signing::signature(
        &key, &s,
    ));
    let r = env
        .client
        .post(format!("{}{path}", env.base))
        .header("x-ms-date", &now)
        .header("x-ms-content-sha256", &hash)
        .header("authorization", auth)
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // No auth at all.
    assert_eq!(
        env.client
            .post(format!("{}{path}", env.base))
            .send()
            .await
            .expect("sent")
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn api_versions() {
    let env = Env::start().await;
    for v in [
        "2021-03-07",
        "2022-06-01",
        "2023-10-01",
        "2025-06-30",
        "2026-09-23",
    ] {
        assert_eq!(
            env.signed(Method::POST, &format!("/identities?api-version={v}"), None)
                .await
                .status(),
            StatusCode::CREATED,
            "{v}"
        );
    }
    let r = env.signed(Method::POST, "/identities", None).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["error"]["code"], "MissingApiVersionParameter");
    let r = env
        .signed(Method::POST, "/identities?api-version=1999-01-01", None)
        .await;
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["error"]["code"], "UnsupportedApiVersion");
}

#[tokio::test]
async fn health_and_signed_shutdown() {
    let env = Env::start().await;
    let r = env
        .client
        .get(format!("{}/emulator/health", env.base))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["status"], "ok");
    assert_eq!(v["name"], "acs-chat-emulator");
    // Unsigned shutdown is refused.
    let r = env
        .client
        .post(format!("{}/emulator/shutdown", env.base))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = env.signed(Method::POST, "/emulator/shutdown", None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let Env {
        emu, client, base, ..
    } = env;
    tokio::time::timeout(std::time::Duration::from_secs(10), emu.wait())
        .await
        .expect("stops after a shutdown request");
    assert!(
        client
            .get(format!("{base}/emulator/health"))
            .send()
            .await
            .is_err(),
        "no longer listening"
    );
}
