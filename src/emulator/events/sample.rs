//! A scripted conversation that raises each of the 16 event types at least once, with
//! realistic ids and times: the unit tests' fixture, and what the SDK proof harness
//! (`eventgrid-tests/`) parses until it can record a live emulator's deliveries.

use super::build::{Change, Member, MessageFacts, Occurrence, ThreadFacts};
use crate::wire::{ChatMessageType, Metadata};

pub const THREAD: &str = "19:acsemulator0000000000000000000001@thread.v2";
pub const ALICE: &str =
    "8:acs:00000000-0000-0000-0000-000000000000_00000001-0000-0000-0000-000000000001";
pub const BOB: &str =
    "8:acs:00000000-0000-0000-0000-000000000000_00000001-0000-0000-0000-000000000002";
pub const CAROL: &str =
    "8:acs:00000000-0000-0000-0000-000000000000_00000001-0000-0000-0000-000000000003";
pub const DAVE: &str =
    "8:acs:00000000-0000-0000-0000-000000000000_00000001-0000-0000-0000-000000000004";

/// When the scripted thread was created (epoch ms).
pub const CREATED_MS: i64 = 1_760_000_000_123;

fn member(raw: &str, name: &str) -> Member {
    Member {
        raw: raw.to_owned(),
        display_name: Some(name.to_owned()),
        metadata: Metadata::new(),
    }
}

fn metadata(pairs: &[(&str, &str)]) -> Metadata {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Alice creates a thread with Bob and Carol, sends, edits and deletes a message, Bob
/// renames the thread, Alice adds Dave and removes Carol, and Bob deletes the thread.
/// Step `n` happens at `CREATED_MS + 10 n` and gives the thread that version.
pub fn scenario() -> Vec<Occurrence> {
    let at = |n: i64| CREATED_MS + n * 10;
    let message = MessageFacts {
        id: at(1),
        version: at(1),
        sender: ALICE.to_owned(),
        sender_display_name: Some("Alice".to_owned()),
        kind: ChatMessageType::Text,
        content: "Hello, Bob and Carol".to_owned(),
        metadata: metadata(&[("clientMessageId", "17"), ("priority", "Normal")]),
        created_ms: at(1),
        edited_ms: None,
        deleted_ms: None,
    };
    let edited = MessageFacts {
        version: at(2),
        content: "Hello, Bob and Carol!".to_owned(),
        edited_ms: Some(at(2)),
        ..message.clone()
    };
    let deleted = MessageFacts {
        version: at(3),
        content: String::new(),
        metadata: Metadata::new(),
        deleted_ms: Some(at(3)),
        ..edited.clone()
    };
    let ids = |users: &[&str]| -> Vec<String> { users.iter().map(|u| (*u).to_owned()).collect() };
    let three = ids(&[ALICE, BOB, CAROL]);
    let four = ids(&[ALICE, BOB, CAROL, DAVE]);
    let after_removal = ids(&[ALICE, BOB, DAVE]);
    let founders = vec![
        member(ALICE, "Alice"),
        member(BOB, "Bob"),
        member(CAROL, "Carol"),
    ];
    let steps = [
        (
            "Lunch",
            Change::ThreadCreated {
                creator: ALICE.to_owned(),
                participants: founders,
            },
            &three,
        ),
        ("Lunch", Change::MessageSent(message), &three),
        ("Lunch", Change::MessageEdited(edited), &three),
        ("Lunch", Change::MessageDeleted(deleted), &three),
        (
            "Lunch at noon",
            Change::ThreadUpdated {
                editor: BOB.to_owned(),
            },
            &three,
        ),
        (
            "Lunch at noon",
            Change::ParticipantsAdded {
                by: ALICE.to_owned(),
                added: vec![member(DAVE, "Dave")],
            },
            &four,
        ),
        (
            "Lunch at noon",
            Change::ParticipantsRemoved {
                by: ALICE.to_owned(),
                removed: vec![member(CAROL, "Carol")],
            },
            &after_removal,
        ),
        (
            "Lunch at noon",
            Change::ThreadDeleted {
                deleter: BOB.to_owned(),
            },
            &after_removal,
        ),
    ];
    (0..)
        .zip(steps)
        .map(|(n, (topic, change, members))| Occurrence {
            thread: ThreadFacts {
                id: THREAD.to_owned(),
                topic: topic.to_owned(),
                created_ms: CREATED_MS,
                version: at(n),
                metadata: metadata(&[("purpose", "demo")]),
            },
            change,
            members: members.clone(),
            transaction_id: format!("emulator-tx-{n}"),
            time_ms: at(n),
        })
        .collect()
}
