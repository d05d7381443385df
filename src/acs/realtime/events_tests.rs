use serde_json::json;

use super::*;

fn at(s: &str) -> OffsetDateTime {
    timestamp::parse(s).expect("test time")
}

fn message_body(event_id: i64) -> Value {
    json!({
        "eventId": event_id,
        "groupId": "19:t@thread.v2",
        "senderId": "8:acs:a",
        "senderDisplayName": "Alice",
        "recipientMri": "8:acs:b",
        "messageId": "1700000000000",
        "clientMessageId": "",
        "originalArrivalTime": "2024-01-02T03:04:05Z",
        "version": "1700000000000",
        "messageType": "text",
        "messageBody": "hello",
        "acsChatMessageMetadata": "{\"clientMessageId\":\"42\"}",
        "attachments": "",
        "edittime": "2024-01-02T03:05:00Z",
    })
}

#[test]
fn message_events() {
    let ChatEvent::MessageReceived(m) = parse(&message_body(200).to_string()).expect("200") else {
        panic!("not a received message");
    };
    assert_eq!(m.info.thread_id, "19:t@thread.v2");
    assert_eq!(m.info.sender_id, "8:acs:a");
    assert_eq!(m.content, "hello");
    assert_eq!(
        m.metadata.get("clientMessageId").map(String::as_str),
        Some("42")
    );
    assert_eq!(m.info.created_on, at("2024-01-02T03:04:05Z"));
    assert_eq!(m.edited_on, None);
    let ChatEvent::MessageEdited(e) = parse(&message_body(247).to_string()).expect("247") else {
        panic!("not an edit");
    };
    assert_eq!(e.edited_on, Some(at("2024-01-02T03:05:00Z")));
    let mut deleted = message_body(248);
    deleted["deletetime"] = json!("2024-01-02T03:06:00Z");
    let ChatEvent::MessageDeleted(d) = parse(&deleted.to_string()).expect("248") else {
        panic!("not a delete");
    };
    assert_eq!(d.deleted_on, at("2024-01-02T03:06:00Z"));
    assert_eq!(d.info.message_id, "1700000000000");
}

#[test]
fn typing_and_receipts() {
    let typing = json!({
        "eventId": 245, "groupId": "19:t", "senderId": "8:acs:a", "senderDisplayName": "Alice",
        "recipientMri": "8:acs:b", "version": "1", "originalArrivalTime": "2024-01-02T03:04:05Z",
    });
    assert_eq!(
        parse(&typing.to_string()),
        Ok(ChatEvent::Typing(Typing {
            thread_id: "19:t".into(),
            sender_id: "8:acs:a".into(),
            sender_display_name: "Alice".into(),
            received_on: at("2024-01-02T03:04:05Z"),
        }))
    );
    let horizon =
        json!({"user": "8:acs:b", "consumptionhorizon": "5;1704164645000;5", "version": "5"});
    let receipt = json!({
        "eventId": 246, "groupId": "19:t", "senderId": "8:acs:b", "recipientMri": "8:acs:a",
        "messageId": "5", "messageBody": horizon.to_string(),
    });
    let ChatEvent::ReadReceipt(r) = parse(&receipt.to_string()).expect("246") else {
        panic!("not a receipt");
    };
    assert_eq!(r.read_on, at("2024-01-02T03:04:05Z"));
    assert_eq!(r.message_id, "5");
}

/// JavaScript's `escape()` of the few characters these tests use.
fn escape(s: &str) -> String {
    s.replace('%', "%25")
        .replace('{', "%7B")
        .replace('}', "%7D")
        .replace('"', "%22")
        .replace(':', "%3A")
        .replace(',', "%2C")
        .replace(' ', "%20")
        .replace('[', "%5B")
        .replace(']', "%5D")
}

#[test]
fn thread_events_unescape_their_nested_json() {
    let alice = json!({"participantId": "8:acs:a", "displayName": "Alice"});
    let bob = json!({"participantId": "8:acs:b", "displayName": "Bob",
        "shareHistoryTime": "2024-01-01T00:00:00Z", "memberMetaData": "{\"role\":\"admin\"}"});
    let props = json!({"topic": "50% done", "acsChatThreadMetadata": "{\"sticky\":\"true\"}"});
    let created = json!({
        "eventId": 257, "threadId": "19:t", "version": "9", "createTime": "2024-01-02T03:04:05Z",
        "createdBy": escape(&alice.to_string()),
        "members": escape(&json!([alice, bob]).to_string()),
        "properties": escape(&props.to_string()),
    });
    let ChatEvent::ThreadCreated(t) = parse(&created.to_string()).expect("257") else {
        panic!("not a thread");
    };
    assert_eq!(t.topic, "50% done");
    assert_eq!(t.metadata.get("sticky").map(String::as_str), Some("true"));
    assert_eq!(t.created_by.display_name, "Alice");
    assert_eq!(t.participants.len(), 2);
    assert_eq!(
        t.participants[1].metadata.get("role").map(String::as_str),
        Some("admin")
    );
    assert_eq!(
        t.participants[1].share_history_time,
        Some(at("2024-01-01T00:00:00Z"))
    );

    let updated = json!({
        "eventId": 258, "threadId": "19:t", "version": "10", "editTime": "2024-01-02T03:04:06Z",
        "editedBy": escape(&alice.to_string()), "properties": escape(&json!({"topic": "new"}).to_string()),
    });
    let ChatEvent::ThreadUpdated(u) = parse(&updated.to_string()).expect("258") else {
        panic!("not an update");
    };
    assert_eq!((u.topic.as_str(), u.metadata.len()), ("new", 0));

    let deleted = json!({
        "eventId": 259, "threadId": "19:t", "version": "11", "deleteTime": "2024-01-02T03:04:07Z",
        "reason": "deletedByPolicy",
    });
    let ChatEvent::ThreadDeleted(d) = parse(&deleted.to_string()).expect("259") else {
        panic!("not a delete");
    };
    assert_eq!(d.deleted_by, None);

    for (id, by, list) in [
        (260, "addedBy", "participantsAdded"),
        (261, "removedBy", "participantsRemoved"),
    ] {
        let mut m = json!({"eventId": id, "threadId": "19:t", "version": "12", "time": "2024-01-02T03:04:08Z"});
        m[by] = json!(escape(&alice.to_string()));
        m[list] = json!(escape(&json!([bob]).to_string()));
        let event = parse(&m.to_string()).expect("membership");
        let (ChatEvent::ParticipantsAdded(p) | ChatEvent::ParticipantsRemoved(p)) = &event else {
            panic!("not a membership change");
        };
        assert_eq!(p.participants[0].id, "8:acs:b");
        assert_eq!(p.by.id, "8:acs:a");
        assert_eq!(event.thread_id(), "19:t");
    }
}

#[test]
fn bad_payloads_are_errors_naming_the_field() {
    assert_eq!(parse("not json"), Err(EventError::NotAnObject));
    assert_eq!(parse("[1]"), Err(EventError::NotAnObject));
    assert_eq!(parse("{}"), Err(EventError::NoEventId));
    assert_eq!(parse(r#"{"eventId":"200"}"#), Err(EventError::NoEventId));
    assert_eq!(parse(r#"{"eventId":999}"#), Err(EventError::Unknown(999)));
    let broken = |field: &str, value: Value| {
        let mut m = message_body(200);
        m[field] = value;
        parse(&m.to_string())
    };
    let field = |f| {
        Err(EventError::Field {
            event: 200,
            field: f,
        })
    };
    assert_eq!(broken("groupId", json!("")), field("groupId"));
    assert_eq!(broken("groupId", json!(7)), field("groupId"));
    assert_eq!(broken("messageBody", Value::Null), field("messageBody"));
    assert_eq!(
        broken("originalArrivalTime", json!("yesterday")),
        field("originalArrivalTime")
    );
    assert_eq!(
        broken("acsChatMessageMetadata", json!("{not json")),
        field("acsChatMessageMetadata")
    );
    assert_eq!(
        broken("acsChatMessageMetadata", json!("{\"a\":1}")),
        field("acsChatMessageMetadata")
    );
    assert_eq!(broken("version", json!([])), field("version"));
    let mut receipt = json!({"eventId": 246, "groupId": "g", "senderId": "s", "messageId": "1"});
    for body in [
        json!("{}"),
        json!("{\"consumptionhorizon\":\"1;x;1\"}"),
        json!("{\"consumptionhorizon\":\"1;99999999999999999;1\"}"),
    ] {
        receipt["messageBody"] = body;
        assert_eq!(
            parse(&receipt.to_string()),
            Err(EventError::Field {
                event: 246,
                field: "messageBody"
            })
        );
    }
    let thread = json!({"eventId": 258, "threadId": "t", "version": "1", "editTime": "2024-01-02T03:04:06Z",
        "editedBy": "%7Bbroken", "properties": "%7B%22topic%22%3A%22x%22%7D"});
    assert_eq!(
        parse(&thread.to_string()),
        Err(EventError::Field {
            event: 258,
            field: "editedBy"
        })
    );
}
