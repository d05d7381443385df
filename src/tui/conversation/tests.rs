//! Merging server messages into a conversation.

use time::macros::datetime;

use super::*;
use crate::wire::{ChatMessageContent, ChatMessageType, CommunicationIdentifierModel};

const ME: &str = "8:acs:me";

fn msg(id: u64, version: u64) -> ChatMessage {
    ChatMessage {
        id: id.to_string(),
        kind: ChatMessageType::Text,
        sequence_id: id.to_string(),
        version: version.to_string(),
        content: Some(ChatMessageContent {
            message: Some(format!("m{id} v{version}")),
            ..Default::default()
        }),
        sender_display_name: None,
        created_on: datetime!(2026-11-24 09:00 UTC) + time::Duration::seconds(id as i64),
        sender_communication_identifier: Some(CommunicationIdentifierModel::user("8:acs:other")),
        deleted_on: None,
        edited_on: None,
        metadata: None,
    }
}

fn ids(c: &Conversation) -> Vec<String> {
    c.entries().iter().filter_map(|e| e.id.clone()).collect()
}

#[test]
fn pages_in_any_order_end_up_sorted() {
    let mut c = Conversation::default();
    // Newest page first (as the service lists it), then an older page, then a poll.
    c.upsert_many(&[msg(20, 20), msg(19, 19), msg(18, 18)], ME);
    c.upsert_many(&[msg(12, 12), msg(11, 11), msg(10, 10)], ME);
    c.upsert_many(&[msg(21, 21), msg(15, 15)], ME);
    let mut many: Vec<ChatMessage> = (13..=17).rev().map(|i| msg(i, i)).collect();
    many.push(msg(22, 22));
    c.upsert_many(&many, ME);
    let want: Vec<String> = (10..=22).map(|i| i.to_string()).collect();
    assert_eq!(ids(&c), want);
    for i in 10..=22u64 {
        assert!(c.by_message_id(&i.to_string()).is_some(), "index of {i}");
    }
}

#[test]
fn newest_version_in_a_batch_wins() {
    let mut c = Conversation::default();
    let batch = [msg(1, 5), msg(1, 9), msg(1, 7)];
    assert_eq!(c.upsert_many(&batch, ME).len(), 1);
    assert_eq!(c.len(), 1);
    assert_eq!(c.entries()[0].version, 9);
    assert_eq!(c.upsert(&msg(1, 8), ME), Upsert::Ignored);
    assert_eq!(c.upsert(&msg(1, 10), ME), Upsert::Updated);
    assert_eq!(c.entries()[0].version, 10);
}

#[test]
fn a_deleted_own_message_keeps_its_client_id() {
    let mut c = Conversation::default();
    let mut m = msg(1, 1);
    m.sender_communication_identifier = Some(CommunicationIdentifierModel::user(ME));
    m.metadata = Some([("clientMessageId".to_owned(), "42".to_owned())].into());
    c.upsert(&m, ME);
    let mut gone = msg(1, 2);
    gone.sender_communication_identifier = Some(CommunicationIdentifierModel::user(ME));
    gone.deleted_on = Some(gone.created_on);
    c.upsert(&gone, ME);
    assert!(c.by_client_id("42").is_some_and(|e| e.deleted));
    assert!(
        c.last_editable_own(ME).is_none(),
        "deleted messages cannot be edited"
    );
}

#[test]
fn attachments_are_listed_under_the_text() {
    let mut m = msg(1, 1);
    if let Some(c) = m.content.as_mut() {
        c.attachments = Some(vec![crate::wire::ChatAttachment {
            id: "a1".into(),
            attachment_type: "file".into(),
            name: Some("report\u{1b}[31m.pdf".into()),
            url: None,
            preview_url: None,
        }]);
    }
    let mut c = Conversation::default();
    c.upsert(&m, ME);
    assert_eq!(
        c.entries()[0].body,
        crate::tui::entry::Body::Text("m1 v1\n[file: report.pdf]".into())
    );
}
