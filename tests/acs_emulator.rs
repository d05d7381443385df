//! Every client operation against the real in-process emulator, over HTTPS with its
//! self-signed certificate as the only trusted root: the client and the emulator are
//! written independently and meet only on the wire.

use std::collections::BTreeMap;
use std::sync::Arc;

use acs_chat::acs::{
    AccessToken, ChatClient, ConnectionString, ErrorKind, HttpConfig, IdentityClient, ListOptions,
    SkipOptions, TokenCredential, TokenScope, Transport,
};
use acs_chat::emulator::{EmulatorConfig, RunningEmulator};
use acs_chat::wire::{
    ChatMessageType, ChatParticipant, CommunicationIdentifierModel, CreateChatThreadRequest,
    SendChatMessageRequest, UpdateChatMessageRequest, UpdateChatThreadRequest,
};
use futures::TryStreamExt as _;

struct Env {
    _emulator: RunningEmulator,
    endpoint: url::Url,
    transport: Transport,
    identity: IdentityClient,
}

impl Env {
    async fn start() -> Self {
        let emulator = acs_chat::emulator::start(EmulatorConfig::for_tests())
            .await
            .expect("emulator");
        let pem = emulator
            .cert_pem
            .clone()
            .expect("https emulator has a certificate");
        let config = HttpConfig {
            extra_ca_pem: vec![pem.into_bytes()],
            trust_only_extra_ca: true,
            ..HttpConfig::default()
        };
        let transport = Transport::new(config).expect("transport");
        let cs = ConnectionString::parse(&emulator.connection_string).expect("connection string");
        let identity = IdentityClient::new(&cs, transport.clone());
        Self {
            endpoint: cs.endpoint.clone(),
            _emulator: emulator,
            transport,
            identity,
        }
    }

    async fn user(&self) -> (String, ChatClient) {
        let (id, token) = self
            .identity
            .create_user_and_token(&[TokenScope::Chat], None)
            .await
            .expect("user");
        let credential = TokenCredential::from_token(token.token).expect("emulator token is a JWT");
        (
            id,
            ChatClient::new(self.endpoint.clone(), credential, self.transport.clone()),
        )
    }
}

fn participant(id: &str, name: &str) -> ChatParticipant {
    ChatParticipant {
        communication_identifier: CommunicationIdentifierModel::user(id),
        display_name: Some(name.to_owned()),
        share_history_time: None,
        metadata: None,
    }
}

fn text(content: &str) -> SendChatMessageRequest {
    SendChatMessageRequest {
        content: content.to_owned(),
        sender_display_name: Some("Alice".into()),
        kind: Some(ChatMessageType::Text),
        metadata: Some(BTreeMap::from([(
            "clientMessageId".to_owned(),
            "18446744073709551615".to_owned(),
        )])),
    }
}

#[tokio::test]
async fn identity_operations() {
    let env = Env::start().await;
    let id = env.identity.create_user().await.expect("create user");
    assert!(id.starts_with("8:acs:"), "{id}");
    let token = env
        .identity
        .issue_token(&id, &[TokenScope::Chat, TokenScope::Voip], Some(60))
        .await
        .expect("issue");
    let lifetime = token.expires_on - time::OffsetDateTime::now_utc();
    assert!(
        lifetime > time::Duration::minutes(58) && lifetime <= time::Duration::minutes(61),
        "{lifetime}"
    );
    assert_eq!(
        acs_chat::acs::jwt_expiry(&token.token)
            .expect("exp")
            .unix_timestamp(),
        token.expires_on.unix_timestamp()
    );
    env.identity.revoke_tokens(&id).await.expect("revoke");
    env.identity.delete_user(&id).await.expect("delete");

    let e = env
        .identity
        .issue_token(&id, &[TokenScope::Chat], Some(10))
        .await
        .expect_err("too short a lifetime");
    assert_eq!((e.kind(), e.status()), (ErrorKind::Http, Some(400)));
}

#[tokio::test]
async fn every_chat_operation() {
    let env = Env::start().await;
    let (alice_id, alice) = env.user().await;
    let (bob_id, bob) = env.user().await;
    let (carol_id, _) = env.user().await;

    // Create, twice with one repeatability id: one thread.
    let request = CreateChatThreadRequest {
        topic: "Lunch".into(),
        participants: vec![participant(&alice_id, "Alice"), participant(&bob_id, "Bob")],
        metadata: Some(BTreeMap::from([("sticky".to_owned(), "false".to_owned())])),
        ..Default::default()
    };
    let repeat = uuid::Uuid::new_v4();
    let created = alice
        .create_thread(&request, Some(repeat))
        .await
        .expect("create");
    let again = alice
        .create_thread(&request, Some(repeat))
        .await
        .expect("repeat");
    let thread_id = created.chat_thread.expect("thread").id;
    assert_eq!(again.chat_thread.expect("thread").id, thread_id);
    assert!(
        thread_id.starts_with("19:") && thread_id.ends_with("@thread.v2"),
        "{thread_id}"
    );

    let threads: Vec<_> = bob
        .list_threads(ListOptions::default())
        .try_collect()
        .await
        .expect("list threads");
    assert_eq!(threads.iter().filter(|t| t.id == thread_id).count(), 1);

    let a = alice.thread(&thread_id);
    let b = bob.thread(&thread_id);
    let props = b.properties().await.expect("properties");
    assert_eq!(
        (props.id.as_str(), props.topic.as_str()),
        (thread_id.as_str(), "Lunch")
    );
    a.update(&UpdateChatThreadRequest {
        topic: Some("Dinner".into()),
        ..Default::default()
    })
    .await
    .expect("update");
    assert_eq!(b.properties().await.expect("properties").topic, "Dinner");

    // Messages: send five, page through them two at a time, newest first.
    let mut sent = Vec::new();
    for i in 0..5 {
        sent.push(
            a.send_message(&text(&format!("hello {i}")))
                .await
                .expect("send"),
        );
    }
    let options = ListOptions {
        max_page_size: Some(2),
        start_time: None,
    };
    let first = b.list_messages_page(&options, None).await.expect("page");
    assert_eq!(first.value.len(), 2);
    assert!(first.next_link.is_some(), "more pages");
    let all: Vec<_> = b
        .list_messages(options)
        .try_collect()
        .await
        .expect("all messages");
    let texts: Vec<_> = all
        .iter()
        .filter(|m| m.kind == ChatMessageType::Text)
        .collect();
    assert_eq!(texts.len(), 5);
    assert_eq!(texts[0].id, sent[4], "newest first");
    assert!(
        all.iter()
            .any(|m| m.kind == ChatMessageType::ParticipantAdded)
    );
    assert!(all.iter().any(|m| m.kind == ChatMessageType::TopicUpdated));
    let m = b.get_message(&sent[0]).await.expect("get");
    assert_eq!(
        m.content.and_then(|c| c.message).as_deref(),
        Some("hello 0")
    );
    assert_eq!(
        m.metadata
            .and_then(|md| md.get("clientMessageId").cloned())
            .as_deref(),
        Some("18446744073709551615")
    );

    a.update_message(
        &sent[0],
        &UpdateChatMessageRequest {
            content: Some("edited".into()),
            metadata: None,
        },
    )
    .await
    .expect("edit");
    let edited = b.get_message(&sent[0]).await.expect("get edited");
    assert!(edited.edited_on.is_some());
    let e = b
        .update_message(
            &sent[0],
            &UpdateChatMessageRequest {
                content: Some("hijack".into()),
                metadata: None,
            },
        )
        .await
        .expect_err("only the sender edits");
    assert_eq!(e.status(), Some(403));
    a.delete_message(&sent[1]).await.expect("delete message");
    // A cursor with milliseconds, as a poller keeps it.
    let since = ListOptions {
        max_page_size: None,
        start_time: Some(edited.created_on - time::Duration::milliseconds(500)),
    };
    let changed: Vec<_> = b.list_messages(since).try_collect().await.expect("changes");
    assert!(
        changed
            .iter()
            .any(|m| m.id == sent[0] && m.edited_on.is_some()),
        "edit listed"
    );
    assert!(
        changed
            .iter()
            .any(|m| m.id == sent[1] && m.deleted_on.is_some()),
        "tombstone listed"
    );

    // Participants.
    let people: Vec<_> = a
        .list_participants(SkipOptions::default())
        .try_collect()
        .await
        .expect("participants");
    assert_eq!(people.len(), 2);
    let page = a
        .list_participants_page(
            &SkipOptions {
                max_page_size: Some(1),
                skip: Some(1),
            },
            None,
        )
        .await
        .expect("skip");
    assert_eq!(page.value.len(), 1);
    let added = a
        .add_participants(vec![participant(&carol_id, "Carol")])
        .await
        .expect("add");
    assert!(added.invalid_participants.is_none_or(|v| v.is_empty()));
    a.remove_participant(&CommunicationIdentifierModel::user(&carol_id))
        .await
        .expect("remove");
    let people: Vec<_> = a
        .list_participants(SkipOptions::default())
        .try_collect()
        .await
        .expect("participants");
    assert_eq!(people.len(), 2);

    // Typing and read receipts.
    b.send_typing(Some("Bob")).await.expect("typing");
    b.send_typing(None).await.expect("typing without name");
    b.send_read_receipt(&sent[4]).await.expect("read receipt");
    let receipts: Vec<_> = a
        .list_read_receipts(SkipOptions::default())
        .try_collect()
        .await
        .expect("receipts");
    assert!(receipts.iter().any(|r| r.chat_message_id == sent[4]
        && r.sender_communication_identifier.raw() == Some(bob_id.as_str())));

    alice
        .delete_thread(&thread_id)
        .await
        .expect("delete thread");
}

#[tokio::test]
async fn service_errors_reach_the_caller_clearly() {
    let env = Env::start().await;
    let (_, alice) = env.user().await;
    let (_, bob) = env.user().await;
    let created = alice
        .create_thread(
            &CreateChatThreadRequest {
                topic: "private".into(),
                ..Default::default()
            },
            None,
        )
        .await
        .expect("create");
    let thread_id = created.chat_thread.expect("thread").id;

    let e = bob
        .thread(&thread_id)
        .properties()
        .await
        .expect_err("not a participant");
    assert_eq!((e.kind(), e.status()), (ErrorKind::Http, Some(403)));
    let e = alice
        .thread("19:00000000000000000000000000000000@thread.v2")
        .properties()
        .await
        .expect_err("unknown");
    assert_eq!((e.status(), e.code()), (Some(404), Some("NotFound")));
    assert!(e.to_string().starts_with("404 NotFound: "), "{e}");
    assert!(e.request_id().is_some());
}

#[tokio::test]
async fn a_revoked_token_is_replaced_by_the_refreshing_credential() {
    let env = Env::start().await;
    let (id, first) = env
        .identity
        .create_user_and_token(&[TokenScope::Chat], None)
        .await
        .expect("user");
    let identity = env.identity.clone();
    let user = id.clone();
    let issued = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let counter = issued.clone();
    let credential = TokenCredential::refreshing(Some(first), move || {
        let (identity, user, counter) = (identity.clone(), user.clone(), counter.clone());
        Box::pin(async move {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let token: AccessToken = identity
                .issue_token(&user, &[TokenScope::Chat], None)
                .await?;
            Ok(token)
        })
    });
    let chat = ChatClient::new(env.endpoint.clone(), credential, env.transport.clone());
    chat.list_threads_page(&ListOptions::default(), None)
        .await
        .expect("first token works");
    env.identity.revoke_tokens(&id).await.expect("revoke");
    chat.list_threads_page(&ListOptions::default(), None)
        .await
        .expect("refreshed after the 401");
    assert_eq!(issued.load(std::sync::atomic::Ordering::SeqCst), 1);
}
