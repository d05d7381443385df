//! Request and response bodies of the Chat (2025-03-15) and Identity (2023-10-01+)
//! REST APIs, as serde types, one file per resource.
//!
//! Both directions tolerate what the service may add: unknown fields are ignored,
//! optional fields may be absent or null, message types and identifier kinds are
//! open-ended strings, and timestamps of either precision parse. On output, empty
//! optionals are omitted, as the service does (no `"metadata": null`).

use std::collections::BTreeMap;

mod event_subscriptions;
mod identifiers;
mod identity;
mod messages;
mod participants;
mod threads;

pub use event_subscriptions::*;
pub use identifiers::*;
pub use identity::*;
pub use messages::*;
pub use participants::*;
pub use threads::*;

/// Free-form string metadata on threads, messages and participants.
pub type Metadata = BTreeMap<String, String>;
