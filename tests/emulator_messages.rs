//! Messages, read receipts, typing and request validation against an in-process emulator.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn pair(env: &Env) -> (User, User, String) {
    let (alice, bob) = (env.user().await, env.user().await);
    let thread = env.thread(&alice, "t", &[&bob]).await;
    (alice, bob, thread)
}

#[tokio::test]
async fn send_get_edit_delete() {
    let env = Env::start().await;
    let (alice, bob, thread) = pair(&env).await;
    let msgs = format!("/chat/threads/{}/messages", enc(&thread));
    let r = env
        .chat(Method::POST, &msgs, &alice.token, Some(json!({"content": "hi", "senderDisplayName": "Alice", "type": "text", "metadata": {"clientMessageId": "18446744073709551615", "priority": "High"}})))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let id = r.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert!(location.ends_with(&format!("/messages/{id}")));
    let plain = env.send(&bob, &thread, "no name").await;

    let one = format!("{msgs}/{id}");
    let m: Value = env
        .chat(Method::GET, &one, &bob.token, None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        (
            m["id"].as_str(),
            m["version"].as_str(),
            m["sequenceId"].as_str()
        ),
        (Some(id.as_str()), Some(id.as_str()), Some("3"))
    );
    assert_eq!(m["type"], "text");
    assert_eq!(m["content"]["message"], "hi");
    assert_eq!(m["senderDisplayName"], "Alice");
    assert_eq!(
        m["senderCommunicationIdentifier"]["rawId"],
        alice.id.as_str()
    );
    assert_eq!(m["metadata"]["priority"], "High");
    assert!(m.get("editedOn").is_none() && m.get("deletedOn").is_none());
    let p: Value = env
        .chat(Method::GET, &format!("{msgs}/{plain}"), &bob.token, None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        p["senderDisplayName"], "",
        "senderDisplayName is empty, not absent"
    );

    // Only the sender may edit or delete.
    let (s, ..) = chat_error(
        env.chat(
            Method::PATCH,
            &one,
            &bob.token,
            Some(json!({"content": "x"})),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, ..) = chat_error(env.chat(Method::DELETE, &one, &bob.token, None).await).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Edit: new version, next sequence id, editedOn, metadata merged.
    let r = env
        .chat(
            Method::PATCH,
            &one,
            &alice.token,
            Some(json!({"content": "hello", "metadata": {"priority": "", "tag": "x"}})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let e: Value = env
        .chat(Method::GET, &one, &bob.token, None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(e["content"]["message"], "hello");
    assert_eq!(e["sequenceId"], "5");
    assert!(e["editedOn"].is_string());
    assert_ne!(e["version"], e["id"]);
    assert_eq!(
        e["metadata"],
        json!({"clientMessageId": "18446744073709551615", "tag": "x"})
    );
    let list = env.all_messages(&bob, &thread, 10).await;
    let seqs: Vec<&str> = list
        .iter()
        .filter_map(|m| m["sequenceId"].as_str())
        .collect();
    assert_eq!(
        seqs,
        vec!["5", "4", "2", "1"],
        "the edited message moved to the top"
    );

    // Delete: tombstone, next seq, no metadata, no editedOn; GET still 200.
    assert_eq!(
        env.chat(Method::DELETE, &one, &alice.token, None)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        env.chat(Method::DELETE, &one, &alice.token, None)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let d: Value = env
        .chat(Method::GET, &one, &bob.token, None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(d["sequenceId"], "6");
    assert_eq!(d["content"]["message"], "");
    assert!(d["deletedOn"].is_string());
    assert!(d.get("editedOn").is_none() && d.get("metadata").is_none());
    assert_eq!(
        d["senderCommunicationIdentifier"]["rawId"],
        alice.id.as_str()
    );
    let list = env.all_messages(&bob, &thread, 10).await;
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list.len(), 4);
    let (s, ..) = chat_error(
        env.chat(
            Method::PATCH,
            &one,
            &alice.token,
            Some(json!({"content": "back"})),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // System messages cannot be edited.
    let sys = list
        .last()
        .and_then(|m| m["id"].as_str())
        .expect("system id")
        .to_owned();
    let (s, ..) = chat_error(
        env.chat(Method::DELETE, &format!("{msgs}/{sys}"), &alice.token, None)
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn message_id_errors() {
    let env = Env::start().await;
    let (alice, _, thread) = pair(&env).await;
    let bad = format!(
        "/chat/threads/{}/messages/invalid_chat_message_id",
        enc(&thread)
    );
    for method in [Method::GET, Method::DELETE] {
        let (s, code, msg) = chat_error(env.chat(method, &bad, &alice.token, None).await).await;
        assert_eq!((s, code.as_str()), (StatusCode::BAD_REQUEST, "BadRequest"));
        assert_eq!(
            msg.as_deref(),
            Some("Value for MessageId (invalid_chat_message_id) is not valid.")
        );
    }
    let (s, ..) = chat_error(
        env.chat(
            Method::PATCH,
            &bad,
            &alice.token,
            Some(json!({"content": "x"})),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let unknown = format!("/chat/threads/{}/messages/1234567890123", enc(&thread));
    let (s, code, _) = chat_error(env.chat(Method::GET, &unknown, &alice.token, None).await).await;
    assert_eq!((s, code.as_str()), (StatusCode::NOT_FOUND, "NotFound"));
}

#[tokio::test]
async fn start_time_returns_later_edits_and_deletes() {
    let env = Env::start().await;
    let (alice, bob, thread) = pair(&env).await;
    let old = env.send(&alice, &thread, "old").await;
    let gone = env.send(&alice, &thread, "gone").await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let mark = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        + time::Duration::seconds(1);
    // Wait until the clock passes the whole-second mark so later changes are at/after it.
    while time::OffsetDateTime::now_utc() < mark {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let msgs = format!("/chat/threads/{}/messages", enc(&thread));
    let since = acs_chat::wire::timestamp::format_whole_seconds(mark);
    let query = format!("{msgs}?startTime={}", enc(&since));
    let v: Value = env
        .chat(Method::GET, &query, &bob.token, None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(v["value"].as_array().map(Vec::len), Some(0));
    env.chat(
        Method::PATCH,
        &format!("{msgs}/{old}"),
        &alice.token,
        Some(json!({"content": "new"})),
    )
    .await;
    env.chat(
        Method::DELETE,
        &format!("{msgs}/{gone}"),
        &alice.token,
        None,
    )
    .await;
    let fresh = env.send(&bob, &thread, "fresh").await;
    let v: Value = env
        .chat(Method::GET, &query, &bob.token, None)
        .await
        .json()
        .await
        .expect("json");
    let ids: Vec<&str> = v["value"]
        .as_array()
        .expect("v")
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    assert_eq!(ids, vec![fresh.as_str(), gone.as_str(), old.as_str()]);
}

#[tokio::test]
async fn paging_never_skips_or_repeats_under_concurrent_changes() {
    let env = Env::start().await;
    let (alice, bob, thread) = pair(&env).await;
    let mut sent = Vec::new();
    for i in 0..25 {
        sent.push(env.send(&alice, &thread, &format!("m{i}")).await);
    }
    let msgs = format!("/chat/threads/{}/messages", enc(&thread));
    let first = format!("{}{msgs}?maxPageSize=3&{CHAT}", env.base);
    let v: Value = env
        .raw_chat(Method::GET, &first, &bob.token, None)
        .await
        .json()
        .await
        .expect("json");
    let mut seen: Vec<String> = v["value"]
        .as_array()
        .expect("v")
        .iter()
        .filter_map(|m| m["id"].as_str().map(str::to_owned))
        .collect();
    let mut next = v["nextLink"].as_str().map(str::to_owned);
    let link = next.clone().unwrap_or_default();
    assert!(
        link.starts_with(&env.base)
            && link.contains("syncState=")
            && link.contains("maxPageSize=3")
            && link.contains("api-version=2024-03-07"),
        "{link}"
    );
    assert!(
        link.contains("/chat/threads/19:"),
        "thread id un-encoded in nextLink: {link}"
    );
    let mut round = 0;
    while let Some(url) = next {
        // Between pages: new messages, edits of listed and unlisted ones, a delete.
        env.send(&bob, &thread, &format!("new{round}")).await;
        let target = &sent[(round * 7) % sent.len()];
        env.chat(
            Method::PATCH,
            &format!("{msgs}/{target}"),
            &alice.token,
            Some(json!({"content": format!("edit{round}")})),
        )
        .await;
        if round == 2 {
            env.chat(
                Method::DELETE,
                &format!("{msgs}/{}", sent[1]),
                &alice.token,
                None,
            )
            .await;
        }
        let v: Value = env
            .raw_chat(Method::GET, &url, &bob.token, None)
            .await
            .json()
            .await
            .expect("json");
        seen.extend(
            v["value"]
                .as_array()
                .expect("v")
                .iter()
                .filter_map(|m| m["id"].as_str().map(str::to_owned)),
        );
        next = v["nextLink"].as_str().map(str::to_owned);
        round += 1;
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(seen.len(), unique.len(), "no repeats: {seen:?}");
    assert_eq!(
        seen.len(),
        27,
        "25 messages + 2 system messages, none skipped"
    );
    for id in &sent {
        assert!(seen.contains(id), "{id} skipped");
    }
    // A fresh listing sees everything, newest-first by sequence id.
    let all = env.all_messages(&bob, &thread, 200).await;
    let seqs: Vec<i64> = all
        .iter()
        .filter_map(|m| m["sequenceId"].as_str()?.parse().ok())
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] > w[1]));
    assert_eq!(all.len(), 27 + round);
}

#[tokio::test]
async fn default_page_size_is_ten() {
    let env = Env::start().await;
    let (alice, _, thread) = pair(&env).await;
    for i in 0..9 {
        env.send(&alice, &thread, &format!("{i}")).await;
    }
    let msgs = format!("/chat/threads/{}/messages", enc(&thread));
    let v: Value = env
        .chat(Method::GET, &msgs, &alice.token, None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(v["value"].as_array().map(Vec::len), Some(10));
    assert!(
        v["nextLink"]
            .as_str()
            .is_some_and(|l| l.contains("maxPageSize=10"))
    );
    let (s, ..) = chat_error(
        env.chat(
            Method::GET,
            &format!("{msgs}?maxPageSize=0"),
            &alice.token,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let v: Value = env
        .chat(
            Method::GET,
            &format!("{msgs}?maxPageSize=5000"),
            &alice.token,
            None,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(v["value"].as_array().map(Vec::len), Some(11));
}

#[tokio::test]
async fn read_receipts_and_typing() {
    let env = Env::start().await;
    let (alice, bob, thread) = pair(&env).await;
    let a = env.send(&alice, &thread, "a").await;
    let b = env.send(&alice, &thread, "b").await;
    let rr = format!("/chat/threads/{}/readReceipts", enc(&thread));
    for (who, id) in [(&bob, &a), (&bob, &b), (&alice, &b)] {
        let r = env
            .chat(
                Method::POST,
                &rr,
                &who.token,
                Some(json!({"chatMessageId": id})),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            r.headers()
                .get("content-length")
                .and_then(|v| v.to_str().ok()),
            Some("0")
        );
    }
    let v: Value = env
        .chat(Method::GET, &rr, &alice.token, None)
        .await
        .json()
        .await
        .expect("json");
    let list = v["value"].as_array().expect("v");
    assert_eq!(list.len(), 2, "latest receipt per participant");
    assert!(
        list.iter()
            .all(|r| r["chatMessageId"] == b.as_str() && r["readOn"].is_string())
    );
    let v: Value = env
        .chat(
            Method::GET,
            &format!("{rr}?maxPageSize=1"),
            &alice.token,
            None,
        )
        .await
        .json()
        .await
        .expect("json");
    assert!(v["nextLink"].as_str().is_some_and(|l| l.contains("skip=1")));
    let (s, ..) = chat_error(
        env.chat(
            Method::POST,
            &rr,
            &bob.token,
            Some(json!({"chatMessageId": "1234"})),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, ..) = chat_error(
        env.chat(
            Method::POST,
            &rr,
            &bob.token,
            Some(json!({"chatMessageId": "abc"})),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    let typing = format!("/chat/threads/{}/typing", enc(&thread));
    for body in [
        Some(json!({"senderDisplayName": "Bob"})),
        Some(json!({})),
        None,
    ] {
        let r = env.chat(Method::POST, &typing, &bob.token, body).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            r.headers()
                .get("content-length")
                .and_then(|v| v.to_str().ok()),
            Some("0")
        );
    }
    let eve = env.user().await;
    let (s, ..) = chat_error(env.chat(Method::POST, &typing, &eve.token, None).await).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn bad_requests_never_5xx() {
    let env = Env::start().await;
    let (alice, _, thread) = pair(&env).await;
    let msgs = format!("{}/chat/threads/{}/messages?{CHAT}", env.base, enc(&thread));
    let post = |body: &'static str| {
        env.client
            .post(&msgs)
            .bearer_auth(&alice.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    for body in [
        "",
        "{",
        "[]",
        r#"{"content": 5}"#,
        r#"{"content":"x","metadata":{"a":1}}"#,
        r#"{"content":"x","type":"topicUpdated"}"#,
        "\u{0}",
    ] {
        let (s, code, _) = chat_error(post(body).await.expect("sent")).await;
        assert_eq!(
            (s, code.as_str()),
            (StatusCode::BAD_REQUEST, "BadRequest"),
            "{body:?}"
        );
    }
    let (s, ..) = chat_error(
        env.chat(
            Method::POST,
            &format!("/chat/threads/{}/messages", enc(&thread)),
            &alice.token,
            Some(json!({"content": "x".repeat(29 * 1024)})),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let huge = "x".repeat(600 * 1024);
    let r = env
        .client
        .post(&msgs)
        .bearer_auth(&alice.token)
        .body(huge)
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // Broken percent-encoding, unknown route, wrong method.
    let (s, ..) = chat_error(
        env.chat(
            Method::GET,
            "/chat/threads/19%zz/messages",
            &alice.token,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, ..) = chat_error(
        env.chat(Method::GET, "/chat/nowhere", &alice.token, None)
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, ..) = chat_error(
        env.chat(
            Method::PUT,
            &format!("/chat/threads/{}", enc(&thread)),
            &alice.token,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    // Missing / unsupported api-version on chat.
    let r = env
        .raw_chat(
            Method::GET,
            &format!("{}/chat/threads", env.base),
            &alice.token,
            None,
        )
        .await;
    assert_eq!(chat_error(r).await.1, "MissingApiVersionParameter");
    let r = env
        .raw_chat(
            Method::GET,
            &format!("{}/chat/threads?api-version=2020-01-01", env.base),
            &alice.token,
            None,
        )
        .await;
    assert_eq!(chat_error(r).await.1, "UnsupportedApiVersion");
    for v in [
        "2021-03-07",
        "2021-09-07",
        "2023-11-07",
        "2024-03-07",
        "2025-03-15",
    ] {
        let r = env
            .raw_chat(
                Method::GET,
                &format!("{}/chat/threads?api-version={v}", env.base),
                &alice.token,
                None,
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{v}");
    }
}

#[tokio::test]
async fn bearer_token_failures_are_empty_401s() {
    let env = Env::start().await;
    let alice = env.user().await;
    let parts: Vec<&str> = alice.token.split('.').collect();
    let none = format!(
        "{}.{}.",
        base64_url(r#"{"alg":"none","typ":"JWT"}"#),
        parts[1]
    );
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        base64_url(r#"{"skypeid":"acs:x","exp":9999999999}"#),
        parts[2]
    );
    let bad_sig = format!("{}.{}.{}", parts[0], parts[1], base64_url("nope"));
    for token in [
        "",
        "garbage",
        "a.b.c",
        none.as_str(),
        tampered.as_str(),
        bad_sig.as_str(),
    ] {
        let r = env.chat(Method::GET, "/chat/threads", token, None).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{token}");
        assert_eq!(r.text().await.unwrap_or_default(), "");
    }
    // A token from another emulator (other database secret).
    let other = Env::start().await;
    let stranger = other.user().await;
    assert_eq!(
        env.chat(Method::GET, "/chat/threads", &stranger.token, None)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let r = env
        .client
        .get(format!("{}/chat/threads?{CHAT}", env.base))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

fn base64_url(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

#[tokio::test]
async fn paging_is_exact_while_a_writer_runs_concurrently() {
    let env = std::sync::Arc::new(Env::start().await);
    let (alice, bob, thread) = pair(&env).await;
    let mut before = Vec::new();
    for i in 0..20 {
        before.push(env.send(&alice, &thread, &format!("m{i}")).await);
    }
    // A writer that keeps sending and editing while the listing pages.
    let writer = {
        let (env, alice, thread, targets) =
            (env.clone(), alice.clone(), thread.clone(), before.clone());
        tokio::spawn(async move {
            let msgs = format!("/chat/threads/{}/messages", enc(&thread));
            for i in 0..30 {
                if i % 2 == 0 {
                    env.send(&alice, &thread, &format!("w{i}")).await;
                } else {
                    let id = &targets[(i * 3) % targets.len()];
                    env.chat(
                        Method::PATCH,
                        &format!("{msgs}/{id}"),
                        &alice.token,
                        Some(json!({"content": format!("e{i}")})),
                    )
                    .await;
                }
            }
        })
    };
    let seen = env.all_messages(&bob, &thread, 2).await;
    writer.await.expect("writer finished");
    let ids: Vec<&str> = seen.iter().filter_map(|m| m["id"].as_str()).collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(ids.len(), unique.len(), "no message listed twice");
    for id in &before {
        assert!(ids.contains(&id.as_str()), "{id} was skipped");
    }
}
