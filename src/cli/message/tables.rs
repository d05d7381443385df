//! How messages look in `-o table` output: one line per message for lists (and
//! followed lists, whose rows are printed one at a time), a block for `show`.

use crate::cli::output::{Table, text_cell};
use crate::seed::message_meta;
use crate::wire::timestamp::format_whole_seconds;
use crate::wire::{ChatMessage, ChatMessageType};

/// Column widths of a followed message list, whose rows are printed one at a time:
/// ids are 13-digit millisecond stamps, timestamps 20 characters.
pub(super) const STREAM_WIDTHS: [usize; 5] = [13, 20, 12, 18, 8];

/// One line per message.
pub(super) fn message_table(messages: &[ChatMessage]) -> Table {
    let mut t = Table::new(&["ID", "SENT", "SENDER", "TYPE", "PRIORITY", "CONTENT"]);
    for m in messages {
        t.row(vec![
            m.id.clone(),
            format_whole_seconds(m.created_on),
            m.sender_display_name.clone().unwrap_or_default(),
            m.kind.to_string(),
            message_meta::priority(m).unwrap_or("").to_owned(),
            text_cell(&describe(m)),
        ]);
    }
    t
}

pub(super) fn message_details(m: &ChatMessage) -> Table {
    let mut pairs = vec![
        ("id", m.id.clone()),
        ("type", m.kind.to_string()),
        ("sequenceId", m.sequence_id.clone()),
        ("version", m.version.clone()),
        ("createdOn", format_whole_seconds(m.created_on)),
        ("sender", m.sender_display_name.clone().unwrap_or_default()),
        (
            "senderId",
            m.sender_communication_identifier
                .as_ref()
                .and_then(|s| s.raw())
                .unwrap_or("")
                .to_owned(),
        ),
        ("content", describe(m)),
    ];
    if let Some(id) = message_meta::client_message_id(m) {
        pairs.push(("clientMessageId", id.to_owned()));
    }
    if let Some(p) = message_meta::priority(m) {
        pairs.push(("priority", p.to_owned()));
    }
    if let Some(t) = m.edited_on {
        pairs.push(("editedOn", format_whole_seconds(t)));
    }
    if let Some(t) = m.deleted_on {
        pairs.push(("deletedOn", format_whole_seconds(t)));
    }
    Table::pairs(&pairs)
}

/// The content as one line for people: text, the new topic, who joined or left.
fn describe(m: &ChatMessage) -> String {
    if m.deleted_on.is_some() {
        return "(deleted)".into();
    }
    let Some(c) = &m.content else {
        return String::new();
    };
    let names = |ps: &Option<Vec<crate::wire::ChatParticipant>>| {
        ps.iter()
            .flatten()
            .map(|p| {
                p.display_name
                    .clone()
                    .or_else(|| p.communication_identifier.raw().map(str::to_owned))
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let text = match m.kind {
        ChatMessageType::TopicUpdated => {
            format!("topic changed to {:?}", c.topic.clone().unwrap_or_default())
        }
        ChatMessageType::ParticipantAdded => format!("added {}", names(&c.participants)),
        ChatMessageType::ParticipantRemoved => format!("removed {}", names(&c.participants)),
        _ => c.message.clone().unwrap_or_default(),
    };
    if m.edited_on.is_some() {
        format!("{text} (edited)")
    } else {
        text
    }
}
