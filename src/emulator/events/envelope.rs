//! The two delivery schemas: Event Grid's own (`eventType`, `topic`, `dataVersion`,
//! `metadataVersion`; a request body is always an array) and CloudEvents 1.0
//! (`type`, `source`, `specversion`; one event as `application/cloudevents+json`,
//! several as `application/cloudevents-batch+json`).

use serde::Serialize;

use super::build::{ChatEvent, event_time};

/// The `topic` (Event Grid) / `source` (CloudEvents) of every event when none is set:
/// the resource id of a fictitious ACS resource, in the lower-case form the chat
/// event examples use. `serve --event-topic` replaces it.
pub const DEFAULT_TOPIC: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/acs-chat-emulator/providers/microsoft.communication/communicationservices/acs-chat-emulator";

/// The delivery schema of a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Schema {
    #[default]
    EventGrid,
    CloudEvents,
}

impl Schema {
    /// The `Content-Type` of a request carrying `count` events.
    pub fn content_type(self, count: usize) -> &'static str {
        match self {
            Self::EventGrid => "application/json",
            Self::CloudEvents if count == 1 => "application/cloudevents+json; charset=utf-8",
            Self::CloudEvents => "application/cloudevents-batch+json; charset=utf-8",
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EventGridEvent<'a> {
    id: &'a str,
    topic: &'a str,
    subject: &'a str,
    data: &'a serde_json::Value,
    event_type: &'a str,
    event_time: String,
    data_version: &'static str,
    metadata_version: &'static str,
}

#[derive(Serialize)]
struct CloudEvent<'a> {
    id: &'a str,
    source: &'a str,
    subject: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    time: String,
    data: &'a serde_json::Value,
    specversion: &'static str,
}

/// One event in `schema`, as a JSON value.
pub fn wrap(event: &ChatEvent, schema: Schema, topic: &str) -> serde_json::Value {
    let value = match schema {
        Schema::EventGrid => serde_json::to_value(EventGridEvent {
            id: &event.id,
            topic,
            subject: &event.subject,
            data: &event.data,
            event_type: event.event_type.name(),
            event_time: event_time(event.time_ms),
            data_version: "1.0",
            metadata_version: "1",
        }),
        Schema::CloudEvents => serde_json::to_value(CloudEvent {
            id: &event.id,
            source: topic,
            subject: &event.subject,
            kind: event.event_type.name(),
            time: event_time(event.time_ms),
            data: &event.data,
            specversion: "1.0",
        }),
    };
    // Strings and JSON values only: serializing cannot fail.
    value.unwrap_or(serde_json::Value::Null)
}

/// The body of one delivery request: an array in the Event Grid schema (even for one
/// event) and for a CloudEvents batch; a single CloudEvent object otherwise.
pub fn body(events: &[ChatEvent], schema: Schema, topic: &str) -> String {
    let wrapped: Vec<serde_json::Value> = events.iter().map(|e| wrap(e, schema, topic)).collect();
    let value = match (schema, wrapped.as_slice()) {
        (Schema::CloudEvents, [one]) => one.clone(),
        _ => serde_json::Value::Array(wrapped),
    };
    value.to_string()
}
