//! Fixtures of the whole-screen tests: a fixed clock, two users, a thread list with
//! unread counts, a conversation with every kind of message, and drawing it on a
//! `TestBackend`.
#![allow(dead_code)]

use acs_chat::tui::app::{App, ConnectionState, Event, ProfileInfo, UiSettings};
use acs_chat::tui::view;
use acs_chat::wire::{
    ChatMessage, ChatMessageContent, ChatMessageReadReceipt, ChatMessageType, ChatParticipant,
    ChatThreadItem, ChatThreadProperties, CommunicationIdentifierModel, Metadata,
};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Style;
use time::OffsetDateTime;
use time::macros::datetime;

pub const ALICE: &str = "8:acs:alice";
pub const BOB: &str = "8:acs:bob";
pub const T1: &str = "19:quickstart@thread.v2";
pub const T2: &str = "19:lunch@thread.v2";
pub const T3: &str = "19:long@thread.v2";

pub fn now() -> OffsetDateTime {
    datetime!(2026-11-24 09:30 UTC)
}

pub fn user(id: &str) -> CommunicationIdentifierModel {
    CommunicationIdentifierModel::user(id)
}

pub fn participant(id: &str, name: &str) -> ChatParticipant {
    ChatParticipant {
        communication_identifier: user(id),
        display_name: Some(name.into()),
        share_history_time: None,
        metadata: None,
    }
}

pub fn text(id: &str, from: &str, body: &str, at: OffsetDateTime) -> ChatMessage {
    ChatMessage {
        id: id.into(),
        kind: ChatMessageType::Text,
        sequence_id: id.into(),
        version: id.into(),
        content: Some(ChatMessageContent {
            message: Some(body.into()),
            ..Default::default()
        }),
        sender_display_name: Some(if from == ALICE { "Alice" } else { "Bob" }.into()),
        created_on: at,
        sender_communication_identifier: Some(user(from)),
        deleted_on: None,
        edited_on: None,
        metadata: None,
    }
}

pub fn system(
    id: &str,
    kind: ChatMessageType,
    content: ChatMessageContent,
    at: OffsetDateTime,
) -> ChatMessage {
    ChatMessage {
        kind,
        content: Some(content),
        sender_display_name: None,
        sender_communication_identifier: None,
        ..text(id, BOB, "", at)
    }
}

pub fn key(code: KeyCode, m: KeyModifiers) -> Event {
    Event::Key(KeyEvent::new(code, m))
}

pub fn type_text(app: &mut App, s: &str) {
    for c in s.chars() {
        app.update(key(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

pub fn base_app(w: u16, h: u16) -> App {
    let profile = ProfileInfo {
        name: "alice".into(),
        user_id: ALICE.into(),
        display_name: "Alice".into(),
        endpoint: "https://127.0.0.1:47443".into(),
        known_profiles: vec![("alice".into(), ALICE.into()), ("bob".into(), BOB.into())],
    };
    let mut app = App::new(
        profile,
        UiSettings {
            id_seed: 1,
            ..UiSettings::default()
        },
    );
    app.update(Event::Resize(w, h));
    app.update(Event::Tick { now: now() });
    app.update(Event::ThreadsListed {
        threads: vec![
            ChatThreadItem {
                id: T1.into(),
                topic: "Quickstart".into(),
                deleted_on: None,
                last_message_received_on: Some(now()),
            },
            ChatThreadItem {
                id: T3.into(),
                topic: "設計レビュー 📐 a long design review topic".into(),
                deleted_on: None,
                last_message_received_on: Some(datetime!(2026-11-20 12:00 UTC)),
            },
        ],
    });
    app.update(Event::Connection(ConnectionState::Ok {
        last_poll: now() - time::Duration::seconds(2),
    }));
    // Another thread gets busy after start-up: unread count in the list.
    app.update(Event::ThreadsListed {
        threads: vec![ChatThreadItem {
            id: T2.into(),
            topic: "Lunch".into(),
            deleted_on: None,
            last_message_received_on: Some(now()),
        }],
    });
    app.update(Event::MessagesPolled {
        thread_id: T2.into(),
        messages: vec![
            text("2001", BOB, "pizza?", now()),
            text("2002", BOB, "or sushi", now()),
        ],
    });
    app
}

/// The open thread with system messages, edited, deleted and High messages, a day
/// separator, a seen own message, a sent one and one still sending.
pub fn conversation_app(w: u16, h: u16) -> App {
    let mut app = base_app(w, h);
    let mut meta = Metadata::new();
    meta.insert("acsChat.admins".into(), ALICE.into());
    app.update(Event::ThreadDetails {
        thread: ChatThreadProperties {
            id: T1.into(),
            topic: "Quickstart".into(),
            created_on: datetime!(2026-11-23 17:00 UTC),
            created_by_communication_identifier: user(ALICE),
            deleted_on: None,
            metadata: Some(meta),
            retention_policy: None,
        },
    });
    app.update(Event::Participants {
        thread_id: T1.into(),
        participants: vec![participant(ALICE, "Alice"), participant(BOB, "Bob")],
    });
    let d1 = datetime!(2026-11-23 17:00 UTC);
    let d2 = datetime!(2026-11-24 09:00 UTC);
    let added = ChatMessageContent {
        participants: Some(vec![participant(BOB, "Bob")]),
        initiator_communication_identifier: Some(user(ALICE)),
        ..Default::default()
    };
    let topic = ChatMessageContent {
        topic: Some("Quickstart".into()),
        initiator_communication_identifier: Some(user(BOB)),
        ..Default::default()
    };
    let mut edited = text(
        "1003",
        ALICE,
        "Hello Bob, welcome to the thread",
        d1 + time::Duration::minutes(2),
    );
    edited.edited_on = Some(d1 + time::Duration::minutes(3));
    let mut high = text("1005", BOB, "The build is broken!", d2);
    let mut hm = Metadata::new();
    hm.insert("priority".into(), "High".into());
    high.metadata = Some(hm);
    let mut deleted = text("1006", BOB, "", d2 + time::Duration::minutes(1));
    deleted.deleted_on = Some(d2 + time::Duration::minutes(2));
    let messages = vec![
        system("1001", ChatMessageType::ParticipantAdded, added, d1),
        text(
            "1002",
            BOB,
            "Hi Alice! 👋 世界",
            d1 + time::Duration::minutes(1),
        ),
        edited,
        system(
            "1004",
            ChatMessageType::TopicUpdated,
            topic,
            d1 + time::Duration::minutes(4),
        ),
        high,
        deleted,
        text("1007", ALICE, "On it", d2 + time::Duration::minutes(5)),
        text(
            "1008",
            ALICE,
            "Fixed, please retry",
            d2 + time::Duration::minutes(20),
        ),
    ];
    app.update(Event::OlderMessages {
        thread_id: T1.into(),
        messages,
        next_link: None,
    });
    app.update(Event::ReadReceipts {
        thread_id: T1.into(),
        receipts: vec![ChatMessageReadReceipt {
            sender_communication_identifier: user(BOB),
            chat_message_id: "1007".into(),
            read_on: d2,
        }],
    });
    type_text(&mut app, "Thanks");
    app.update(key(KeyCode::Enter, KeyModifiers::NONE));
    app
}

pub fn render(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    terminal.draw(|f| view::draw(app, f)).expect("draw");
    terminal
}

/// The style of each cell of `needle` (single-width characters) on the first row of
/// the screen whose text contains `row_has`.
pub fn styles_of(term: &Terminal<TestBackend>, row_has: &str, needle: &str) -> Vec<Style> {
    let buf = term.backend().buffer();
    let width = buf.area.width;
    for y in 0..buf.area.height {
        let row: Vec<&str> = (0..width).map(|x| buf[(x, y)].symbol()).collect();
        if !row.concat().contains(row_has) {
            continue;
        }
        let chars: Vec<String> = needle.chars().map(String::from).collect();
        let start = (0..row.len().saturating_sub(chars.len() - 1))
            .find(|&x| chars.iter().enumerate().all(|(i, c)| row[x + i] == c))
            .unwrap_or_else(|| panic!("{needle:?} not on the row with {row_has:?}"));
        return (start..start + chars.len())
            .map(|x| buf[(u16::try_from(x).expect("fits"), y)].style())
            .collect();
    }
    panic!("no row with {row_has:?}");
}
