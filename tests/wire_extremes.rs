//! Extreme values of every timestamp and number the client reads from the wire, fed
//! through the models (JSON as the service would send it), `App::update` and
//! `view::draw` at several terminal sizes, tiny ones included, in several UTC offsets:
//! none may panic.

use acs_chat::tui::app::{App, Event, ProfileInfo, UiSettings};
use acs_chat::tui::settings::TimeFormat;
use acs_chat::tui::view;
use acs_chat::wire::{
    ChatMessage, ChatMessageReadReceipt, ChatParticipant, ChatThreadItem, ChatThreadProperties,
    Page,
};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;
use time::{OffsetDateTime, UtcOffset};

const ALICE: &str = "8:acs:alice";
const BOB: &str = "8:acs:bob";
const THREAD: &str = "19:t@thread.v2";

/// Timestamps at and near both ends of RFC 3339's years, with the widest offsets
/// (whose UTC instant lies outside 0000-9999), and any ordinary one.
fn timestamp() -> impl Strategy<Value = String> {
    let edge = prop::sample::select(vec![
        "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:59.9999999Z",
        "9999-12-31T23:59:59-23:59",
        "9999-12-31T00:00:00+23:59",
        "0000-01-01T00:00:00Z",
        "0000-01-01T00:00:00+23:59",
        "0000-01-01T23:59:59-23:59",
        "1970-01-01T00:00:00Z",
    ])
    .prop_map(str::to_owned);
    let any = (
        0u32..=9999,
        1u32..=12,
        1u32..=28,
        0u32..24,
        0u32..60,
        -23i32..=23,
    )
        .prop_map(|(y, mo, d, h, mi, off)| {
            let sign = if off < 0 { '-' } else { '+' };
            format!(
                "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:59.1234567{sign}{:02}:59",
                off.abs()
            )
        });
    prop_oneof![3 => edge, 1 => any]
}

/// Ids, sequence ids and versions: strings on the wire that the client reads as numbers.
fn number_text() -> impl Strategy<Value = String> {
    let edge = prop::sample::select(vec![
        "0",
        "-1",
        "18446744073709551615",
        "18446744073709551616",
        "9223372036854775808",
        "99999999999999999999999999",
        "1e308",
        "",
    ])
    .prop_map(str::to_owned);
    prop_oneof![edge, any::<u64>().prop_map(|n| n.to_string())]
}

fn offset() -> impl Strategy<Value = UtcOffset> {
    prop::sample::select(vec![-86_399, -50_400, -3_600, 0, 3_600, 50_400, 86_399])
        .prop_map(|s| UtcOffset::from_whole_seconds(s).unwrap_or(UtcOffset::UTC))
}

fn clock() -> impl Strategy<Value = OffsetDateTime> {
    prop::sample::select(vec![
        OffsetDateTime::new_utc(time::Date::MIN, time::Time::MIDNIGHT),
        OffsetDateTime::new_utc(time::Date::MAX, time::Time::MAX),
        OffsetDateTime::UNIX_EPOCH,
        OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000),
    ])
}

#[derive(Debug, Clone)]
struct WireMessage {
    id: String,
    sequence_id: String,
    version: String,
    created_on: String,
    edited_on: Option<String>,
    deleted_on: Option<String>,
    from_alice: bool,
    kind: &'static str,
}

fn wire_message() -> impl Strategy<Value = WireMessage> {
    (
        number_text(),
        number_text(),
        number_text(),
        timestamp(),
        prop::option::of(timestamp()),
        prop::option::of(timestamp()),
        any::<bool>(),
        prop::sample::select(vec!["text", "html", "participantAdded", "topicUpdated"]),
    )
        .prop_map(
            |(id, sequence_id, version, created_on, edited_on, deleted_on, from_alice, kind)| {
                WireMessage {
                    id,
                    sequence_id,
                    version,
                    created_on,
                    edited_on,
                    deleted_on,
                    from_alice,
                    kind,
                }
            },
        )
}

fn message_json(m: &WireMessage, share_history: &str) -> serde_json::Value {
    let from = if m.from_alice { ALICE } else { BOB };
    json!({
        "id": m.id, "type": m.kind, "sequenceId": m.sequence_id, "version": m.version,
        "createdOn": m.created_on, "editedOn": m.edited_on, "deletedOn": m.deleted_on,
        "senderDisplayName": "Bob",
        "senderCommunicationIdentifier": {"rawId": from, "communicationUser": {"id": from}},
        "metadata": {"clientMessageId": m.id, "priority": "High"},
        "content": {
            "message": "hi", "topic": "t",
            "participants": [{
                "communicationIdentifier": {"rawId": BOB, "communicationUser": {"id": BOB}},
                "displayName": "Bob", "shareHistoryTime": share_history
            }],
            "initiatorCommunicationIdentifier": {"rawId": ALICE}
        }
    })
}

/// Parses as the client does; the strategies only build valid RFC 3339, so a failure
/// here is a model bug, not an input to skip.
fn parse<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
    serde_json::from_value(v).expect("the models read every valid value")
}

fn draw_at_sizes(app: &mut App) {
    for (w, h) in [
        (1, 1),
        (2, 2),
        (7, 3),
        (20, 5),
        (40, 12),
        (80, 24),
        (200, 60),
    ] {
        app.update(Event::Resize(w, h));
        let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
        terminal.draw(|f| view::draw(app, f)).expect("draw");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn extreme_wire_values_never_panic(
        messages in prop::collection::vec(wire_message(), 1..6),
        stamps in prop::collection::vec(timestamp(), 4),
        retention_days in prop::sample::select(vec![i64::MIN, -1, 0, 1, i64::MAX]),
        utc_offset in offset(),
        now in clock(),
        format in prop::sample::select(vec![
            TimeFormat::HourMinute,
            TimeFormat::HourMinuteSecond,
            TimeFormat::TwelveHour,
        ]),
    ) {
        let profile = ProfileInfo {
            name: "alice".into(),
            user_id: ALICE.into(),
            display_name: "Alice".into(),
            ..ProfileInfo::default()
        };
        let settings = UiSettings {
            utc_offset,
            timestamp_format: format,
            id_seed: 7,
            ..UiSettings::default()
        };
        let mut app = App::new(profile, settings);
        app.update(Event::Resize(80, 24));
        app.update(Event::Tick { now });
        let threads: Page<ChatThreadItem> = parse(json!({"value": [
            {"id": THREAD, "topic": "t", "lastMessageReceivedOn": stamps[0]},
            {"id": "19:gone@thread.v2", "topic": "g", "deletedOn": stamps[1],
             "lastMessageReceivedOn": stamps[2]},
        ]}));
        app.update(Event::ThreadsListed { threads: threads.value });
        let thread: ChatThreadProperties = parse(json!({
            "id": THREAD, "topic": "t", "createdOn": stamps[3],
            "createdByCommunicationIdentifier": {"rawId": ALICE},
            "retentionPolicy": {"kind": "threadCreationDate", "deleteThreadAfterDays": retention_days},
        }));
        app.update(Event::ThreadDetails { thread });
        let page: Page<ChatMessage> = parse(json!({
            "value": messages.iter().map(|m| message_json(m, &stamps[0])).collect::<Vec<_>>(),
        }));
        app.update(Event::MessagesPolled {
            thread_id: THREAD.into(),
            messages: page.value.clone(),
        });
        app.update(Event::OlderMessages {
            thread_id: THREAD.into(),
            messages: page.value.into_iter().rev().collect(),
            next_link: Some("https://127.0.0.1:1/next".into()),
        });
        let participants: Page<ChatParticipant> = parse(json!({"value": [
            {"communicationIdentifier": {"rawId": BOB}, "displayName": "Bob",
             "shareHistoryTime": stamps[1]},
        ]}));
        app.update(Event::Participants {
            thread_id: THREAD.into(),
            participants: participants.value,
        });
        let receipts: Page<ChatMessageReadReceipt> = parse(json!({"value": messages.iter().map(|m| json!({
            "senderCommunicationIdentifier": {"rawId": BOB},
            "chatMessageId": m.id, "readOn": m.created_on,
        })).collect::<Vec<_>>()}));
        app.update(Event::ReadReceipts {
            thread_id: THREAD.into(),
            receipts: receipts.value,
        });
        draw_at_sizes(&mut app);
    }
}
