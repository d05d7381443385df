//! The builders against the SDK models' rules and the scripted conversation's facts.

use std::collections::BTreeMap;

use serde_json::Value;

use super::sample::{self, ALICE, BOB, CAROL, CREATED_MS, DAVE, THREAD};
use super::*;

fn counter() -> impl FnMut() -> String {
    let mut n = 0u32;
    move || {
        n += 1;
        format!("id-{n}")
    }
}

fn all_events() -> Vec<ChatEvent> {
    let mut next = counter();
    sample::scenario()
        .iter()
        .flat_map(|o| build(o, &mut next))
        .collect()
}

fn of_type(events: &[ChatEvent], t: EventType) -> Vec<&ChatEvent> {
    events.iter().filter(|e| e.event_type == t).collect()
}

/// The members `@azure/eventgrid` 5.12.0's mappers mark `required: true`, per type,
/// beyond `transactionId` and `threadId` (required everywhere).
fn required(t: EventType) -> &'static [&'static str] {
    use EventType::*;
    match t {
        MessageReceived => &["messageId", "type", "messageBody", "metadata"],
        MessageEdited | MessageReceivedInThread | MessageEditedInThread => {
            &["messageId", "type", "messageBody"]
        }
        MessageDeleted | MessageDeletedInThread => &["messageId", "type", "deleteTime"],
        ThreadCreated | ThreadCreatedWithUser => {
            &["createTime", "version", "properties", "participants"]
        }
        ThreadPropertiesUpdated => &["createTime", "version", "properties", "metadata"],
        ThreadPropertiesUpdatedPerUser => &["createTime", "version", "properties"],
        ThreadDeleted | ThreadWithUserDeleted => &["createTime", "version"],
        ParticipantAddedToThreadWithUser | ParticipantRemovedFromThreadWithUser => {
            &["createTime", "version"]
        }
        ThreadParticipantAdded | ThreadParticipantRemoved => &[],
    }
}

#[test]
fn the_scenario_raises_every_type_with_the_members_the_models_require() {
    let events = all_events();
    for t in EventType::ALL {
        let of = of_type(&events, t);
        assert!(!of.is_empty(), "{t} never raised");
        for e in of {
            for key in ["transactionId", "threadId"].iter().chain(required(t)) {
                assert!(e.data.get(key).is_some(), "{t} lacks {key}: {}", e.data);
            }
            assert_eq!(
                e.data.get("recipientCommunicationIdentifier").is_some(),
                t.is_per_user(),
                "{t}: a recipient exactly on per-user events"
            );
            if let Some(v) = e.data.get("version") {
                assert!(v.is_i64(), "{t}: version is a number in the models: {v}");
            }
        }
    }
}

#[test]
fn a_message_raises_one_thread_event_and_one_per_member_but_the_sender() {
    let mut next = counter();
    let sent = &sample::scenario()[1];
    let events = build(sent, &mut next);
    let types: Vec<_> = events.iter().map(|e| e.event_type).collect();
    assert_eq!(
        types,
        vec![
            EventType::MessageReceivedInThread,
            EventType::MessageReceived,
            EventType::MessageReceived
        ]
    );
    assert_eq!(events[0].subject, format!("thread/{THREAD}/sender/{ALICE}"));
    assert_eq!(
        events[1].subject,
        format!("thread/{THREAD}/sender/{ALICE}/recipient/{BOB}")
    );
    assert_eq!(
        events[2].subject,
        format!("thread/{THREAD}/sender/{ALICE}/recipient/{CAROL}")
    );
    let d = &events[1].data;
    let id = CREATED_MS + 10;
    assert_eq!(d["messageId"], Value::String(id.to_string()));
    assert_eq!(d["version"], Value::from(id));
    assert_eq!(d["type"], "Text");
    assert_eq!(d["messageBody"], "Hello, Bob and Carol");
    assert_eq!(d["senderDisplayName"], "Alice");
    assert_eq!(d["composeTime"], "2025-10-09T08:53:20.133Z");
    assert_eq!(d["metadata"]["clientMessageId"], "17");
    assert_eq!(d["transactionId"], "emulator-tx-1");
    assert_eq!(d["senderCommunicationIdentifier"]["rawId"], ALICE);
    assert_eq!(
        d["recipientCommunicationIdentifier"]["communicationUser"]["id"],
        BOB
    );
    let ids: std::collections::HashSet<_> = events.iter().map(|e| e.id.clone()).collect();
    assert_eq!(ids.len(), 3, "every event has its own id");
}

#[test]
fn a_deleted_message_carries_its_delete_time_and_neither_body_nor_metadata() {
    let events = all_events();
    let e = of_type(&events, EventType::MessageDeletedInThread)[0];
    assert_eq!(e.data["deleteTime"], "2025-10-09T08:53:20.153Z");
    assert_eq!(e.data["version"], Value::from(CREATED_MS + 30));
    assert!(e.data.get("messageBody").is_none() && e.data.get("metadata").is_none());
    let edit = of_type(&events, EventType::MessageEditedInThread)[0];
    assert_eq!(edit.data["editTime"], "2025-10-09T08:53:20.143Z");
    assert_eq!(edit.data["messageBody"], "Hello, Bob and Carol!");
}

#[test]
fn membership_events_name_the_participant_and_skip_the_actor() {
    let events = all_events();
    let added = of_type(&events, EventType::ThreadParticipantAdded);
    assert_eq!(added.len(), 1);
    assert_eq!(
        added[0].subject,
        format!("thread/{THREAD}/participantadded/{DAVE}")
    );
    assert_eq!(added[0].data["participantAdded"]["displayName"], "Dave");
    assert_eq!(
        added[0].data["addedByCommunicationIdentifier"]["rawId"],
        ALICE
    );
    // Alice added Dave: Bob, Carol and Dave himself hear of it, Alice does not.
    let recipients = |t| -> Vec<String> {
        of_type(&events, t)
            .iter()
            .map(|e| e.data["recipientCommunicationIdentifier"]["rawId"].to_string())
            .collect()
    };
    let quoted = |ids: &[&str]| -> Vec<String> { ids.iter().map(|i| format!("\"{i}\"")).collect() };
    assert_eq!(
        recipients(EventType::ParticipantAddedToThreadWithUser),
        quoted(&[BOB, CAROL, DAVE])
    );
    // Alice removed Carol: Carol is no longer a member and is not told.
    assert_eq!(
        recipients(EventType::ParticipantRemovedFromThreadWithUser),
        quoted(&[BOB, DAVE])
    );
    assert_eq!(
        recipients(EventType::ThreadWithUserDeleted),
        quoted(&[ALICE, DAVE])
    );
}

#[test]
fn thread_events_carry_the_topic_metadata_and_participants() {
    let events = all_events();
    let created = of_type(&events, EventType::ThreadCreated)[0];
    assert_eq!(
        created.subject,
        format!("thread/{THREAD}/createdBy/{ALICE}")
    );
    assert_eq!(
        created.data["properties"],
        serde_json::json!({"topic": "Lunch"})
    );
    assert_eq!(created.data["metadata"]["purpose"], "demo");
    assert_eq!(
        created.data["participants"].as_array().map(Vec::len),
        Some(3)
    );
    assert_eq!(created.data["createTime"], "2025-10-09T08:53:20.123Z");
    let updated = of_type(&events, EventType::ThreadPropertiesUpdatedPerUser);
    assert_eq!(updated.len(), 2, "Alice and Carol, not Bob who renamed it");
    assert_eq!(updated[0].data["properties"]["topic"], "Lunch at noon");
    assert_eq!(
        updated[0].subject,
        format!("thread/{THREAD}/editedBy/{BOB}/recipient/{ALICE}")
    );
}

#[test]
fn system_messages_raise_no_message_events() {
    let mut o = sample::scenario().remove(1);
    if let Change::MessageSent(m) = &mut o.change {
        m.kind = crate::wire::ChatMessageType::TopicUpdated;
    }
    assert!(build(&o, &mut counter()).is_empty());
}

#[test]
fn the_sixteen_names_are_distinct_documented_and_parse_in_any_case() {
    let names: std::collections::BTreeSet<_> = EventType::ALL.iter().map(|t| t.name()).collect();
    assert_eq!(names.len(), 16);
    assert_eq!(EventType::ALL.iter().filter(|t| t.is_per_user()).count(), 8);
    for t in EventType::ALL {
        assert!(t.name().starts_with(types::PREFIX));
        assert_eq!(EventType::parse(&t.name().to_uppercase()), Some(t));
    }
    assert_eq!(
        EventType::parse("Microsoft.Communication.ChatMemberAddedToThreadWithUser"),
        None
    );
}

#[test]
fn the_event_grid_envelope_is_an_array_with_the_schema_versions() {
    let events = all_events();
    let body: Value = serde_json::from_str(&envelope::body(
        &events[..1],
        Schema::EventGrid,
        DEFAULT_TOPIC,
    ))
    .expect("json");
    let arr = body.as_array().expect("an array even for one event");
    assert_eq!(arr.len(), 1);
    let e = &arr[0];
    let keys: Vec<&str> = e
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        [
            "data",
            "dataVersion",
            "eventTime",
            "eventType",
            "id",
            "metadataVersion",
            "subject",
            "topic"
        ]
    );
    assert_eq!(e["metadataVersion"], "1");
    assert_eq!(e["dataVersion"], "1.0");
    assert_eq!(e["eventType"], "Microsoft.Communication.ChatThreadCreated");
    assert_eq!(e["topic"], DEFAULT_TOPIC);
    assert_eq!(e["eventTime"], "2025-10-09T08:53:20.123Z");
}

#[test]
fn cloud_events_are_one_object_alone_and_an_array_in_a_batch() {
    let events = all_events();
    let one: Value =
        serde_json::from_str(&envelope::body(&events[..1], Schema::CloudEvents, "src"))
            .expect("json");
    assert_eq!(one["specversion"], "1.0");
    assert_eq!(one["source"], "src");
    assert_eq!(one["type"], "Microsoft.Communication.ChatThreadCreated");
    assert!(one.get("eventType").is_none() && one.get("topic").is_none());
    let two: Value =
        serde_json::from_str(&envelope::body(&events[..2], Schema::CloudEvents, "src"))
            .expect("json");
    assert_eq!(two.as_array().map(Vec::len), Some(2));
    assert_eq!(
        Schema::CloudEvents.content_type(1),
        "application/cloudevents+json; charset=utf-8"
    );
    assert_eq!(
        Schema::CloudEvents.content_type(2),
        "application/cloudevents-batch+json; charset=utf-8"
    );
    assert_eq!(Schema::EventGrid.content_type(2), "application/json");
}

#[test]
fn filters_match_types_and_subject_affixes_without_case_unless_asked() {
    let events = all_events();
    let pass = |f: &Filter| -> BTreeMap<EventType, usize> {
        let mut m = BTreeMap::new();
        for e in events.iter().filter(|e| f.accepts(e)) {
            *m.entry(e.event_type).or_insert(0) += 1;
        }
        m
    };
    assert_eq!(
        pass(&Filter::default()).values().sum::<usize>(),
        events.len()
    );
    let types = Filter::types(&["microsoft.communication.chatmessagereceived".to_owned()])
        .expect("known type");
    let only_received = Filter {
        included_types: Some(types),
        ..Filter::default()
    };
    assert_eq!(
        pass(&only_received),
        BTreeMap::from([(EventType::MessageReceived, 2)])
    );
    let to_bob = Filter {
        subject_ends_with: Some(format!("/RECIPIENT/{}", BOB.to_uppercase())),
        ..Filter::default()
    };
    assert!(pass(&to_bob).keys().all(|t| t.is_per_user()));
    assert_eq!(pass(&to_bob).values().sum::<usize>(), 6);
    let case_sensitive = Filter {
        case_sensitive: true,
        ..to_bob.clone()
    };
    assert!(pass(&case_sensitive).is_empty());
    let begins = Filter {
        subject_begins_with: Some(format!("thread/{THREAD}/participant")),
        case_sensitive: true,
        ..Filter::default()
    };
    assert_eq!(
        pass(&begins).keys().copied().collect::<Vec<_>>(),
        vec![
            EventType::ThreadParticipantAdded,
            EventType::ThreadParticipantRemoved,
            EventType::ParticipantAddedToThreadWithUser,
            EventType::ParticipantRemovedFromThreadWithUser,
        ]
    );
    assert_eq!(
        Filter::types(&["Microsoft.Communication.NoSuchEvent".to_owned()]),
        Err(filter::UnknownEventType(
            "Microsoft.Communication.NoSuchEvent".to_owned()
        ))
    );
}
