//! What push delivers: messages merged with polls (never twice), typing shown, joined,
//! expired and cleared, receipts, topics, membership, and the status bar's words.

use std::collections::BTreeMap;
use std::time::Duration;

use time::OffsetDateTime;

use super::*;
use crate::acs::realtime::{
    ChatEvent, Membership, MessageDeleted, MessageEvent, MessageInfo, Participant, PushState,
    ReadReceipt, ThreadUpdated, Typing,
};
use crate::tui::entry::Body;
use crate::tui::event::META_CLIENT_MESSAGE_ID;

fn secs(s: i64) -> OffsetDateTime {
    t0() + time::Duration::seconds(s)
}

fn info(id: &str, from: &str, version: &str, at: OffsetDateTime) -> MessageInfo {
    MessageInfo {
        thread_id: T1.into(),
        message_id: id.into(),
        sender_id: from.into(),
        sender_display_name: if from == ALICE { "Alice" } else { "Bob" }.into(),
        message_type: "text".into(),
        version: version.into(),
        created_on: at,
    }
}

fn pushed(app: &mut App, event: ChatEvent, at: OffsetDateTime) -> Vec<Command> {
    app.update(Event::Pushed { event, at })
}

fn received(id: &str, from: &str, text: &str, at: OffsetDateTime) -> ChatEvent {
    ChatEvent::MessageReceived(MessageEvent {
        info: info(id, from, id, at),
        content: text.into(),
        metadata: BTreeMap::new(),
        edited_on: None,
    })
}

fn typing(from: &str, name: &str) -> ChatEvent {
    ChatEvent::Typing(Typing {
        thread_id: T1.into(),
        sender_id: from.into(),
        sender_display_name: name.into(),
        received_on: t0(),
    })
}

fn texts(app: &App) -> Vec<String> {
    conv(app)
        .entries()
        .iter()
        .map(|e| match &e.body {
            Body::Text(t) => t.clone(),
            other => format!("{other:?}"),
        })
        .collect()
}

fn typing_line(app: &App) -> Option<String> {
    crate::tui::theme::typing(&app.typing_names())
}

#[test]
fn a_pushed_message_shows_at_once_and_its_poll_copy_does_not_show_twice() {
    let mut app = app();
    pushed(&mut app, received("1", BOB, "hi", secs(1)), secs(1));
    assert_eq!(texts(&app), ["hi"]);
    // The safety net's poll brings the same message (same id and version).
    app.update(Event::MessagesPolled {
        thread_id: T1.into(),
        messages: vec![msg("1", BOB, "hi", secs(1))],
    });
    assert_eq!(texts(&app), ["hi"]);
}

#[test]
fn our_own_send_pushed_back_merges_with_the_pending_copy() {
    let mut app = app();
    let p = send(&mut app, "hello");
    let mut metadata = BTreeMap::new();
    metadata.insert(
        META_CLIENT_MESSAGE_ID.to_owned(),
        p.client_message_id.clone(),
    );
    let event = ChatEvent::MessageReceived(MessageEvent {
        info: info("7", ALICE, "7", secs(1)),
        content: "hello".into(),
        metadata,
        edited_on: None,
    });
    pushed(&mut app, event, secs(1));
    assert_eq!(texts(&app), ["hello"]);
    assert_eq!(conv(&app).entries()[0].id.as_deref(), Some("7"));
    // The send's own answer and a poll change nothing.
    ack_then_poll(&mut app, &p, "7");
    assert_eq!(texts(&app), ["hello"]);
}

#[test]
fn pushed_edits_and_deletes_replace_the_message_and_stale_ones_do_not() {
    let mut app = app();
    pushed(&mut app, received("1", BOB, "helo", secs(1)), secs(1));
    let edited = ChatEvent::MessageEdited(MessageEvent {
        info: info("1", BOB, "5", secs(1)),
        content: "hello".into(),
        metadata: BTreeMap::new(),
        edited_on: Some(secs(2)),
    });
    pushed(&mut app, edited, secs(2));
    assert_eq!(texts(&app), ["hello"]);
    assert!(conv(&app).entries()[0].edited);
    // A poll still holding the first version does not undo the edit.
    app.update(Event::MessagesPolled {
        thread_id: T1.into(),
        messages: vec![msg("1", BOB, "helo", secs(1))],
    });
    assert_eq!(texts(&app), ["hello"]);
    let deleted = ChatEvent::MessageDeleted(MessageDeleted {
        info: info("1", BOB, "9", secs(1)),
        deleted_on: secs(3),
    });
    pushed(&mut app, deleted, secs(3));
    assert_eq!(conv(&app).len(), 1);
    assert!(conv(&app).entries()[0].deleted);
}

#[test]
fn typing_is_shown_joined_and_sanitized_and_expires_by_the_clock() {
    let mut app = app();
    pushed(&mut app, typing(BOB, "Bob\x1b[31m"), secs(1));
    assert_eq!(typing_line(&app).as_deref(), Some("Bob is typing…"));
    pushed(&mut app, typing("8:acs:carol", "Carol"), secs(3));
    let line = typing_line(&app).unwrap_or_default();
    assert!(
        line.ends_with(" are typing…") && line.contains(" and "),
        "{line}"
    );
    // Our own typing, pushed back to us, is not shown.
    pushed(&mut app, typing(ALICE, "Alice"), secs(3));
    assert_eq!(app.typing_names().len(), 2);
    // Bob's lifetime ends 8 s after it arrived; Carol's two seconds later.
    app.update(Event::Tick {
        now: secs(1 + TYPING_SHOWN_SECS - 1),
    });
    assert_eq!(app.typing_names().len(), 2);
    app.update(Event::Tick {
        now: secs(1 + TYPING_SHOWN_SECS),
    });
    assert_eq!(typing_line(&app).as_deref(), Some("Carol is typing…"));
    app.update(Event::Tick {
        now: secs(3 + TYPING_SHOWN_SECS),
    });
    assert_eq!(typing_line(&app), None);
}

#[test]
fn typing_goes_when_that_senders_message_arrives_by_push_or_poll() {
    let mut app = app();
    pushed(&mut app, typing(BOB, "Bob"), secs(1));
    pushed(&mut app, typing("8:acs:carol", "Carol"), secs(1));
    pushed(&mut app, received("1", BOB, "hi", secs(2)), secs(2));
    assert_eq!(typing_line(&app).as_deref(), Some("Carol is typing…"));
    app.update(Event::MessagesPolled {
        thread_id: T1.into(),
        messages: vec![msg("2", "8:acs:carol", "yo", secs(2))],
    });
    assert_eq!(typing_line(&app), None);
}

#[test]
fn the_typing_line_takes_a_row_under_the_message_pane() {
    let mut app = app();
    let before = crate::tui::layout::Areas::compute(&app);
    assert_eq!(before.typing, None);
    pushed(&mut app, typing(BOB, "Bob"), secs(1));
    let a = crate::tui::layout::Areas::compute(&app);
    let row = a.typing.expect("a typing row");
    assert_eq!(a.messages.height + 1, before.messages.height);
    assert_eq!(row.y, a.messages.y + a.messages.height);
    assert_eq!(row.x, a.messages.x);
}

#[test]
fn many_typists_are_counted() {
    assert_eq!(
        crate::tui::theme::typing(&["A", "B", "C", "D", "E"]).as_deref(),
        Some("A, B and 3 others are typing…")
    );
    assert_eq!(
        crate::tui::theme::typing(&["A", "B", "C"]).as_deref(),
        Some("A, B and C are typing…")
    );
}

#[test]
fn a_pushed_receipt_marks_our_message_seen() {
    let mut app = app();
    let p = send(&mut app, "hello");
    ack_then_poll(&mut app, &p, "7");
    assert!(app.status_labels().seen.is_none());
    let receipt = ChatEvent::ReadReceipt(ReadReceipt {
        thread_id: T1.into(),
        sender_id: BOB.into(),
        message_id: "7".into(),
        read_on: secs(2),
    });
    pushed(&mut app, receipt, secs(2));
    assert!(app.status_labels().seen.is_some());
}

fn who(id: &str) -> Participant {
    Participant {
        id: id.into(),
        display_name: String::new(),
        share_history_time: None,
        metadata: BTreeMap::new(),
    }
}

#[test]
fn pushed_topic_and_removal_change_the_thread_list() {
    let mut app = app();
    app.update(Event::ThreadsListed {
        threads: vec![item(T2, "Other", Some(t0()))],
    });
    let updated = ChatEvent::ThreadUpdated(ThreadUpdated {
        thread_id: T2.into(),
        version: "2".into(),
        updated_on: secs(1),
        updated_by: who(BOB),
        topic: "New\ntopic".into(),
        metadata: BTreeMap::new(),
    });
    pushed(&mut app, updated, secs(1));
    assert_eq!(app.threads[T2].topic, "New topic");
    let removed = |thread: &str, whom: &str| {
        ChatEvent::ParticipantsRemoved(Membership {
            thread_id: thread.into(),
            version: "3".into(),
            time: secs(2),
            by: who(BOB),
            participants: vec![who(whom)],
        })
    };
    // Someone else removed: the thread stays, and REST tells the rest.
    let cmds = pushed(&mut app, removed(T2, "8:acs:carol"), secs(2));
    assert!(app.threads.contains_key(T2));
    assert!(cmds.contains(&Command::Refresh {
        thread_id: T2.into()
    }));
    // We were removed: it leaves the list at once, without a poll.
    pushed(&mut app, removed(T2, ALICE), secs(3));
    assert!(!app.threads.contains_key(T2));
}

#[test]
fn a_message_of_an_unlisted_thread_asks_for_the_thread_list() {
    let mut app = app();
    let mut event = received("1", BOB, "hi", secs(1));
    if let ChatEvent::MessageReceived(m) = &mut event {
        m.info.thread_id = T2.into();
    }
    let cmds = pushed(&mut app, event, secs(1));
    assert_eq!(app.threads[T2].unread, 1);
    assert!(cmds.contains(&Command::Refresh {
        thread_id: T2.into()
    }));
}

#[test]
fn the_status_bar_says_live_or_polling_and_why() {
    let mut app = app();
    assert_eq!(app.push_label(), None, "push off: today's status");
    app.update(Event::PushState(PushState::Live));
    assert_eq!(app.push_label().as_deref(), Some("live"));
    app.update(Event::PushState(PushState::Down {
        reason: "the configuration call answered 404".into(),
        retry_in: Duration::from_secs(2),
    }));
    assert_eq!(
        app.push_label().as_deref(),
        Some("polling (push unavailable: the configuration call answered 404)")
    );
}
