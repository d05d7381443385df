//! Allocation, the socket.io socket and the registrar, spoken as the official
//! Trouter client speaks them (over plain http, so a plain WebSocket client will do).

mod common;
mod push_common;
mod realtime_common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use acs_chat::acs::realtime::{PushOptions, PushState, Update};
use acs_chat::acs::{AccessToken, TokenCredential};
use common::enc;
use futures::{FutureExt as _, SinkExt as _, StreamExt as _};
use realtime_common::{allocate, connect, http_env, next_event, next_text, params, raw_exchange};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

async fn unregister(env: &common::Env, id: &str, token: &str) -> reqwest::Response {
    env.client
        .delete(format!("{}/v3/registrations/{id}", env.base))
        .header("x-skypetoken", token)
        .send()
        .await
        .expect("sent")
}

async fn revoke(env: &common::Env, user: &common::User) {
    let path = format!(
        "/identities/{}/:revokeAccessTokens?{}",
        enc(&user.id),
        common::IDENTITY
    );
    let r = env.signed(Method::POST, &path, None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn messages_and_typing_reach_connected_participants_only() {
    let env = http_env().await;
    let (alice, bob, carol) = (env.user().await, env.user().await, env.user().await);
    let thread = env.thread(&alice, "push", &[&bob]).await;
    let other = env.thread(&alice, "carol's", &[&carol]).await;
    let mut bob_ws = connect(&env, &bob).await;
    let mut carol_ws = connect(&env, &carol).await;
    let id = env.send(&alice, &thread, "hello push").await;
    let e = next_event(&mut bob_ws).await;
    let rest = env
        .get_json(
            &format!("/chat/threads/{}/messages/{id}", enc(&thread)),
            &bob.token,
        )
        .await;
    assert_eq!(e["eventId"], 200);
    assert_eq!(e["groupId"], thread.as_str());
    assert_eq!(e["messageId"], rest["id"]);
    assert_eq!(e["senderId"], alice.id.as_str());
    assert_eq!(e["recipientMri"], bob.id.as_str());
    assert_eq!(e["messageBody"], rest["content"]["message"]);
    assert_eq!(e["version"], rest["version"]);
    assert_eq!(e["messageType"], rest["type"]);
    assert_eq!(e["originalArrivalTime"], rest["createdOn"]);
    // Typing goes to the other member; carol's first event is the one of her thread,
    // so the message above never reached her.
    let r = env
        .chat(
            Method::POST,
            &format!("/chat/threads/{}/typing", enc(&thread)),
            &alice.token,
            Some(json!({"senderDisplayName": "Alice"})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let t = next_event(&mut bob_ws).await;
    assert_eq!(t["eventId"], 245);
    assert_eq!(t["senderDisplayName"], "Alice");
    assert_eq!(t["groupId"], thread.as_str());
    env.send(&alice, &other, "for carol").await;
    let c = next_event(&mut carol_ws).await;
    assert_eq!(c["groupId"], other.as_str());
    assert_eq!(c["messageBody"], "for carol");
}

#[tokio::test]
async fn pings_and_user_activity_are_acked() {
    let env = http_env().await;
    let bob = env.user().await;
    let mut ws = connect(&env, &bob).await;
    ws.send(Message::text(
        r#"5:1+::{"name":"user.activity","args":[{"state":"active","cv":"x.1"}]}"#,
    ))
    .await
    .expect("sent");
    assert_eq!(next_text(&mut ws).await, "6:::1");
    ws.send(Message::text(r#"5:2+::{"name":"ping"}"#))
        .await
        .expect("sent");
    assert_eq!(next_text(&mut ws).await, "6:::2");
}

#[tokio::test]
async fn bad_tokens_and_sessions_are_refused() {
    let env = http_env().await;
    let bob = env.user().await;
    assert_eq!(
        allocate(&env, "", "").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let forged = format!("{}x", bob.token);
    assert_eq!(
        allocate(&env, &forged, "").await.status(),
        StatusCode::UNAUTHORIZED
    );
    // A revoked token is refused too.
    revoke(&env, &bob).await;
    assert_eq!(
        allocate(&env, &bob.token, "").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let carol = env.user().await;
    let hs = env
        .client
        .get(format!(
            "{}/socket.io/1/?sr=x&se=99999999999999&sig=nope",
            env.base
        ))
        .header("x-skypetoken", &carol.token)
        .send()
        .await
        .expect("sent");
    assert_eq!(hs.status(), StatusCode::BAD_REQUEST);
    let unknown = format!("ws://{}/socket.io/1/websocket/nosuchsession", env.host());
    assert!(tokio_tungstenite::connect_async(unknown).await.is_err());
}

#[tokio::test]
async fn reconnecting_with_the_connect_parameters_keeps_the_connection() {
    let env = http_env().await;
    let bob = env.user().await;
    let first: Value = allocate(&env, &bob.token, "")
        .await
        .json()
        .await
        .expect("json");
    let again: Value = allocate(&env, &bob.token, &format!("&{}&v=v4", params(&first)))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(first["id"], again["id"]);
    assert_eq!(first["surl"], again["surl"]);
    let tampered = params(&first).replace("sig=", "sig=x");
    let fresh: Value = allocate(&env, &bob.token, &format!("&{tampered}"))
        .await
        .json()
        .await
        .expect("json");
    assert_ne!(first["id"], fresh["id"]);
}

#[tokio::test]
async fn registrations_are_made_renewed_and_deleted() {
    let env = http_env().await;
    let bob = env.user().await;
    let body = json!({
        "clientDescription": {"appId": "AcsWeb", "aesKey": "", "languageId": "en-US", "platform": "SPOOL", "templateKey": "AcsWeb_Chat_2.1", "platformUIVersion": "0.0.0"},
        "registrationId": "reg-1",
        "nodeId": "",
        "transports": {"TROUTER": [{"context": "", "path": "http://x/v4/f/abc/", "ttl": 7200}]}
    });
    for _ in 0..2 {
        let r = env
            .client
            .post(format!("{}/v3/registrations", env.base))
            .header("x-skypetoken", &bob.token)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("sent");
        assert_eq!(r.status(), StatusCode::ACCEPTED);
    }
    let other = env.user().await;
    let stolen = unregister(&env, "reg-1", &other.token).await;
    assert_eq!(stolen.status(), StatusCode::NOT_FOUND);
    let gone = unregister(&env, "reg-1", &bob.token).await;
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    let bad = env
        .client
        .post(format!("{}/v3/registrations", env.base))
        .header("x-skypetoken", &bob.token)
        .body("{}")
        .send()
        .await
        .expect("sent");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn revoking_tokens_ends_the_socket_as_unauthorized() {
    let env = http_env().await;
    let bob = env.user().await;
    let mut ws = connect(&env, &bob).await;
    revoke(&env, &bob).await;
    let last = next_text(&mut ws).await;
    let reason: Value = serde_json::from_str(last.trim_start_matches("0:::")).expect("reason");
    assert!(last.starts_with("0:::"), "{last}");
    assert_eq!(reason["reason"], "unauthorized");
}

#[tokio::test]
async fn one_user_holds_a_bounded_number_of_sockets() {
    let env = http_env().await;
    let bob = env.user().await;
    let mut held = Vec::new();
    for _ in 0..100 {
        held.push(connect(&env, &bob).await);
    }
    let url = realtime_common::socket_url(&env, &bob).await;
    assert!(tokio_tungstenite::connect_async(url).await.is_err());
    // Another user is not affected.
    let carol = env.user().await;
    connect(&env, &carol).await;
}

/// A token of `user`'s that expires after `secs`, and when (epoch seconds).
async fn short_token(env: &common::Env, user: &common::User, secs: u32) -> (String, i64) {
    let token = env
        .emu
        .issue_token_for_tests(&user.id, secs)
        .await
        .expect("a short token");
    let exp = acs_chat::acs::jwt_expiry(&token)
        .expect("exp")
        .unix_timestamp();
    (token, exp)
}

#[tokio::test]
async fn a_token_that_expires_ends_its_socket_as_unauthorized_at_expiry() {
    let env = http_env().await;
    let bob = env.user().await;
    let (token, exp) = short_token(&env, &bob, 4).await;
    let short = common::User {
        id: bob.id.clone(),
        token,
    };
    let mut ws = connect(&env, &short).await;
    // Nothing else comes before the first heartbeat (20 s), so the next frame is the
    // end, and it comes once the token is no longer good.
    let last = next_text(&mut ws).await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!(last.starts_with("0:::"), "{last}");
    let reason: Value = serde_json::from_str(last.trim_start_matches("0:::")).expect("reason");
    assert_eq!(reason["reason"], "unauthorized");
    assert!(now >= exp, "ended at {now}, before the token's exp {exp}");
    assert!(now <= exp + 2, "ended at {now}, long after exp {exp}");
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match ws.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the socket stays open after unauthorized");
}

#[tokio::test]
async fn the_client_whose_token_expires_gets_a_fresh_one_and_is_live_again() {
    let env = common::Env::start().await;
    let (alice, bob) = (env.user().await, env.user().await);
    let thread = env.thread(&alice, "expiry", &[&bob]).await;
    let (short, exp) = short_token(&env, &bob, 5).await;
    // The credential's source hands out the short token while it is good, then a
    // fresh one (bob's hour-long token), as a refresh through Identity would.
    let fresh_given = Arc::new(AtomicUsize::new(0));
    let credential = {
        let (short, fresh, given) = (short.clone(), bob.token.clone(), fresh_given.clone());
        TokenCredential::refreshing(
            Some(AccessToken::from_jwt(short.clone()).expect("short token")),
            move || {
                let expired = time::OffsetDateTime::now_utc().unix_timestamp() >= exp;
                let next = if expired {
                    given.fetch_add(1, Ordering::SeqCst);
                    fresh.clone()
                } else {
                    short.clone()
                };
                async move { AccessToken::from_jwt(next) }.boxed()
            },
        )
    };
    let mut push = push_common::push_with(
        &env.emu.endpoint,
        env.emu.cert_pem.clone(),
        credential,
        PushOptions::default(),
    );
    push_common::until_live(&mut push).await;
    assert_eq!(
        fresh_given.load(Ordering::SeqCst),
        0,
        "live on the short token"
    );
    // The expiry ends the connection as unauthorized; the client reconnects with a
    // fresh token (the expired one would be refused at allocation).
    let down = loop {
        match push_common::next(&mut push, 10).await {
            Update::State(PushState::Down { reason, .. }) => break reason,
            Update::State(PushState::Live) => {}
            other => panic!("expected the connection to end, got {other:?}"),
        }
    };
    assert!(down.contains("unauthorized"), "{down}");
    push_common::until_live(&mut push).await;
    assert!(
        fresh_given.load(Ordering::SeqCst) >= 1,
        "no fresh token asked for"
    );
    env.send(&alice, &thread, "after the refresh").await;
    let e = push_common::next_event(&mut push).await;
    assert!(
        matches!(e, acs_chat::acs::realtime::ChatEvent::MessageReceived(_)),
        "{e:?}"
    );
    assert_eq!(e.thread_id(), thread);
}

fn registration(id: &str) -> String {
    json!({
        "clientDescription": {"appId": "AcsWeb", "platform": "SPOOL", "templateKey": "AcsWeb_Chat_2.1"},
        "registrationId": id,
        "nodeId": "",
        "transports": {"TROUTER": [{"context": "", "path": "http://x/v4/f/abc/", "ttl": 7200}]}
    })
    .to_string()
}

#[tokio::test]
async fn every_realtime_route_refuses_a_foreign_host() {
    let env = http_env().await;
    let bob = env.user().await;
    let port = env.emu.addr.port();
    let own = format!("127.0.0.1:{port}");
    let foreign = format!("evil.example:{port}");
    let bearer = format!("Bearer {}", bob.token);
    let alloc: Value = allocate(&env, &bob.token, "")
        .await
        .json()
        .await
        .expect("json");
    let handshake = format!("/socket.io/1/?{}&v=v4&auth=true", params(&alloc));
    let sid = env
        .client
        .get(format!("{}{handshake}", env.base))
        .header("x-skypetoken", &bob.token)
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("text");
    let sid = sid.split(':').next().unwrap_or_default().to_owned();
    let websocket = format!("/socket.io/1/websocket/{sid}?{}", params(&alloc));
    let skype = [("X-Skypetoken", bob.token.as_str())];
    let upgrade = [
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Version", "13"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ];
    let json = [
        ("X-Skypetoken", bob.token.as_str()),
        ("Content-Type", "application/json"),
    ];
    let body = registration("reg-host");
    // Each request, refused for a foreign Host, then answered for the emulator's own
    // (so the refusal is the Host's doing; the session id is not spent by a refusal).
    type Case<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)], &'a str, u16);
    let cases: [Case; 6] = [
        (
            "GET",
            "/chat/config/realTimeNotifications?api-version=2024-09-01",
            &[("Authorization", bearer.as_str())],
            "",
            200,
        ),
        ("POST", "/v4/a?cor_id=c&con_num=1_1&epid=e", &skype, "", 200),
        ("GET", &handshake, &skype, "", 200),
        ("GET", &websocket, &upgrade, "", 101),
        ("POST", "/v3/registrations", &json, &body, 202),
        ("DELETE", "/v3/registrations/reg-host", &skype, "", 204),
    ];
    for (method, path, headers, body, good) in cases {
        let (status, head, text) = raw_exchange(port, method, path, &foreign, headers, body).await;
        assert_eq!(status, 421, "{method} {path}: {head}");
        assert!(head.contains("\r\nms-cv: "), "{method} {path}: {head}");
        let v: Value = serde_json::from_str(&text).expect("error body is JSON");
        assert_eq!(v["CommunicationError"]["Code"], "MisdirectedRequest");
        let (status, head, _) = raw_exchange(port, method, path, &own, headers, body).await;
        assert_eq!(status, good, "{method} {path}: {head}");
    }
}

#[tokio::test]
async fn realtime_errors_have_the_emulators_one_shape_and_headers() {
    let env = http_env().await;
    let bob = env.user().await;
    let gone = unregister(&env, "nosuch", &bob.token).await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    assert!(gone.headers().contains_key("ms-cv"));
    assert!(gone.headers().contains_key("x-processing-time"));
    let (status, code, _) = common::chat_error(gone).await;
    assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "NotFound"));
    // A refused token: the Chat 401, with no body, so the client fetches a fresh one.
    let refused = allocate(&env, "", "").await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(refused.headers().contains_key("ms-cv"));
    assert_eq!(refused.text().await.expect("text"), "");
    // Successes carry the service's headers too.
    let ok = allocate(&env, &bob.token, "").await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert!(ok.headers().contains_key("ms-cv"));
}
