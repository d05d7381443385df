//! Sending, merging, edits, failures, receipts and delivery status.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::tui::app::*;
use crate::tui::entry::{Body, LocalState};
use crate::wire::{
    ChatMessageContent, ChatMessageReadReceipt, ChatMessageType, CommunicationIdentifierModel,
};

#[test]
fn send_shows_pending_and_emits_send() {
    let mut app = app();
    let p = send(&mut app, "hello");
    assert_eq!(
        (
            p.thread_id.as_str(),
            p.content.as_str(),
            p.display_name.as_str()
        ),
        (T1, "hello", "Alice")
    );
    assert!(
        p.client_message_id.parse::<u64>().is_ok(),
        "decimal u64: {}",
        p.client_message_id
    );
    assert_eq!(p.priority, Priority::Normal);
    assert_eq!(
        p.metadata().get("clientMessageId"),
        Some(&p.client_message_id)
    );
    assert_eq!(conv(&app).len(), 1);
    assert_eq!(conv(&app).entries()[0].local, Some(LocalState::Sending));
    assert!(app.compose.is_empty(), "compose cleared");
    let p2 = send(&mut app, "again");
    assert_ne!(p.client_message_id, p2.client_message_id);
}

#[test]
fn high_priority_applies_to_the_next_message_only() {
    let mut app = app();
    app.update(alt('p'));
    assert_eq!(send(&mut app, "urgent").priority, Priority::High);
    assert_eq!(send(&mut app, "calm").priority, Priority::Normal);
}

#[test]
fn poller_copy_merges_by_client_message_id_never_twice() {
    // Copy arrives after the send result...
    let mut app = app();
    let p = send(&mut app, "hello");
    app.update(Event::SendResult {
        thread_id: T1.into(),
        client_message_id: p.client_message_id.clone(),
        result: Ok("1001".into()),
    });
    assert_eq!(conv(&app).entries()[0].local, Some(LocalState::Sent));
    app.update(Event::MessagesPolled {
        thread_id: T1.into(),
        messages: vec![server_copy(&p, "1001")],
    });
    assert_eq!(conv(&app).len(), 1);
    assert_eq!(conv(&app).entries()[0].local, None);
    // ...or before it (the poller was faster than the sender's response).
    let q = send(&mut app, "second");
    app.update(Event::MessagesPolled {
        thread_id: T1.into(),
        messages: vec![server_copy(&q, "1002")],
    });
    ack_then_poll(&mut app, &q, "1002");
    assert_eq!(conv(&app).len(), 2, "{:?}", conv(&app).entries());
    assert!(conv(&app).entries().iter().all(|e| e.local.is_none()));
}

#[test]
fn someone_elses_message_with_a_colliding_client_id_is_not_merged() {
    let mut app = app();
    let p = send(&mut app, "mine");
    let mut theirs = msg("1001", BOB, "theirs", t0());
    theirs.metadata = Some(p.metadata());
    app.update(Event::MessagesPolled {
        thread_id: T1.into(),
        messages: vec![theirs],
    });
    assert_eq!(conv(&app).len(), 2);
}

#[test]
fn edits_and_deletes_replace_by_id_newest_version_wins() {
    let mut app = app();
    app.update(Event::MessagesPolled {
        thread_id: T1.into(),
        messages: vec![msg("1001", BOB, "first", t0())],
    });
    let mut edited = msg("1001", BOB, "first (fixed)", t0());
    edited.version = "2000".into();
    edited.edited_on = Some(t0());
    let mut stale = msg("1001", BOB, "stale", t0());
    stale.version = "1500".into();
    app.update(Event::MessagesPolled {
        thread_id: T1.into(),
        messages: vec![edited, stale],
    });
    let e = &conv(&app).entries()[0];
    assert_eq!(
        (conv(&app).len(), &e.body, e.edited),
        (1, &Body::Text("first (fixed)".into()), true)
    );
    let mut deleted = msg("1001", BOB, "", t0());
    deleted.version = "3000".into();
    deleted.deleted_on = Some(t0());
    app.update(Event::MessagesPolled {
        thread_id: T1.into(),
        messages: vec![deleted],
    });
    assert!(conv(&app).entries()[0].deleted);
    assert_eq!(conv(&app).len(), 1);
}

#[test]
fn failed_send_can_be_retried_or_discarded() {
    let mut app = app();
    let p = send(&mut app, "hello");
    app.update(Event::SendResult {
        thread_id: T1.into(),
        client_message_id: p.client_message_id.clone(),
        result: Err("503 busy".into()),
    });
    assert!(conv(&app).entries()[0].is_failed());
    assert!(app.notice.as_ref().is_some_and(|n| n.is_error));
    assert_eq!(conv(&app).status_labels().failed.len(), 1);
    let cmds = app.update(alt('r'));
    assert!(cmds.contains(&Command::RetrySend {
        thread_id: T1.into(),
        client_message_id: p.client_message_id.clone()
    }));
    assert_eq!(conv(&app).entries()[0].local, Some(LocalState::Sending));
    app.update(Event::SendResult {
        thread_id: T1.into(),
        client_message_id: p.client_message_id.clone(),
        result: Err("again".into()),
    });
    let cmds = app.update(alt('x'));
    assert!(cmds.contains(&Command::DiscardSend {
        thread_id: T1.into(),
        client_message_id: p.client_message_id.clone()
    }));
    assert!(conv(&app).is_empty());
}

#[test]
fn outbox_restores_pending_messages() {
    let mut app = app();
    let p = PendingSend {
        thread_id: T1.into(),
        client_message_id: "77".into(),
        content: "from last time".into(),
        priority: Priority::High,
        display_name: "Alice".into(),
        created_at: t0(),
    };
    let cmds = app.update(Event::Outbox {
        thread_id: T1.into(),
        pending: vec![p.clone(), p],
    });
    assert!(
        !cmds.iter().any(|c| matches!(c, Command::Send(_))),
        "the sender already owns them"
    );
    assert_eq!(conv(&app).len(), 1);
    assert_eq!(conv(&app).entries()[0].local, Some(LocalState::Sending));
}

#[test]
fn read_receipt_is_sent_once_for_the_newest_shown_message() {
    let mut app = app();
    let receipts = |cmds: &[Command]| {
        cmds.iter()
            .filter_map(|c| {
                if let Command::SendReadReceipt { message_id, .. } = c {
                    Some(message_id.clone())
                } else {
                    None
                }
            })
            .collect::<Vec<_>>()
    };
    let cmds = app.update(Event::MessagesPolled {
        thread_id: T1.into(),
        messages: vec![
            msg("1001", BOB, "one", t0()),
            msg("1002", BOB, "two", t0() + time::Duration::seconds(1)),
            msg("1003", ALICE, "mine", t0() + time::Duration::seconds(2)),
        ],
    });
    assert_eq!(receipts(&cmds), ["1002"], "newest from someone else");
    assert!(
        receipts(&app.update(Event::Tick {
            now: t0() + time::Duration::seconds(3)
        }))
        .is_empty(),
        "only once"
    );
    let cmds = app.update(Event::MessagesPolled {
        thread_id: T1.into(),
        messages: vec![msg("1004", BOB, "three", t0() + time::Duration::seconds(4))],
    });
    assert_eq!(receipts(&cmds), ["1004"]);
    // Not while the help overlay hides the messages.
    app.update(Event::Key(KeyEvent::new(KeyCode::F(1), KeyModifiers::NONE)));
    let cmds = app.update(Event::MessagesPolled {
        thread_id: T1.into(),
        messages: vec![msg("1005", BOB, "four", t0() + time::Duration::seconds(5))],
    });
    assert!(receipts(&cmds).is_empty());
}

#[test]
fn seen_status_follows_read_receipts() {
    let mut app = app();
    app.update(Event::MessagesPolled {
        thread_id: T1.into(),
        messages: vec![
            msg("1001", ALICE, "a", t0()),
            msg("1002", ALICE, "b", t0() + time::Duration::seconds(1)),
        ],
    });
    let labels = conv(&app).status_labels();
    assert!(labels.sent.is_some() && labels.seen.is_none());
    app.update(Event::ReadReceipts {
        thread_id: T1.into(),
        receipts: vec![ChatMessageReadReceipt {
            sender_communication_identifier: CommunicationIdentifierModel::user(BOB),
            chat_message_id: "1001".into(),
            read_on: t0(),
        }],
    });
    let labels = conv(&app).status_labels();
    let seen_key = conv(&app).by_message_id("1001").map(|e| e.key.clone());
    assert_eq!(
        labels.seen.as_ref().map(|(k, _)| Some(k.clone())),
        Some(seen_key)
    );
    assert_eq!(
        labels.sent,
        conv(&app).by_message_id("1002").map(|e| e.key.clone())
    );
}

#[test]
fn system_messages_do_not_count_as_unread_and_refresh_participants() {
    let mut app = app();
    let mut sys = msg("1001", BOB, "", t0());
    sys.kind = ChatMessageType::ParticipantAdded;
    sys.sender_communication_identifier = None;
    sys.content = Some(ChatMessageContent {
        participants: Some(vec![]),
        ..Default::default()
    });
    let cmds = app.update(Event::MessagesPolled {
        thread_id: T1.into(),
        messages: vec![sys],
    });
    assert!(cmds.contains(&Command::FetchParticipants {
        thread_id: T1.into()
    }));
}
