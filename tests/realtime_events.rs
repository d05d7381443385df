//! Every chat write pushes its event, with the fields REST shows for the same object,
//! to the thread's connected members; a removed member gets the removal, then nothing.

mod common;
mod realtime_common;

use common::{Env, User, enc};
use realtime_common::{Ws, connect, http_env, next_event};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// JavaScript's `unescape()` for what the emulator escapes (ASCII `%XX`, `%uXXXX`).
fn unescape(s: &str) -> String {
    let mut units: Vec<u16> = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && b.get(i + 1) == Some(&b'u') {
            units.push(u16::from_str_radix(&s[i + 2..i + 6], 16).expect("hex"));
            i += 6;
        } else if b[i] == b'%' {
            units.push(u16::from_str_radix(&s[i + 1..i + 3], 16).expect("hex"));
            i += 3;
        } else {
            units.push(u16::from(b[i]));
            i += 1;
        }
    }
    String::from_utf16(&units).expect("utf-16")
}

/// A nested, escaped JSON field of a thread event, parsed as the client does.
fn nested(e: &Value, key: &str) -> Value {
    serde_json::from_str(&unescape(e[key].as_str().expect("string field"))).expect("json")
}

async fn ok(env: &Env, method: Method, path: &str, user: &User, body: Option<Value>) {
    let r = env.chat(method, path, &user.token, body).await;
    assert!(r.status().is_success(), "{path}: {}", r.status());
}

async fn expect(ws: &mut Ws, event_id: u64) -> Value {
    let e = next_event(ws).await;
    assert_eq!(e["eventId"], event_id, "{e}");
    e
}

#[tokio::test]
async fn each_of_the_ten_event_kinds_carries_what_rest_shows() {
    let env = http_env().await;
    let (alice, bob, carol) = (env.user().await, env.user().await, env.user().await);
    let mut ws = connect(&env, &bob).await;

    let thread = env.thread(&alice, "Topic 50% €", &[&bob]).await;
    let e = expect(&mut ws, 257).await;
    let rest = env
        .get_json(&format!("/chat/threads/{}", enc(&thread)), &bob.token)
        .await;
    assert_eq!(e["threadId"], thread.as_str());
    assert_eq!(e["createTime"], rest["createdOn"]);
    assert_eq!(nested(&e, "properties")["topic"], "Topic 50% €");
    assert_eq!(nested(&e, "createdBy")["participantId"], alice.id.as_str());
    let members: Vec<String> = nested(&e, "members")
        .as_array()
        .expect("array")
        .iter()
        .map(|m| m["participantId"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(members, vec![alice.id.clone(), bob.id.clone()]);

    let msgs = format!("/chat/threads/{}/messages", enc(&thread));
    let id = env.send(&alice, &thread, "first").await;
    assert_eq!(expect(&mut ws, 200).await["messageId"], id.as_str());

    ok(
        &env,
        Method::PATCH,
        &format!("{msgs}/{id}"),
        &alice,
        Some(json!({"content": "edited"})),
    )
    .await;
    let e = expect(&mut ws, 247).await;
    let rest = env.get_json(&format!("{msgs}/{id}"), &bob.token).await;
    assert_eq!(e["messageBody"], "edited");
    assert_eq!(e["edittime"], rest["editedOn"]);
    assert_eq!(e["version"], rest["version"]);

    ok(&env, Method::DELETE, &format!("{msgs}/{id}"), &alice, None).await;
    let e = expect(&mut ws, 248).await;
    let rest = env.get_json(&format!("{msgs}/{id}"), &bob.token).await;
    assert_eq!(e["deletetime"], rest["deletedOn"]);
    assert_eq!(e["version"], rest["version"]);

    let kept = env.send(&alice, &thread, "kept").await;
    expect(&mut ws, 200).await;
    ok(
        &env,
        Method::POST,
        &format!("/chat/threads/{}/readReceipts", enc(&thread)),
        &alice,
        Some(json!({"chatMessageId": kept})),
    )
    .await;
    let e = expect(&mut ws, 246).await;
    let receipts = env
        .get_json(
            &format!("/chat/threads/{}/readReceipts", enc(&thread)),
            &bob.token,
        )
        .await;
    let receipt = &receipts["value"][0];
    assert_eq!(e["messageId"], receipt["chatMessageId"]);
    assert_eq!(e["senderId"], alice.id.as_str());
    let body: Value = serde_json::from_str(e["messageBody"].as_str().expect("body")).expect("json");
    let horizon = body["consumptionhorizon"].as_str().expect("horizon");
    let read_ms: i64 = horizon
        .split(';')
        .nth(1)
        .expect("ms")
        .parse()
        .expect("number");
    let rest_ms = time::OffsetDateTime::parse(
        receipt["readOn"].as_str().expect("readOn"),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("time")
    .unix_timestamp()
        * 1000;
    assert_eq!(read_ms, rest_ms);

    ok(
        &env,
        Method::POST,
        &format!("/chat/threads/{}/typing", enc(&thread)),
        &alice,
        Some(json!({"senderDisplayName": "Al"})),
    )
    .await;
    assert_eq!(expect(&mut ws, 245).await["senderId"], alice.id.as_str());

    ok(
        &env,
        Method::PATCH,
        &format!("/chat/threads/{}", enc(&thread)),
        &alice,
        Some(json!({"topic": "renamed"})),
    )
    .await;
    let e = expect(&mut ws, 258).await;
    assert_eq!(nested(&e, "properties")["topic"], "renamed");
    assert_eq!(nested(&e, "editedBy")["participantId"], alice.id.as_str());

    let add = json!({"participants": [{"communicationIdentifier": common::ident(&carol.id), "displayName": "Carol"}]});
    ok(
        &env,
        Method::POST,
        &format!("/chat/threads/{}/participants/:add", enc(&thread)),
        &alice,
        Some(add),
    )
    .await;
    let e = expect(&mut ws, 260).await;
    let added = nested(&e, "participantsAdded");
    assert_eq!(added[0]["participantId"], carol.id.as_str());
    assert_eq!(added[0]["displayName"], "Carol");

    ok(
        &env,
        Method::POST,
        &format!("/chat/threads/{}/participants/:remove", enc(&thread)),
        &alice,
        Some(common::ident(&carol.id)),
    )
    .await;
    let e = expect(&mut ws, 261).await;
    assert_eq!(
        nested(&e, "participantsRemoved")[0]["participantId"],
        carol.id.as_str()
    );

    ok(
        &env,
        Method::DELETE,
        &format!("/chat/threads/{}", enc(&thread)),
        &alice,
        None,
    )
    .await;
    let e = expect(&mut ws, 259).await;
    assert_eq!(e["threadId"], thread.as_str());
    assert_eq!(nested(&e, "deletedBy")["participantId"], alice.id.as_str());
}

#[tokio::test]
async fn a_removed_member_gets_the_removal_then_nothing_more() {
    let env = http_env().await;
    let (alice, bob) = (env.user().await, env.user().await);
    let thread = env.thread(&alice, "leaving", &[&bob]).await;
    let other = env.thread(&alice, "still here", &[&bob]).await;
    let mut ws = connect(&env, &bob).await;
    let remove = format!("/chat/threads/{}/participants/:remove", enc(&thread));
    let r = env
        .chat(
            Method::POST,
            &remove,
            &alice.token,
            Some(common::ident(&bob.id)),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let e = next_event(&mut ws).await;
    assert_eq!(e["eventId"], 261);
    assert_eq!(e["threadId"], thread.as_str());
    env.send(&alice, &thread, "after bob left").await;
    env.send(&alice, &other, "marker").await;
    // The next event is the marker from the other thread: nothing came from the first.
    let next = next_event(&mut ws).await;
    assert_eq!(next["groupId"], other.as_str());
    assert_eq!(next["messageBody"], "marker");
}

/// The socket's next event is `marker` in `thread`: whatever was written before it
/// pushed nothing.
async fn next_is_marker(env: &Env, ws: &mut Ws, alice: &User, thread: &str) {
    env.send(alice, thread, "marker").await;
    let next = next_event(ws).await;
    assert_eq!(next["eventId"], 200, "{next}");
    assert_eq!(next["messageBody"], "marker");
}

#[tokio::test]
async fn re_adding_a_member_pushes_nothing() {
    let env = http_env().await;
    let (alice, bob) = (env.user().await, env.user().await);
    let thread = env.thread(&alice, "re-add", &[&bob]).await;
    let mut ws = connect(&env, &bob).await;
    let add = json!({"participants": [{"communicationIdentifier": common::ident(&bob.id)}]});
    ok(
        &env,
        Method::POST,
        &format!("/chat/threads/{}/participants/:add", enc(&thread)),
        &alice,
        Some(add),
    )
    .await;
    next_is_marker(&env, &mut ws, &alice, &thread).await;
}

#[tokio::test]
async fn a_repeated_create_pushes_nothing() {
    let env = http_env().await;
    let (alice, bob) = (env.user().await, env.user().await);
    let mut ws = connect(&env, &bob).await;
    let ids = [
        env.thread_once(&alice, &[&bob], "one-create").await,
        env.thread_once(&alice, &[&bob], "one-create").await,
    ];
    assert_eq!(ids[0], ids[1], "the repeat answers with the same thread");
    let e = expect(&mut ws, 257).await;
    assert_eq!(e["threadId"], ids[0].as_str());
    next_is_marker(&env, &mut ws, &alice, &ids[0]).await;
}
