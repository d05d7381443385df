//! Each of the 16 chat event types caused by a REST call, delivered to webhooks the
//! management route subscribed at run time (one per schema), with data fields
//! compared with what REST returns. With `EVENTGRID_EVENTS_OUT=DIR` the events are
//! also written to DIR/{eventgrid,cloudevents}.ndjson for `eventgrid-tests/run.sh`.

mod common;
mod eventgrid_common;

use acs_chat::emulator::EmulatorConfig;
use common::{Env, enc, ident};
use eventgrid_common::{Behaviour, Webhook, of_type};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const ALL: [&str; 16] = [
    "ChatThreadCreated",
    "ChatThreadCreatedWithUser",
    "ChatMessageReceivedInThread",
    "ChatMessageReceived",
    "ChatMessageEditedInThread",
    "ChatMessageEdited",
    "ChatMessageDeletedInThread",
    "ChatMessageDeleted",
    "ChatThreadPropertiesUpdated",
    "ChatThreadPropertiesUpdatedPerUser",
    "ChatThreadParticipantAdded",
    "ChatParticipantAddedToThreadWithUser",
    "ChatThreadParticipantRemoved",
    "ChatParticipantRemovedFromThreadWithUser",
    "ChatThreadDeleted",
    "ChatThreadWithUserDeleted",
];

async fn subscribe(env: &Env, name: &str, hook: &Webhook, schema: &str) {
    let r = env
        .signed(
            Method::PUT,
            &format!("/emulator/event-subscriptions/{name}"),
            Some(json!({ "endpoint": hook.url, "schema": schema, "maxEventsPerBatch": 10 })),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn every_event_type_comes_from_a_rest_call_with_the_rest_values() {
    let (eg, ce) = (
        Webhook::start(Behaviour::default()).await,
        Webhook::start(Behaviour::default()).await,
    );
    let env = Env::start_with(EmulatorConfig::for_tests()).await;
    subscribe(&env, "eg", &eg, "eventgrid").await;
    subscribe(&env, "ce", &ce, "cloudevents").await;
    let listed: Value = env
        .signed(Method::GET, "/emulator/event-subscriptions", None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        listed["value"].as_array().map(Vec::len),
        Some(2),
        "{listed}"
    );

    let (alice, bob, carol, dave) = (
        env.user().await,
        env.user().await,
        env.user().await,
        env.user().await,
    );
    let thread = env.thread(&alice, "Lunch", &[&bob, &carol]).await;
    let t = enc(&thread);
    let id = env.send(&alice, &thread, "hello").await;
    let rest_sent = env
        .get_json(&format!("/chat/threads/{t}/messages/{id}"), &alice.token)
        .await;
    let patch = env
        .chat(
            Method::PATCH,
            &format!("/chat/threads/{t}/messages/{id}"),
            &alice.token,
            Some(json!({"content": "hello!", "metadata": {"k": "v"}})),
        )
        .await;
    assert_eq!(patch.status(), StatusCode::NO_CONTENT);
    let rest_edited = env
        .get_json(&format!("/chat/threads/{t}/messages/{id}"), &alice.token)
        .await;
    let del = env
        .chat(
            Method::DELETE,
            &format!("/chat/threads/{t}/messages/{id}"),
            &alice.token,
            None,
        )
        .await;
    assert_eq!(del.status(), StatusCode::NO_CONTENT);
    let topic = env
        .chat(
            Method::PATCH,
            &format!("/chat/threads/{t}"),
            &bob.token,
            Some(json!({"topic": "Dinner"})),
        )
        .await;
    assert_eq!(topic.status(), StatusCode::NO_CONTENT);
    let add = env
        .chat(Method::POST, &format!("/chat/threads/{t}/participants/:add"), &alice.token, Some(json!({"participants": [{"communicationIdentifier": ident(&dave.id), "displayName": "Dave"}]})))
        .await;
    assert_eq!(add.status(), StatusCode::CREATED);
    let remove = env
        .chat(
            Method::POST,
            &format!("/chat/threads/{t}/participants/:remove"),
            &alice.token,
            Some(ident(&carol.id)),
        )
        .await;
    assert_eq!(remove.status(), StatusCode::NO_CONTENT);
    let rest_thread = env
        .get_json(&format!("/chat/threads/{t}"), &bob.token)
        .await;
    let gone = env
        .chat(
            Method::DELETE,
            &format!("/chat/threads/{t}"),
            &bob.token,
            None,
        )
        .await;
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);

    // Members (alice, bob, carol) then (alice, bob, carol, dave) then (alice, bob, dave):
    // 2 created-with-user + 3 x (1 + 2) message + (1 + 2) topic + (1 + 3) added
    // + (1 + 2) removed + (1 + 2) deleted + 1 created.
    let expected = 1 + 2 + 9 + 3 + 4 + 3 + 3;
    let eg_events = eg.wait_for_events(expected).await;
    let ce_events = ce.wait_for_events(expected).await;
    for (events, schema) in [(&eg_events, "eventgrid"), (&ce_events, "cloudevents")] {
        for kind in ALL {
            assert!(
                !of_type(events, kind).is_empty(),
                "{schema}: no {kind} in {:?}",
                events
                    .iter()
                    .map(|e| e["eventType"]
                        .as_str()
                        .or(e["type"].as_str())
                        .unwrap_or_default()
                        .to_owned())
                    .collect::<Vec<_>>()
            );
        }
        assert_eq!(events.len(), expected, "{schema}");
    }
    if let Some(dir) = std::env::var_os("EVENTGRID_EVENTS_OUT") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("dir");
        for (events, name) in [(&eg_events, "eventgrid"), (&ce_events, "cloudevents")] {
            let lines: Vec<String> = events.iter().map(Value::to_string).collect();
            std::fs::write(dir.join(format!("{name}.ndjson")), lines.join("\n") + "\n")
                .expect("write");
        }
    }

    let received = &of_type(&eg_events, "ChatMessageReceivedInThread")[0]["data"];
    assert_eq!(received["messageId"], rest_sent["id"]);
    assert_eq!(
        received["version"].to_string(),
        rest_sent["version"].as_str().unwrap_or_default()
    );
    assert_eq!(
        received["composeTime"].as_str().map(|s| &s[..19]),
        rest_sent["createdOn"].as_str().map(|s| &s[..19])
    );
    let edited = &of_type(&eg_events, "ChatMessageEditedInThread")[0]["data"];
    assert_eq!(edited["messageBody"], rest_edited["content"]["message"]);
    assert_eq!(edited["metadata"], rest_edited["metadata"]);
    assert_eq!(
        edited["version"].to_string(),
        rest_edited["version"].as_str().unwrap_or_default()
    );
    assert_eq!(
        edited["editTime"].as_str().map(|s| &s[..19]),
        rest_edited["editedOn"].as_str().map(|s| &s[..19])
    );
    let created = &of_type(&eg_events, "ChatThreadCreated")[0]["data"];
    assert_eq!(created["threadId"], thread.as_str());
    assert_eq!(
        created["createTime"].as_str().map(|s| &s[..19]),
        rest_thread["createdOn"].as_str().map(|s| &s[..19])
    );
    assert_eq!(created["properties"]["topic"], "Lunch");
    assert_eq!(created["participants"].as_array().map(Vec::len), Some(3));
    let updated = &of_type(&eg_events, "ChatThreadPropertiesUpdated")[0]["data"];
    assert_eq!(updated["properties"]["topic"], rest_thread["topic"]);
    assert_eq!(
        updated["editedByCommunicationIdentifier"]["rawId"],
        bob.id.as_str()
    );
    let added = &of_type(&eg_events, "ChatThreadParticipantAdded")[0]["data"];
    assert_eq!(
        added["participantAdded"]["participantCommunicationIdentifier"]["rawId"],
        dave.id.as_str()
    );
    assert_eq!(added["participantAdded"]["displayName"], "Dave");
    let removed_for = of_type(&eg_events, "ChatParticipantRemovedFromThreadWithUser");
    assert!(
        removed_for
            .iter()
            .all(|e| e["data"]["recipientCommunicationIdentifier"]["rawId"] != carol.id.as_str()),
        "the removed member is no longer a recipient"
    );
    let deleted = &of_type(&eg_events, "ChatThreadDeleted")[0]["data"];
    assert_eq!(
        deleted["deletedByCommunicationIdentifier"]["rawId"],
        bob.id.as_str()
    );
}

#[tokio::test]
async fn writes_before_any_subscription_raise_no_events_and_a_removed_one_gets_none() {
    let hook = Webhook::start(Behaviour::default()).await;
    let env = Env::start_with(EmulatorConfig::for_tests()).await;
    let alice = env.user().await;
    let before = env.thread(&alice, "Before", &[]).await;
    subscribe(&env, "late", &hook, "eventgrid").await;
    let after = env.thread(&alice, "After", &[]).await;
    let events = hook.wait_for_events(1).await;
    let threads: Vec<&Value> = events.iter().map(|e| &e["data"]["threadId"]).collect();
    assert_eq!(threads, vec![&Value::String(after)], "not {before}");
    let r = env
        .signed(Method::DELETE, "/emulator/event-subscriptions/late", None)
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = env
        .signed(Method::DELETE, "/emulator/event-subscriptions/late", None)
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let unsigned = env
        .client
        .get(format!("{}/emulator/event-subscriptions", env.base))
        .send()
        .await
        .expect("sent");
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_re_add_and_a_repeated_create_raise_no_events() {
    let hook = Webhook::start(Behaviour::default()).await;
    let env = Env::start_with(EmulatorConfig::for_tests()).await;
    subscribe(&env, "noop", &hook, "eventgrid").await;
    let (alice, bob) = (env.user().await, env.user().await);
    let thread = env.thread_once(&alice, &[&bob], "one-create").await;
    let again = env.thread_once(&alice, &[&bob], "one-create").await;
    assert_eq!(thread, again, "the repeat answers with the same thread");
    let add = json!({"participants": [{"communicationIdentifier": ident(&bob.id)}]});
    let r = env
        .chat(
            Method::POST,
            &format!("/chat/threads/{}/participants/:add", enc(&thread)),
            &alice.token,
            Some(add),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    env.send(&alice, &thread, "marker").await;
    // One subscription delivers in commit order: once the marker is in, every event
    // of the writes before it is too.
    hook.wait_for(std::time::Duration::from_secs(20), |_| {
        !of_type(&hook.events(), "ChatMessageReceivedInThread").is_empty()
    })
    .await;
    let events = hook.events();
    assert_eq!(of_type(&events, "ChatMessageReceivedInThread").len(), 1);
    assert_eq!(of_type(&events, "ChatThreadCreated").len(), 1, "{events:?}");
    assert!(of_type(&events, "ChatThreadParticipantAdded").is_empty());
    assert!(of_type(&events, "ChatParticipantAddedToThreadWithUser").is_empty());
}
