//! Unit tests of `App::update`: event in, state and commands out. Shared fixtures here;
//! the tests are grouped by topic in the submodules.

mod compose;
mod gone;
mod push;
mod sending;
mod threads;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use time::OffsetDateTime;
use time::macros::datetime;

use super::*;
use crate::wire::{
    ChatMessage, ChatMessageContent, ChatMessageType, ChatThreadItem, CommunicationIdentifierModel,
};

pub(super) const ALICE: &str = "8:acs:alice";
pub(super) const BOB: &str = "8:acs:bob";
pub(super) const T1: &str = "19:t1@thread.v2";
pub(super) const T2: &str = "19:t2@thread.v2";

pub(super) fn t0() -> OffsetDateTime {
    datetime!(2026-11-24 09:00 UTC)
}

pub(super) fn profile() -> ProfileInfo {
    ProfileInfo {
        name: "alice".into(),
        user_id: ALICE.into(),
        display_name: "Alice".into(),
        endpoint: "https://127.0.0.1:47443".into(),
        known_profiles: vec![("alice".into(), ALICE.into()), ("bob".into(), BOB.into())],
    }
}

pub(super) fn msg(id: &str, from: &str, text: &str, at: OffsetDateTime) -> ChatMessage {
    ChatMessage {
        id: id.into(),
        kind: ChatMessageType::Text,
        sequence_id: id.into(),
        version: id.into(),
        content: Some(ChatMessageContent {
            message: Some(text.into()),
            ..Default::default()
        }),
        sender_display_name: Some(if from == ALICE { "Alice" } else { "Bob" }.into()),
        created_on: at,
        sender_communication_identifier: Some(CommunicationIdentifierModel::user(from)),
        deleted_on: None,
        edited_on: None,
        metadata: None,
    }
}

pub(super) fn item(id: &str, topic: &str, last: Option<OffsetDateTime>) -> ChatThreadItem {
    ChatThreadItem {
        id: id.into(),
        topic: topic.into(),
        deleted_on: None,
        last_message_received_on: last,
    }
}

pub(super) fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub(super) fn alt(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT))
}

pub(super) fn type_text(app: &mut App, s: &str) -> Vec<Command> {
    s.chars()
        .flat_map(|c| app.update(key(KeyCode::Char(c))))
        .collect()
}

/// Alice, 80x24, clock at t0, one thread T1 open (empty).
pub(super) fn app() -> App {
    let mut app = App::new(
        profile(),
        UiSettings {
            id_seed: 42,
            ..UiSettings::default()
        },
    );
    app.update(Event::Resize(80, 24));
    app.update(Event::Tick { now: t0() });
    let cmds = app.update(Event::ThreadsListed {
        threads: vec![item(T1, "Quickstart", Some(t0()))],
    });
    assert!(
        cmds.contains(&Command::OpenThread {
            thread_id: T1.into()
        }),
        "first listing opens a thread: {cmds:?}"
    );
    app
}

pub(super) fn conv(app: &App) -> &crate::tui::conversation::Conversation {
    &app.threads[T1].conv
}

pub(super) fn send(app: &mut App, text: &str) -> PendingSend {
    type_text(app, text);
    let cmds = app.update(key(KeyCode::Enter));
    cmds.into_iter()
        .find_map(|c| {
            if let Command::Send(p) = c {
                Some(p)
            } else {
                None
            }
        })
        .expect("Enter sends")
}

pub(super) fn server_copy(p: &PendingSend, id: &str) -> ChatMessage {
    let mut m = msg(id, ALICE, &p.content, t0() + time::Duration::seconds(1));
    m.metadata = Some(p.metadata());
    m
}

/// The service's answer to a send, then a poll listing the message.
pub(super) fn ack_then_poll(app: &mut App, p: &PendingSend, id: &str) {
    app.update(Event::SendResult {
        thread_id: T1.into(),
        client_message_id: p.client_message_id.clone(),
        result: Ok(id.into()),
    });
    app.update(Event::MessagesPolled {
        thread_id: T1.into(),
        messages: vec![server_copy(p, id)],
    });
}
