//! The emulator's Event Grid subscriptions as its management route, the config file
//! and `serve --event-subscription` spell them. Not an ACS API: in Azure these are
//! made through Azure Resource Manager; the option names follow its
//! `eventSubscriptions` resource.

use serde::{Deserialize, Serialize};

/// One subscription as asked for; absent options take Event Grid's defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventSubscriptionDef {
    /// Unique among the emulator's subscriptions; made up from the endpoint when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The webhook: `https://` anywhere, `http://` on a loopback address only.
    pub endpoint: String,
    /// `eventgrid` (the default) or `cloudevents`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Full type names (`Microsoft.Communication.ChatMessageReceived`); none = all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub included_event_types: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_begins_with: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_ends_with: Option<String>,
    /// 1 to 30 (default 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_delivery_attempts: Option<u32>,
    /// Minutes, 1 to 1440 (default 1440).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_time_to_live: Option<u32>,
    /// 1 to 5000 (default 1: one event per request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_events_per_batch: Option<u32>,
    /// 1 to 1024 (default 64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_batch_size_in_kilobytes: Option<u32>,
}

/// A subscription as the emulator lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventSubscriptionInfo {
    pub name: String,
    pub definition: EventSubscriptionDef,
    /// `AwaitingValidation`, `Active` or `ValidationFailed`.
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Events waiting for a retry.
    pub retrying: u64,
    pub dead_lettered: u64,
}

/// An event that could not be delivered, as the emulator lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeadLetter {
    pub subscription: String,
    /// `MaxDeliveryAttemptsExceeded`, `TimeToLiveExceeded`, `UndeliverableDueToHttpBadRequest`, ...
    pub dead_letter_reason: String,
    pub delivery_attempts: u32,
    pub last_delivery_outcome: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_http_status_code: Option<u16>,
    pub publish_time: String,
    pub last_delivery_attempt_time: String,
    /// The event as the subscription's schema delivers it.
    pub event: serde_json::Value,
}
