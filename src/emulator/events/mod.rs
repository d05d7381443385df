//! Event Grid for the emulator: the chat events ACS publishes (eight per thread, eight
//! per user), built from the emulator's own rows, wrapped in the Event Grid or the
//! CloudEvents 1.0 schema, and filtered per subscription.
//!
//! The shapes follow the official SDKs' models (`@azure/eventgrid` 5.12.0's
//! `AcsChat*EventData` mappers: names, required members, `version` a number), the
//! Microsoft.Communication examples of the Event Grid data-plane spec (subjects,
//! `Text` as the message type, millisecond times) and the ACS chat events page
//! (per-user events go to every member but the one who acted: "a thread with 10 users
//! ... one thread-level event and 9 user-level events").
//! `ChatTypingIndicatorReceivedInThread` is in the schema but not in the list of
//! events ACS emits, and its only example lacks members the model requires: it is not
//! emitted.
//!
//! Module map: `types` (the 16 names), `data` (the `data` members), `build` (change ->
//! events, pure), `envelope` (the two schemas), `filter` (subscription filters).

pub mod build;
pub mod data;
pub mod envelope;
pub mod filter;
pub mod sample;
pub mod types;

pub use build::{Change, ChatEvent, Member, MessageFacts, Occurrence, ThreadFacts, build};
pub use envelope::{DEFAULT_TOPIC, Schema};
pub use filter::Filter;
pub use types::EventType;

#[cfg(test)]
mod tests;
