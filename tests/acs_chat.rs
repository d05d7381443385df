//! Every Chat operation through the client against a scripted server: the requests
//! must look as the service expects (paths, encoding, headers, bodies, content types)
//! and recorded service answers must parse.

mod acs_common;

use acs_chat::acs::{ChatClient, ErrorKind, HttpConfig, ListOptions, SkipOptions};
use acs_chat::wire::{
    ChatMessageType, ChatParticipant, CommunicationIdentifierModel, CreateChatThreadRequest,
    SendChatMessageRequest, UpdateChatMessageRequest, UpdateChatThreadRequest,
};
use acs_common::recorded::*;
use acs_common::*;
use futures::TryStreamExt as _;

/// Answers like the service for every chat route of the recorded thread.
fn chat_service(r: &Recorded, _: usize) -> Reply {
    let base = format!("http://{}", r.header("host").unwrap_or_default());
    let t = format!("/chat/threads/{THREAD_ENCODED}");
    let path = r.path();
    match (r.method.as_str(), path) {
        ("POST", "/chat/threads") => Reply::json(201, CREATE_THREAD_201),
        ("GET", "/chat/threads") => Reply::json(200, THREADS),
        ("GET", p) if p == t => Reply::json(200, THREAD_PROPERTIES),
        ("PATCH", p) if p == t => Reply::empty(204),
        ("DELETE", p) if p == t => Reply::empty(204),
        ("POST", p) if p == format!("{t}/messages") => {
            Reply::json(201, r#"{"id":"1648676192118"}"#)
        }
        ("GET", p) if p == format!("{t}/messages") => {
            Reply::json(200, &MESSAGES_PAGE_1.replace("BASE", &base))
        }
        // The service's nextLink has the thread id unencoded in the path.
        ("GET", p) if p == format!("/chat/threads/{THREAD}/messages") => {
            Reply::json(200, MESSAGES_PAGE_2)
        }
        ("GET", p) if p == format!("{t}/messages/1697712387445") => Reply::json(
            200,
            MESSAGES_PAGE_2
                .replace(r#"{"value":["#, "")
                .trim_end_matches("]}"),
        ),
        ("PATCH" | "DELETE", p) if p == format!("{t}/messages/1697712387445") => Reply::empty(204),
        ("GET", p) if p == format!("{t}/participants") => Reply::json(200, PARTICIPANTS),
        ("POST", p) if p == format!("{t}/participants/:add") => Reply::json(201, "{}"),
        ("POST", p) if p == format!("{t}/participants/:remove") => Reply::empty(204),
        ("POST", p) if p == format!("{t}/typing") => {
            Reply::With(200, vec![("content-length", "0".into())], String::new())
        }
        ("POST", p) if p == format!("{t}/readReceipts") => Reply::empty(200),
        ("GET", p) if p == format!("{t}/readReceipts") => Reply::json(200, RECEIPTS),
        _ => Reply::json(
            404,
            r#"{"CommunicationError":{"Code":"NotFound","Message":"no route","Details":[]}}"#,
        ),
    }
}

async fn client(server: &MockServer) -> ChatClient {
    ChatClient::new(
        server.url.clone(),
        credential(),
        transport(HttpConfig::default()),
    )
}

fn only(server: &MockServer, method: &str, path_prefix: &str) -> Recorded {
    let matching: Vec<Recorded> = server
        .requests()
        .into_iter()
        .filter(|r| r.method == method && r.path_and_query.starts_with(path_prefix))
        .collect();
    assert_eq!(matching.len(), 1, "{method} {path_prefix}: {matching:?}");
    matching.into_iter().next().expect("one")
}

#[tokio::test]
async fn every_request_carries_auth_accept_and_a_fresh_request_id() {
    let server = MockServer::start(chat_service).await;
    let chat = client(&server).await;
    let thread = chat.thread(THREAD);
    thread.properties().await.expect("properties");
    thread.properties().await.expect("properties again");
    let token = chat.credential().token().await.expect("token");
    let requests = server.requests();
    for r in &requests {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {token}").as_str())
        );
        assert_eq!(r.header("accept"), Some("application/json"));
        assert!(is_uuid(r.header("x-ms-client-request-id")));
        assert!(
            r.path_and_query.ends_with("?api-version=2025-03-15"),
            "{}",
            r.path_and_query
        );
    }
    assert_ne!(
        requests[0].header("x-ms-client-request-id"),
        requests[1].header("x-ms-client-request-id")
    );
}

#[tokio::test]
async fn threads() {
    let server = MockServer::start(chat_service).await;
    let chat = client(&server).await;

    let request = CreateChatThreadRequest {
        topic: "test topic".into(),
        participants: vec![ChatParticipant {
            communication_identifier: CommunicationIdentifierModel::user(USER),
            display_name: Some("Alice".into()),
            share_history_time: None,
            metadata: None,
        }],
        ..Default::default()
    };
    let created = chat.create_thread(&request, None).await.expect("create");
    assert_eq!(
        created.chat_thread.expect("thread").id,
        "19:ZFZyPgSr4MhkDfCnXSa6rKVR00T-pr_H_KFLgkMMCmE1@thread.v2"
    );
    let r = only(&server, "POST", "/chat/threads?");
    assert!(is_uuid(r.header("repeatability-request-id")));
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.json()["participants"][0]["communicationIdentifier"]["rawId"],
        USER
    );

    let fixed = uuid::Uuid::new_v4();
    chat.create_thread(&request, Some(fixed))
        .await
        .expect("create with id");
    let last = server.requests().pop().expect("request");
    assert_eq!(
        last.header("repeatability-request-id"),
        Some(fixed.to_string().as_str())
    );

    let options = ListOptions {
        max_page_size: Some(5),
        start_time: Some(time::macros::datetime!(2024-01-01 0:00 UTC)),
    };
    let threads: Vec<_> = chat
        .list_threads(options)
        .try_collect()
        .await
        .expect("list");
    assert_eq!(threads.len(), 3);
    assert!(threads[1].deleted_on.is_some() && threads[2].last_message_received_on.is_none());
    let r = only(&server, "GET", "/chat/threads?");
    assert_eq!(
        r.path_and_query,
        "/chat/threads?maxPageSize=5&startTime=2024-01-01T00%3A00%3A00.000Z&api-version=2025-03-15"
    );

    let props = chat.thread(THREAD).properties().await.expect("properties");
    assert_eq!(props.id, THREAD);
    assert_eq!(props.retention_policy.expect("policy").kind, "none");

    let update = UpdateChatThreadRequest {
        topic: Some("New topic".into()),
        ..Default::default()
    };
    chat.thread(THREAD).update(&update).await.expect("update");
    let r = only(
        &server,
        "PATCH",
        &format!("/chat/threads/{THREAD_ENCODED}?"),
    );
    assert_eq!(
        r.header("content-type"),
        Some("application/merge-patch+json")
    );
    assert_eq!(r.json(), serde_json::json!({"topic": "New topic"}));

    chat.delete_thread(THREAD).await.expect("delete");
    only(
        &server,
        "DELETE",
        &format!("/chat/threads/{THREAD_ENCODED}?api-version=2025-03-15"),
    );
}

#[tokio::test]
async fn messages_page_through_the_services_next_link() {
    let server = MockServer::start(chat_service).await;
    let thread = client(&server).await.thread(THREAD);

    let options = ListOptions {
        max_page_size: Some(3),
        start_time: None,
    };
    let messages: Vec<_> = thread
        .list_messages(options.clone())
        .try_collect()
        .await
        .expect("all pages");
    let seq: Vec<&str> = messages.iter().map(|m| m.sequence_id.as_str()).collect();
    assert_eq!(seq, ["4", "3", "2", "1"], "newest first across both pages");
    assert_eq!(messages[0].kind, ChatMessageType::Text);
    assert_eq!(messages[0].sender_display_name.as_deref(), Some(""));
    assert_eq!(messages[3].kind, ChatMessageType::ParticipantAdded);
    let requests = server.requests();
    assert_eq!(
        requests[0].path_and_query,
        format!("/chat/threads/{THREAD_ENCODED}/messages?maxPageSize=3&api-version=2025-03-15")
    );
    assert!(
        requests[1]
            .path_and_query
            .starts_with(&format!("/chat/threads/{THREAD}/messages?syncState=3e39"))
    );
    assert!(
        requests[1]
            .path_and_query
            .ends_with("&maxPageSize=3&api-version=2021-09-07"),
        "nextLink followed as-is"
    );

    // The page API hands back the link for the caller to follow later.
    let first = thread
        .list_messages_page(&options, None)
        .await
        .expect("page 1");
    let link = first.next_link.expect("next link");
    let second = thread
        .list_messages_page(&options, Some(&link))
        .await
        .expect("page 2");
    assert_eq!(second.value.len(), 1);
    assert!(second.next_link.is_none());

    let id = thread
        .send_message(&SendChatMessageRequest {
            content: "content".into(),
            kind: Some(ChatMessageType::Text),
            metadata: Some([("tags".to_owned(), "sometag".to_owned())].into()),
            ..Default::default()
        })
        .await
        .expect("send");
    assert_eq!(id, "1648676192118");
    let r = only(
        &server,
        "POST",
        &format!("/chat/threads/{THREAD_ENCODED}/messages?"),
    );
    assert_eq!(
        r.json(),
        serde_json::json!({"content": "content", "type": "text", "metadata": {"tags": "sometag"}})
    );
    assert_eq!(r.header("repeatability-request-id"), None);

    let m = thread.get_message("1697712387445").await.expect("get");
    assert_eq!(
        m.content
            .expect("content")
            .participants
            .expect("participants")
            .len(),
        2
    );
    let edit = UpdateChatMessageRequest {
        content: Some("edited".into()),
        metadata: None,
    };
    thread
        .update_message("1697712387445", &edit)
        .await
        .expect("update");
    let r = only(
        &server,
        "PATCH",
        &format!("/chat/threads/{THREAD_ENCODED}/messages/1697712387445?"),
    );
    assert_eq!(
        r.header("content-type"),
        Some("application/merge-patch+json")
    );
    assert_eq!(r.json(), serde_json::json!({"content": "edited"}));
    thread
        .delete_message("1697712387445")
        .await
        .expect("delete");
    only(
        &server,
        "DELETE",
        &format!("/chat/threads/{THREAD_ENCODED}/messages/1697712387445?"),
    );
}

#[tokio::test]
async fn participants_receipts_and_typing() {
    let server = MockServer::start(chat_service).await;
    let thread = client(&server).await.thread(THREAD);

    let options = SkipOptions {
        max_page_size: Some(10),
        skip: Some(0),
    };
    let people: Vec<_> = thread
        .list_participants(options)
        .try_collect()
        .await
        .expect("participants");
    assert_eq!(people.len(), 2);
    assert_eq!(people[1].display_name.as_deref(), Some("Bob"));
    let r = only(
        &server,
        "GET",
        &format!("/chat/threads/{THREAD_ENCODED}/participants?"),
    );
    assert!(
        r.path_and_query
            .ends_with("/participants?maxPageSize=10&skip=0&api-version=2025-03-15")
    );

    let bob = ChatParticipant {
        communication_identifier: CommunicationIdentifierModel::user(USER),
        display_name: Some("Bob".into()),
        share_history_time: None,
        metadata: None,
    };
    let added = thread.add_participants(vec![bob]).await.expect("add");
    assert!(added.invalid_participants.is_none());
    let r = only(
        &server,
        "POST",
        &format!("/chat/threads/{THREAD_ENCODED}/participants/:add?"),
    );
    assert_eq!(r.json()["participants"][0]["displayName"], "Bob");

    thread
        .remove_participant(&CommunicationIdentifierModel::user(USER))
        .await
        .expect("remove");
    let r = only(
        &server,
        "POST",
        &format!("/chat/threads/{THREAD_ENCODED}/participants/:remove?"),
    );
    assert_eq!(
        r.json(),
        serde_json::json!({"rawId": USER, "communicationUser": {"id": USER}}),
        "a bare identifier"
    );

    thread.send_typing(None).await.expect("typing");
    thread
        .send_typing(Some("Alice"))
        .await
        .expect("typing with name");
    let typing: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.path().ends_with("/typing"))
        .collect();
    assert_eq!(typing[0].json(), serde_json::json!({}));
    assert_eq!(
        typing[1].json(),
        serde_json::json!({"senderDisplayName": "Alice"})
    );

    thread
        .send_read_receipt("1697712387445")
        .await
        .expect("receipt");
    let r = only(
        &server,
        "POST",
        &format!("/chat/threads/{THREAD_ENCODED}/readReceipts?"),
    );
    assert_eq!(
        r.json(),
        serde_json::json!({"chatMessageId": "1697712387445"})
    );
    let receipts: Vec<_> = thread
        .list_read_receipts(SkipOptions::default())
        .try_collect()
        .await
        .expect("receipts");
    assert_eq!(receipts[0].chat_message_id, "1697712387445");
}

#[tokio::test]
async fn service_errors_become_clear_errors() {
    let server = MockServer::start(|r, _| match r.path() {
        p if p.ends_with("/participants") => Reply::json(
            404,
            "{\r\n  \"CommunicationError\": {\r\n    \"Code\": \"NotFound\",\r\n    \"Message\": \"The specified thread id was not found.\",\r\n    \"Details\": []\r\n  }\r\n}",
        ),
        p if p.ends_with("/messages") => Reply::empty(401),
        _ => Reply::json(403, r#"{"error":{"code":"Forbidden","message":"User is not allowed to perform specified action."}}"#),
    })
    .await;
    let thread = client(&server).await.thread(THREAD);

    let e = thread
        .list_participants_page(&SkipOptions::default(), None)
        .await
        .expect_err("404");
    assert_eq!(
        (e.kind(), e.status(), e.code()),
        (ErrorKind::Http, Some(404), Some("NotFound"))
    );
    let sent_id = server.requests()[0]
        .header("x-ms-client-request-id")
        .expect("id")
        .to_owned();
    assert_eq!(e.request_id(), Some(sent_id.as_str()));
    assert_eq!(
        e.to_string(),
        format!("404 NotFound: The specified thread id was not found. (request id {sent_id})")
    );

    let e = thread
        .list_messages_page(&ListOptions::default(), None)
        .await
        .expect_err("401");
    assert!(e.is_unauthorized() && e.code().is_none());

    let e = thread.properties().await.expect_err("403");
    assert_eq!(e.code(), Some("Forbidden"));
    assert!(!e.is_retryable());
}

#[tokio::test]
async fn malformed_success_bodies_are_invalid_responses() {
    let server = MockServer::start(|r, _| match r.path() {
        "/chat/threads" => Reply::json(201, r#"{"invalidParticipants":[]}"#),
        _ => Reply::json(200, r#"{"value": "not a list"}"#),
    })
    .await;
    let chat = client(&server).await;
    let e = chat
        .create_thread(
            &CreateChatThreadRequest {
                topic: "t".into(),
                ..Default::default()
            },
            None,
        )
        .await
        .expect_err("no thread");
    assert_eq!(e.kind(), ErrorKind::InvalidResponse);
    let e = chat
        .thread(THREAD)
        .list_messages_page(&ListOptions::default(), None)
        .await
        .expect_err("bad page");
    assert_eq!(e.kind(), ErrorKind::InvalidResponse);
    assert!(e.request_id().is_some());
}

/// Callers spawn these calls on tokio tasks: the clients must be shareable and every
/// future `Send`.
#[test]
fn clients_and_their_futures_can_move_across_tasks() {
    fn send_sync<T: Send + Sync + Clone + 'static>() {}
    fn send<T: Send>(_: &T) {}
    send_sync::<ChatClient>();
    send_sync::<acs_chat::acs::ChatThreadClient>();
    send_sync::<acs_chat::acs::IdentityClient>();
    send_sync::<acs_chat::acs::Transport>();
    send_sync::<acs_chat::acs::TokenCredential>();
    send_sync::<acs_chat::acs::Error>();

    let chat = ChatClient::new(
        url::Url::parse("https://acs.example/").expect("url"),
        credential(),
        transport(HttpConfig::default()),
    );
    let thread = chat.thread(THREAD);
    let request = SendChatMessageRequest::default();
    send(&thread.send_message(&request));
    send(&thread.list_messages(ListOptions::default()));
    send(&thread.list_messages_page(&ListOptions::default(), None));
    send(&chat.create_thread(&CreateChatThreadRequest::default(), None));
    send(&chat.credential().token());
    let cs = acs_chat::acs::ConnectionString::parse("endpoint=https://acs.example/;accesskey=a2V5")
        .expect("cs");
    let identity = acs_chat::acs::IdentityClient::new(&cs, transport(HttpConfig::default()));
    send(&identity.create_user_and_token(&[acs_chat::acs::TokenScope::Chat], None));
}
