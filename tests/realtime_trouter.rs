//! Allocation, the socket.io socket and the registrar, spoken as the official
//! Trouter client speaks them (over plain http, so a plain WebSocket client will do).

mod common;

use acs_chat::emulator::EmulatorConfig;
use common::{Env, User, enc};
use futures::{SinkExt as _, StreamExt as _};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn http_env() -> Env {
    Env::start_with(EmulatorConfig {
        tls: false,
        ..EmulatorConfig::for_tests()
    })
    .await
}

async fn allocate(env: &Env, token: &str, extra: &str) -> reqwest::Response {
    env.client
        .post(format!(
            "{}/v4/a?cor_id=c&con_num=1_1&epid=e{extra}",
            env.base
        ))
        .header("x-skypetoken", token)
        .header("content-type", "text/plain")
        .send()
        .await
        .expect("sent")
}

fn params(alloc: &Value) -> String {
    let p = &alloc["connectparams"];
    format!(
        "sr={}&se={}&sig={}",
        p["sr"].as_str().unwrap_or(""),
        p["se"].as_str().unwrap_or(""),
        p["sig"].as_str().unwrap_or("")
    )
}

/// Allocation, handshake, socket; returns the socket after `trouter.connected`.
async fn connect(env: &Env, user: &User) -> Ws {
    let r = allocate(env, &user.token, "").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(header_is_json(&r));
    let alloc: Value = r.json().await.expect("json");
    assert_eq!(alloc["socketio"], format!("{}/", env.base));
    let hs = env
        .client
        .get(format!(
            "{}/socket.io/1/?{}&v=v4&auth=true&t=1",
            env.base,
            params(&alloc)
        ))
        .header("x-skypetoken", &user.token)
        .send()
        .await
        .expect("sent");
    assert_eq!(hs.status(), StatusCode::OK);
    let text = hs.text().await.expect("text");
    let parts: Vec<&str> = text.split(':').collect();
    assert_eq!(parts.len(), 4, "{text}");
    assert_eq!(parts[3], "websocket");
    let url = format!(
        "ws://{}/socket.io/1/websocket/{}?{}",
        env.host(),
        parts[0],
        params(&alloc)
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.expect("ws");
    assert_eq!(next_text(&mut ws).await, "1::");
    let connected = next_text(&mut ws).await;
    let v: Value = serde_json::from_str(connected.trim_start_matches("5:::")).expect("event");
    assert_eq!(v["name"], "trouter.connected");
    assert!(v["args"][0]["ttl"].as_i64().is_some_and(|t| t > 0));
    ws
}

fn header_is_json(r: &reqwest::Response) -> bool {
    r.headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c == "application/json" || c.starts_with("application/json;"))
}

async fn next_text(ws: &mut Ws) -> String {
    loop {
        let msg = tokio::time::timeout(std::time::Duration::from_secs(10), ws.next())
            .await
            .expect("a frame within 10 s")
            .expect("socket open")
            .expect("frame");
        if let Message::Text(t) = msg {
            return t.to_string();
        }
    }
}

/// The next pushed event's body, answering the request as the client does.
async fn next_event(ws: &mut Ws) -> Value {
    loop {
        let frame = next_text(ws).await;
        if frame == "2::" {
            continue;
        }
        let req: Value = serde_json::from_str(frame.trim_start_matches("3:::")).expect("request");
        let reply = json!({"id": req["id"], "status": 200, "headers": {}, "body": ""});
        ws.send(Message::text(format!("3:::{reply}")))
            .await
            .expect("reply");
        return serde_json::from_str(req["body"].as_str().expect("body string"))
            .expect("body json");
    }
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
    let revoke = env
        .signed(
            Method::POST,
            &format!(
                "/identities/{}/:revokeAccessTokens?{}",
                enc(&bob.id),
                common::IDENTITY
            ),
            None,
        )
        .await;
    assert_eq!(revoke.status(), StatusCode::NO_CONTENT);
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
    let stolen = env
        .client
        .delete(format!("{}/v3/registrations/reg-1", env.base))
        .header("x-skypetoken", &other.token)
        .send()
        .await
        .expect("sent");
    assert_eq!(stolen.status(), StatusCode::NOT_FOUND);
    let gone = env
        .client
        .delete(format!("{}/v3/registrations/reg-1", env.base))
        .header("x-skypetoken", &bob.token)
        .send()
        .await
        .expect("sent");
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
