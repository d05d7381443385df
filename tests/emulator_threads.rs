//! Threads and participants against an in-process emulator.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn create_thread_shape_and_system_messages() {
    let env = Env::start().await;
    let (alice, bob) = (env.user().await, env.user().await);
    let body = json!({"topic": "Lunch", "participants": [
        {"communicationIdentifier": ident(&alice.id), "displayName": "Alice", "shareHistoryTime": "2024-01-01T00:00:00.000Z"},
        {"communicationIdentifier": ident(&bob.id), "displayName": "Bob"}
    ], "metadata": {"k": "v"}});
    let r = env
        .chat(Method::POST, "/chat/threads", &alice.token, Some(body))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let v: Value = r.json().await.expect("json");
    let thread = v["chatThread"]["id"].as_str().expect("id").to_owned();
    assert!(thread.starts_with("19:") && thread.ends_with("@thread.v2"));
    assert_eq!(
        location,
        format!("{}/chat/threads/{}", env.base, thread.replace(':', "%3A"))
    );
    assert_eq!(v["chatThread"]["topic"], "Lunch");
    assert_eq!(
        v["chatThread"]["createdByCommunicationIdentifier"]["rawId"],
        alice.id.as_str()
    );
    assert_eq!(
        v["chatThread"]["createdByCommunicationIdentifier"]["communicationUser"]["id"],
        alice.id.as_str()
    );
    assert!(v.get("invalidParticipants").is_none());
    assert!(
        v["chatThread"]["createdOn"]
            .as_str()
            .is_some_and(|s| s.ends_with('Z') && s.len() == 20)
    );

    let msgs = env.all_messages(&bob, &thread, 10).await;
    assert_eq!(msgs.len(), 2);
    let (topic, added) = (&msgs[0], &msgs[1]);
    assert_eq!(
        (added["type"].as_str(), added["sequenceId"].as_str()),
        (Some("participantAdded"), Some("1"))
    );
    assert_eq!(
        (topic["type"].as_str(), topic["sequenceId"].as_str()),
        (Some("topicUpdated"), Some("2"))
    );
    assert_eq!(topic["content"]["topic"], "Lunch");
    assert_eq!(added["version"], added["id"]);
    assert!(
        added.get("senderCommunicationIdentifier").is_none()
            && added.get("senderDisplayName").is_none()
    );
    assert_eq!(
        added["content"]["initiatorCommunicationIdentifier"]["rawId"],
        alice.id.as_str()
    );
    let ps = added["content"]["participants"]
        .as_array()
        .expect("participants");
    assert_eq!(ps.len(), 2);
    assert_eq!(ps[0]["displayName"], "Alice");
    assert_eq!(ps[0]["shareHistoryTime"], "2024-01-01T00:00:00Z");
    assert_eq!(ps[1]["shareHistoryTime"], "1970-01-01T00:00:00Z");

    // 2023-11-07 and later write "kind"; older api-versions do not.
    assert_eq!(
        v["chatThread"]["createdByCommunicationIdentifier"]["kind"],
        "communicationUser"
    );
    let path = format!("/chat/threads/{}?api-version=2021-09-07", enc(&thread));
    let p: Value = env
        .chat(Method::GET, &path, &bob.token, None)
        .await
        .json()
        .await
        .expect("json");
    assert!(p["createdByCommunicationIdentifier"].get("kind").is_none());
    assert_eq!(
        p["createdByCommunicationIdentifier"]["rawId"],
        alice.id.as_str()
    );

    // GET properties: id decoded, metadata back.
    let r = env
        .chat(
            Method::GET,
            &format!("/chat/threads/{}", enc(&thread)),
            &bob.token,
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let p: Value = r.json().await.expect("json");
    assert_eq!(p["id"], thread.as_str());
    assert_eq!(p["metadata"]["k"], "v");
}

#[tokio::test]
async fn creator_added_implicitly_and_unknown_users_reported() {
    let env = Env::start().await;
    let alice = env.user().await;
    let unknown = "8:acs:00000000-1111-2222-3333-444444444444_55555555-6666-7777-8888-999999999999";
    let r = env
        .chat(Method::POST, "/chat/threads", &alice.token, Some(json!({"topic": "t", "participants": [{"communicationIdentifier": ident(unknown)}]})))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.expect("json");
    let invalid = &v["invalidParticipants"][0];
    assert_eq!(
        (
            invalid["code"].as_str(),
            invalid["message"].as_str(),
            invalid["target"].as_str()
        ),
        (Some("403"), Some("Permissions check failed"), Some(unknown))
    );
    let thread = v["chatThread"]["id"].as_str().expect("id").to_owned();
    let r = env
        .chat(
            Method::GET,
            &format!("/chat/threads/{}/participants", enc(&thread)),
            &alice.token,
            None,
        )
        .await;
    let v: Value = r.json().await.expect("json");
    let list = v["value"].as_array().expect("value");
    assert_eq!(list.len(), 1);
    assert_eq!(
        list[0]["communicationIdentifier"]["rawId"],
        alice.id.as_str()
    );
    assert_eq!(list[0]["shareHistoryTime"], "1970-01-01T00:00:00Z");

    // Topic only, participants []: also fine, no invalidParticipants.
    let r = env
        .chat(
            Method::POST,
            "/chat/threads",
            &alice.token,
            Some(json!({"topic": "solo", "participants": []})),
        )
        .await;
    let v: Value = r.json().await.expect("json");
    assert!(v.get("invalidParticipants").is_none());
}

#[tokio::test]
async fn malformed_identifiers_and_ids() {
    let env = Env::start().await;
    let alice = env.user().await;
    for bad in ["8:acs:invalidUserId", "8:acs:fakeid==="] {
        let body = json!({"topic": "t", "participants": [{"communicationIdentifier": ident(bad)}]});
        let (status, code, msg) = chat_error(
            env.chat(Method::POST, "/chat/threads", &alice.token, Some(body))
                .await,
        )
        .await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "BadRequest")
        );
        assert_eq!(msg, Some(format!("Identifier format is invalid ({bad}).")));
    }
    let thread = env.thread(&alice, "t", &[]).await;
    let add = format!("/chat/threads/{}/participants/:add", enc(&thread));
    let (s, _, m) = chat_error(env.chat(Method::POST, &add, &alice.token, Some(json!({"participants": [{"communicationIdentifier": ident("8:acs:invalidUserId")}]}))).await).await;
    assert_eq!(
        (s, m.as_deref()),
        (
            StatusCode::BAD_REQUEST,
            Some("Identifier format is invalid (8:acs:invalidUserId).")
        )
    );
    let rm = format!("/chat/threads/{}/participants/:remove", enc(&thread));
    let (s, _, _) = chat_error(
        env.chat(
            Method::POST,
            &rm,
            &alice.token,
            Some(ident("8:acs:invalidUserId")),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // Malformed thread id: bare 400; unknown thread: 404 with the service message.
    let r = env
        .chat(
            Method::DELETE,
            "/chat/threads/invalid_chat_thread_id",
            &alice.token,
            None,
        )
        .await;
    let (s, code, msg) = chat_error(r).await;
    assert_eq!(
        (s, code.as_str(), msg),
        (StatusCode::BAD_REQUEST, "BadRequest", None)
    );
    let r = env
        .chat(
            Method::GET,
            &format!(
                "/chat/threads/{}",
                enc("19:00000000000000000000000000000000@thread.v2")
            ),
            &alice.token,
            None,
        )
        .await;
    let (s, code, msg) = chat_error(r).await;
    assert_eq!(
        (s, code.as_str(), msg.as_deref()),
        (
            StatusCode::NOT_FOUND,
            "NotFound",
            Some("The specified thread id was not found.")
        )
    );
}

#[tokio::test]
async fn update_topic_metadata_and_delete() {
    let env = Env::start().await;
    let (alice, bob) = (env.user().await, env.user().await);
    let thread = env.thread(&alice, "old", &[&bob]).await;
    let path = format!("/chat/threads/{}", enc(&thread));
    let r = env
        .chat(
            Method::PATCH,
            &path,
            &bob.token,
            Some(json!({"topic": "new", "metadata": {"a": "1", "b": "2"}})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(r.headers().get("content-type").is_none());
    let r = env
        .chat(
            Method::PATCH,
            &path,
            &bob.token,
            Some(json!({"metadata": {"a": "", "c": "3"}})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let p: Value = env
        .chat(Method::GET, &path, &alice.token, None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(p["topic"], "new");
    assert_eq!(p["metadata"], json!({"b": "2", "c": "3"}));
    let msgs = env.all_messages(&alice, &thread, 10).await;
    assert_eq!(
        (
            msgs[0]["type"].as_str(),
            msgs[0]["content"]["topic"].as_str(),
            msgs[0]["sequenceId"].as_str()
        ),
        (Some("topicUpdated"), Some("new"), Some("3"))
    );
    assert_eq!(
        msgs[0]["content"]["initiatorCommunicationIdentifier"]["rawId"],
        bob.id.as_str()
    );

    let big = "x".repeat(1100);
    let (s, ..) = chat_error(
        env.chat(
            Method::PATCH,
            &path,
            &bob.token,
            Some(json!({"metadata": {"big": big}})),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, ..) = chat_error(
        env.chat(Method::PATCH, &path, &bob.token, Some(json!({"topic": ""})))
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // Outsider: 403.
    let eve = env.user().await;
    let (s, code, msg) = chat_error(env.chat(Method::GET, &path, &eve.token, None).await).await;
    assert_eq!(
        (s, code.as_str(), msg.as_deref()),
        (
            StatusCode::FORBIDDEN,
            "Forbidden",
            Some("The initiator is not a participant of the specified thread.")
        )
    );
    assert_eq!(
        env.chat(Method::DELETE, &path, &eve.token, None)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    assert_eq!(
        env.chat(Method::DELETE, &path, &alice.token, None)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        env.chat(Method::DELETE, &path, &alice.token, None)
            .await
            .status(),
        StatusCode::NO_CONTENT,
        "idempotent"
    );
    let (s, ..) = chat_error(env.chat(Method::GET, &path, &alice.token, None).await).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, ..) = chat_error(
        env.chat(
            Method::POST,
            &format!("{path}/messages"),
            &bob.token,
            Some(json!({"content": "x"})),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Still listed, with deletedOn.
    let v: Value = env
        .chat(Method::GET, "/chat/threads", &bob.token, None)
        .await
        .json()
        .await
        .expect("json");
    let item = v["value"]
        .as_array()
        .and_then(|a| a.iter().find(|t| t["id"] == thread.as_str()).cloned())
        .expect("listed");
    assert!(item["deletedOn"].is_string());
}

#[tokio::test]
async fn list_threads_order_paging_and_start_time() {
    let env = Env::start().await;
    let alice = env.user().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(env.thread(&alice, &format!("t{i}"), &[]).await);
    }
    // Activity on the oldest thread moves it to the top.
    env.send(&alice, &ids[0], "bump").await;
    let v: Value = env
        .chat(Method::GET, "/chat/threads", &alice.token, None)
        .await
        .json()
        .await
        .expect("json");
    let order: Vec<&str> = v["value"]
        .as_array()
        .expect("value")
        .iter()
        .filter_map(|t| t["id"].as_str())
        .collect();
    assert_eq!(
        order,
        vec![
            ids[0].as_str(),
            ids[4].as_str(),
            ids[3].as_str(),
            ids[2].as_str(),
            ids[1].as_str()
        ]
    );
    assert!(v["value"][0]["lastMessageReceivedOn"].is_string());
    assert!(v.get("nextLink").is_none());

    // Pages of 2 while threads change between pages: each exactly once.
    let r: Value = env
        .chat(
            Method::GET,
            "/chat/threads?maxPageSize=2",
            &alice.token,
            None,
        )
        .await
        .json()
        .await
        .expect("json");
    let mut seen: Vec<String> = r["value"]
        .as_array()
        .expect("v")
        .iter()
        .filter_map(|t| t["id"].as_str().map(str::to_owned))
        .collect();
    let mut next = r["nextLink"].as_str().map(str::to_owned);
    assert!(next.as_deref().is_some_and(|n| n.starts_with(&env.base)
        && n.contains("api-version=2024-03-07")
        && n.contains("maxPageSize=2")));
    env.send(&alice, &ids[1], "late activity on a not-yet-listed thread")
        .await;
    while let Some(url) = next {
        let v: Value = env
            .raw_chat(Method::GET, &url, &alice.token, None)
            .await
            .json()
            .await
            .expect("json");
        seen.extend(
            v["value"]
                .as_array()
                .expect("v")
                .iter()
                .filter_map(|t| t["id"].as_str().map(str::to_owned)),
        );
        next = v["nextLink"].as_str().map(str::to_owned);
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!((seen.len(), sorted.len()), (5, 5), "{seen:?}");

    // startTime in the future: nothing.
    let v: Value = env
        .chat(
            Method::GET,
            "/chat/threads?startTime=2999-01-01T00:00:00Z",
            &alice.token,
            None,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(v["value"].as_array().map(Vec::len), Some(0));
    let (s, ..) = chat_error(
        env.chat(
            Method::GET,
            "/chat/threads?startTime=yesterday",
            &alice.token,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, ..) = chat_error(
        env.chat(
            Method::GET,
            "/chat/threads?syncState=zz",
            &alice.token,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn repeatability_request_id() {
    let env = Env::start().await;
    let alice = env.user().await;
    let send = |rid: &'static str| {
        env.client
            .post(format!("{}/chat/threads?{CHAT}", env.base))
            .bearer_auth(&alice.token)
            .header("repeatability-request-id", rid)
            .json(&json!({"topic": "once"}))
            .send()
    };
    let a: Value = send("5b8f0e33-4c1a-4f0a-8e7e-000000000001")
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let r = send("5b8f0e33-4c1a-4f0a-8e7e-000000000001")
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::CREATED);
    let b: Value = r.json().await.expect("json");
    assert_eq!(a, b);
    let c: Value = send("5b8f0e33-4c1a-4f0a-8e7e-000000000002")
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_ne!(a["chatThread"]["id"], c["chatThread"]["id"]);
    let v: Value = env
        .chat(Method::GET, "/chat/threads", &alice.token, None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(v["value"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn participants_add_remove_and_paging() {
    let env = Env::start().await;
    let (alice, bob, carol) = (env.user().await, env.user().await, env.user().await);
    let thread = env.thread(&alice, "t", &[&bob]).await;
    let base = format!("/chat/threads/{}/participants", enc(&thread));
    let add = |who: &User| json!({"participants": [{"communicationIdentifier": ident(&who.id), "displayName": "C"}]});
    let r = env
        .chat(
            Method::POST,
            &format!("{base}/:add"),
            &alice.token,
            Some(add(&carol)),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(r.text().await.unwrap_or_default(), "{}");
    // Re-add: silent 201 {} and no new system message.
    let r = env
        .chat(
            Method::POST,
            &format!("{base}/:add"),
            &alice.token,
            Some(add(&carol)),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let msgs = env.all_messages(&alice, &thread, 50).await;
    assert_eq!(msgs.len(), 3);
    assert_eq!(msgs[0]["type"], "participantAdded");
    assert_eq!(
        msgs[0]["content"]["participants"].as_array().map(Vec::len),
        Some(1)
    );

    // skip paging: 3 members, pages of 2.
    let v: Value = env
        .chat(
            Method::GET,
            &format!("{base}?maxPageSize=2"),
            &alice.token,
            None,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(v["value"].as_array().map(Vec::len), Some(2));
    let next = v["nextLink"].as_str().expect("nextLink").to_owned();
    assert!(
        next.contains("skip=2") && next.contains("maxPageSize=2") && next.starts_with(&env.base)
    );
    let v: Value = env
        .raw_chat(Method::GET, &next, &alice.token, None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(v["value"].as_array().map(Vec::len), Some(1));
    assert!(v.get("nextLink").is_none(), "no empty trailing page");
    let v: Value = env
        .chat(
            Method::GET,
            &format!("{base}?maxPageSize=1&skip=1"),
            &bob.token,
            None,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        v["value"][0]["communicationIdentifier"]["rawId"],
        bob.id.as_str()
    );

    // Remove carol (by bob): 204, participantRemoved; carol then gets 403 but still lists the thread.
    let r = env
        .chat(
            Method::POST,
            &format!("{base}/:remove"),
            &bob.token,
            Some(ident(&carol.id)),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let msgs = env.all_messages(&alice, &thread, 50).await;
    assert_eq!(msgs[0]["type"], "participantRemoved");
    assert_eq!(
        msgs[0]["content"]["participants"][0]["communicationIdentifier"]["rawId"],
        carol.id.as_str()
    );
    assert_eq!(
        msgs[0]["content"]["initiatorCommunicationIdentifier"]["rawId"],
        bob.id.as_str()
    );
    let (s, ..) = chat_error(env.chat(Method::GET, &base, &carol.token, None).await).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let v: Value = env
        .chat(Method::GET, "/chat/threads", &carol.token, None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(v["value"][0]["id"], thread.as_str());
    // Removing a non-member: 204 no-op.
    let before = env.all_messages(&alice, &thread, 50).await.len();
    assert_eq!(
        env.chat(
            Method::POST,
            &format!("{base}/:remove"),
            &bob.token,
            Some(ident(&carol.id))
        )
        .await
        .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(env.all_messages(&alice, &thread, 50).await.len(), before);
    // Bob removes himself; then his remove is refused with the service's message.
    assert_eq!(
        env.chat(
            Method::POST,
            &format!("{base}/:remove"),
            &bob.token,
            Some(ident(&bob.id))
        )
        .await
        .status(),
        StatusCode::NO_CONTENT
    );
    let (s, _, m) = chat_error(
        env.chat(
            Method::POST,
            &format!("{base}/:remove"),
            &bob.token,
            Some(ident(&alice.id)),
        )
        .await,
    )
    .await;
    assert_eq!(
        (s, m.as_deref()),
        (
            StatusCode::FORBIDDEN,
            Some("The initiator doesn't have the permission to perform the requested operation.")
        )
    );
}

#[tokio::test]
async fn batch_limit() {
    let env = Env::start().await;
    let alice = env.user().await;
    let many: Vec<Value> = (0..201)
        .map(|i| json!({"communicationIdentifier": ident(&format!("8:acs:{}_{i:08}", acs_chat::local::RESOURCE_ID))}))
        .collect();
    let (s, ..) = chat_error(
        env.chat(
            Method::POST,
            "/chat/threads",
            &alice.token,
            Some(json!({"topic": "t", "participants": many})),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}
