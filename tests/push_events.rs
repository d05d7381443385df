//! The `acs` push client against the real emulator over TLS: every kind of chat
//! event arrives typed, with the values REST shows.

mod common;
mod push_common;

use acs_chat::acs::realtime::ChatEvent;
use common::{Env, enc, ident};
use push_common::{next_event, push_for, until_live};
use reqwest::Method;
use serde_json::json;

async fn ok(env: &Env, method: Method, path: &str, token: &str, body: Option<serde_json::Value>) {
    let r = env.chat(method, path, token, body).await;
    assert!(r.status().is_success(), "{path}: {}", r.status());
}

#[tokio::test]
async fn every_chat_event_arrives_typed() {
    let env = Env::start().await;
    let (alice, bob, carol) = (env.user().await, env.user().await, env.user().await);
    let mut push = push_for(&env, &bob);
    until_live(&mut push).await;

    let thread = env.thread(&alice, "pushed", &[&bob]).await;
    let ChatEvent::ThreadCreated(t) = next_event(&mut push).await else {
        panic!("not a created thread");
    };
    assert_eq!(
        (t.thread_id.as_str(), t.topic.as_str()),
        (thread.as_str(), "pushed")
    );
    assert_eq!(t.created_by.id, alice.id);
    assert_eq!(t.participants.len(), 2);

    let msgs = format!("/chat/threads/{}/messages", enc(&thread));
    let id = env.send(&alice, &thread, "hello by push").await;
    let rest = env.get_json(&format!("{msgs}/{id}"), &bob.token).await;
    let ChatEvent::MessageReceived(m) = next_event(&mut push).await else {
        panic!("not a message");
    };
    assert_eq!(m.info.message_id, id);
    assert_eq!(m.info.thread_id, thread);
    assert_eq!(m.info.sender_id, alice.id);
    assert_eq!(m.content, "hello by push");
    assert_eq!(m.info.version, rest["version"].as_str().expect("version"));

    ok(
        &env,
        Method::PATCH,
        &format!("{msgs}/{id}"),
        &alice.token,
        Some(json!({"content": "edited"})),
    )
    .await;
    let ChatEvent::MessageEdited(e) = next_event(&mut push).await else {
        panic!("not an edit");
    };
    assert_eq!(
        (e.content.as_str(), e.edited_on.is_some()),
        ("edited", true)
    );

    ok(
        &env,
        Method::DELETE,
        &format!("{msgs}/{id}"),
        &alice.token,
        None,
    )
    .await;
    let ChatEvent::MessageDeleted(d) = next_event(&mut push).await else {
        panic!("not a delete");
    };
    assert_eq!(d.info.message_id, id);

    let typing = format!("/chat/threads/{}/typing", enc(&thread));
    ok(
        &env,
        Method::POST,
        &typing,
        &alice.token,
        Some(json!({"senderDisplayName": "Alice"})),
    )
    .await;
    let ChatEvent::Typing(t) = next_event(&mut push).await else {
        panic!("not typing");
    };
    assert_eq!(
        (t.sender_id.as_str(), t.sender_display_name.as_str()),
        (alice.id.as_str(), "Alice")
    );

    let kept = env.send(&alice, &thread, "kept").await;
    next_event(&mut push).await;
    let receipts = format!("/chat/threads/{}/readReceipts", enc(&thread));
    ok(
        &env,
        Method::POST,
        &receipts,
        &alice.token,
        Some(json!({"chatMessageId": kept})),
    )
    .await;
    let ChatEvent::ReadReceipt(r) = next_event(&mut push).await else {
        panic!("not a receipt");
    };
    assert_eq!(
        (r.message_id.as_str(), r.sender_id.as_str()),
        (kept.as_str(), alice.id.as_str())
    );

    let path = format!("/chat/threads/{}", enc(&thread));
    ok(
        &env,
        Method::PATCH,
        &path,
        &alice.token,
        Some(json!({"topic": "renamed 50%"})),
    )
    .await;
    let ChatEvent::ThreadUpdated(u) = next_event(&mut push).await else {
        panic!("not an update");
    };
    assert_eq!(u.topic, "renamed 50%");

    let add = json!({"participants": [{"communicationIdentifier": ident(&carol.id), "displayName": "Carol"}]});
    ok(
        &env,
        Method::POST,
        &format!("{path}/participants/:add"),
        &alice.token,
        Some(add),
    )
    .await;
    let ChatEvent::ParticipantsAdded(a) = next_event(&mut push).await else {
        panic!("not an addition");
    };
    assert_eq!(
        (
            a.participants[0].id.as_str(),
            a.participants[0].display_name.as_str()
        ),
        (carol.id.as_str(), "Carol")
    );

    ok(
        &env,
        Method::POST,
        &format!("{path}/participants/:remove"),
        &alice.token,
        Some(ident(&carol.id)),
    )
    .await;
    let ChatEvent::ParticipantsRemoved(p) = next_event(&mut push).await else {
        panic!("not a removal");
    };
    assert_eq!(p.participants[0].id, carol.id);

    ok(&env, Method::DELETE, &path, &alice.token, None).await;
    let ChatEvent::ThreadDeleted(d) = next_event(&mut push).await else {
        panic!("not a thread deletion");
    };
    assert_eq!(d.thread_id, thread);
    assert_eq!(d.deleted_by.map(|p| p.id), Some(alice.id.clone()));
    push.stop().await;
}
