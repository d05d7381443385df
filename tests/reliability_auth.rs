//! Auth refusals the emulator tests elsewhere do not cover: validly signed tokens
//! that are expired, for another resource, or for a user that does not exist;
//! Identity requests dated in the future; and a participant of one thread touching
//! every route of another thread (403, and nothing changes). Tokens are minted
//! with the database's own secret, read from the data directory, so only the claim
//! under test is wrong.

mod common;

use acs_chat::emulator::EmulatorConfig;
use acs_chat::emulator::auth::jwt::{Claims, mint};
use acs_chat::local;
use acs_chat::wire::http_date;
use common::{CHAT, Env, IDENTITY, chat_error, enc};
use reqwest::{Method, StatusCode};
use serde_json::json;

fn secret(dir: &std::path::Path) -> Vec<u8> {
    let conn = rusqlite::Connection::open(dir.join("emulator.db")).expect("open db");
    conn.query_row("SELECT value FROM meta WHERE key = 'jwt_secret'", [], |r| {
        r.get(0)
    })
    .expect("secret")
}

#[tokio::test]
async fn validly_signed_tokens_with_one_bad_claim_are_401() {
    let dir = tempfile::tempdir().expect("tempdir");
    let env = Env::start_with(EmulatorConfig {
        data_dir: Some(dir.path().to_owned()),
        ..EmulatorConfig::for_tests()
    })
    .await;
    let alice = env.user().await;
    let key = secret(dir.path());
    let now_ms = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    let chat = vec!["chat".to_owned()];
    // Control: a token minted the same way works, so each refusal is about its claim.
    let good = mint(
        &Claims::new(&alice.id, &chat, local::RESOURCE_ID, now_ms, 3600),
        &key,
    );
    assert_eq!(
        env.chat(Method::GET, "/chat/threads", &good, None)
            .await
            .status(),
        StatusCode::OK
    );

    let expired = mint(
        &Claims::new(
            &alice.id,
            &chat,
            local::RESOURCE_ID,
            now_ms - 7_200_000,
            3600,
        ),
        &key,
    );
    let other_resource = mint(
        &Claims::new(
            &alice.id,
            &chat,
            "00000000-0000-0000-0000-000000000000",
            now_ms,
            3600,
        ),
        &key,
    );
    let nobody = mint(
        &Claims::new(
            "8:acs:00000000-0000-0000-0000-000000000000_00000000-0000-0000-0000-000000000000",
            &chat,
            local::RESOURCE_ID,
            now_ms,
            3600,
        ),
        &key,
    );
    let no_chat_scope = mint(
        &Claims::new(
            &alice.id,
            &["voip".to_owned()],
            local::RESOURCE_ID,
            now_ms,
            3600,
        ),
        &key,
    );
    let wrong_key = mint(
        &Claims::new(&alice.id, &chat, local::RESOURCE_ID, now_ms, 3600),
        b"not the secret",
    );
    for (what, token) in [
        ("expired", &expired),
        ("other resource", &other_resource),
        ("unknown user", &nobody),
        ("wrong key", &wrong_key),
    ] {
        let r = env.chat(Method::GET, "/chat/threads", token, None).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{what}");
        assert_eq!(
            r.text().await.unwrap_or_default(),
            "",
            "{what}: chat 401 has no body"
        );
    }
    let s = env
        .chat(Method::GET, "/chat/threads", &no_chat_scope, None)
        .await
        .status();
    assert!(
        s == StatusCode::UNAUTHORIZED || s == StatusCode::FORBIDDEN,
        "a token without the chat scope: {s}"
    );

    // A deleted user's still-unexpired token.
    let del = format!("/identities/{}?{IDENTITY}", enc(&alice.id));
    assert_eq!(
        env.signed(Method::DELETE, &del, None).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        env.chat(Method::GET, "/chat/threads", &good, None)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn identity_requests_dated_in_the_future_are_401() {
    let env = Env::start().await;
    let path = format!("/identities?{IDENTITY}");
    let key = env.key.clone();
    let future = http_date::format(time::OffsetDateTime::now_utc() + time::Duration::minutes(20));
    let r = env
        .signed_with(Method::POST, &path, b"", &key, &future, None)
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let garbage_date = env
        .signed_with(Method::POST, &path, b"", &key, "yesterday", None)
        .await;
    assert_eq!(garbage_date.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_participant_of_one_thread_cannot_touch_another() {
    let env = Env::start().await;
    let (alice, bob, eve) = (env.user().await, env.user().await, env.user().await);
    let theirs = env.thread(&alice, "alice and bob", &[&bob]).await;
    let _own = env.thread(&eve, "eve's", &[]).await;
    let msg = env.send(&alice, &theirs, "private").await;
    let before = env.all_messages(&alice, &theirs, 50).await;
    let t = enc(&theirs);
    let ident = json!({"rawId": eve.id, "communicationUser": {"id": eve.id}});
    let calls: Vec<(Method, String, Option<serde_json::Value>)> = vec![
        (Method::GET, format!("/chat/threads/{t}"), None),
        (
            Method::PATCH,
            format!("/chat/threads/{t}"),
            Some(json!({"topic": "pwned"})),
        ),
        (Method::DELETE, format!("/chat/threads/{t}"), None),
        (Method::GET, format!("/chat/threads/{t}/messages"), None),
        (
            Method::POST,
            format!("/chat/threads/{t}/messages"),
            Some(json!({"content": "hi"})),
        ),
        (
            Method::GET,
            format!("/chat/threads/{t}/messages/{msg}"),
            None,
        ),
        (
            Method::PATCH,
            format!("/chat/threads/{t}/messages/{msg}"),
            Some(json!({"content": "edited"})),
        ),
        (
            Method::DELETE,
            format!("/chat/threads/{t}/messages/{msg}"),
            None,
        ),
        (Method::GET, format!("/chat/threads/{t}/participants"), None),
        (
            Method::POST,
            format!("/chat/threads/{t}/participants/:add"),
            Some(json!({"participants": [{"communicationIdentifier": ident}]})),
        ),
        (
            Method::POST,
            format!("/chat/threads/{t}/participants/:remove"),
            Some(json!({"rawId": bob.id, "communicationUser": {"id": bob.id}})),
        ),
        (
            Method::POST,
            format!("/chat/threads/{t}/typing"),
            Some(json!({})),
        ),
        (Method::GET, format!("/chat/threads/{t}/readReceipts"), None),
        (
            Method::POST,
            format!("/chat/threads/{t}/readReceipts"),
            Some(json!({"chatMessageId": msg})),
        ),
    ];
    for (method, path, body) in calls {
        let (status, code, _) =
            chat_error(env.chat(method.clone(), &path, &eve.token, body).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}");
        assert!(!code.is_empty(), "{method} {path}: error body");
    }
    // Nothing changed, and eve's listing does not show their thread.
    assert_eq!(env.all_messages(&alice, &theirs, 50).await, before);
    let listed: serde_json::Value = env
        .chat(Method::GET, "/chat/threads", &eve.token, None)
        .await
        .json()
        .await
        .expect("json");
    assert!(
        !listed.to_string().contains(&theirs),
        "eve lists a thread she is not in"
    );
    // Bob (a participant, not the sender) may read but not edit or delete alice's message.
    let one = format!("/chat/threads/{t}/messages/{msg}");
    assert_eq!(
        env.chat(Method::GET, &one, &bob.token, None).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        env.chat(
            Method::PATCH,
            &one,
            &bob.token,
            Some(json!({"content": "x"}))
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        env.chat(Method::DELETE, &one, &bob.token, None)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let _ = CHAT;
}
