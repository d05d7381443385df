//! `[[emulator.event_subscriptions]]`: the Event Grid webhooks `acs-chat serve`
//! delivers to, with the options of `serve --event-subscription URL[,option=value]`
//! under the same names (snake_case, as every key of the file).

use serde::Deserialize;

use crate::wire::{EventSubscriptionDef, full_event_type};

/// `[emulator]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmulatorConfig {
    #[serde(default)]
    pub event_subscriptions: Vec<EventSubscriptionConfig>,
}

/// One `[[emulator.event_subscriptions]]`; the emulator checks the values when it
/// starts, as it checks the flag's.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventSubscriptionConfig {
    pub endpoint: String,
    pub name: Option<String>,
    pub schema: Option<String>,
    /// Type names, the `Microsoft.Communication.` prefix optional.
    pub types: Option<Vec<String>>,
    pub subject_begins_with: Option<String>,
    pub subject_ends_with: Option<String>,
    pub max_attempts: Option<u32>,
    /// Minutes.
    pub ttl: Option<u32>,
    pub max_events: Option<u32>,
    pub batch_kb: Option<u32>,
}

impl EventSubscriptionConfig {
    /// The definition `serve` starts the subscription from.
    pub fn to_def(&self) -> EventSubscriptionDef {
        EventSubscriptionDef {
            name: self.name.clone(),
            endpoint: self.endpoint.clone(),
            schema: self.schema.clone(),
            included_event_types: self
                .types
                .as_ref()
                .map(|ts| ts.iter().map(|t| full_event_type(t.trim())).collect()),
            subject_begins_with: self.subject_begins_with.clone(),
            subject_ends_with: self.subject_ends_with.clone(),
            max_delivery_attempts: self.max_attempts,
            event_time_to_live: self.ttl,
            max_events_per_batch: self.max_events,
            preferred_batch_size_in_kilobytes: self.batch_kb,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::ConfigFile;

    #[test]
    fn every_option_reaches_the_definition() {
        let c = ConfigFile::parse(
            r#"
[[emulator.event_subscriptions]]
endpoint = "http://127.0.0.1:9000/hook"
name = "bot"
schema = "cloudevents"
types = ["ChatMessageReceivedInThread", "Microsoft.Communication.ChatThreadCreated"]
subject_begins_with = "thread/"
subject_ends_with = "/x"
max_attempts = 3
ttl = 5
max_events = 10
batch_kb = 128

[[emulator.event_subscriptions]]
endpoint = "https://hooks.example/b"
"#,
        )
        .expect("valid");
        let defs: Vec<_> = c
            .emulator
            .event_subscriptions
            .iter()
            .map(|s| s.to_def())
            .collect();
        assert_eq!(defs.len(), 2);
        let d = &defs[0];
        assert_eq!(d.name.as_deref(), Some("bot"));
        assert_eq!(d.schema.as_deref(), Some("cloudevents"));
        let types = d.included_event_types.clone().unwrap_or_default();
        assert_eq!(
            types,
            [
                "Microsoft.Communication.ChatMessageReceivedInThread",
                "Microsoft.Communication.ChatThreadCreated"
            ]
        );
        assert_eq!(d.subject_begins_with.as_deref(), Some("thread/"));
        assert_eq!(d.subject_ends_with.as_deref(), Some("/x"));
        let numbers = (
            d.max_delivery_attempts,
            d.event_time_to_live,
            d.max_events_per_batch,
            d.preferred_batch_size_in_kilobytes,
        );
        assert_eq!(numbers, (Some(3), Some(5), Some(10), Some(128)));
        assert_eq!(defs[1].endpoint, "https://hooks.example/b");
        assert_eq!(defs[1].name, None);
    }

    #[test]
    fn a_misspelt_option_is_named() {
        let e = ConfigFile::parse(
            "[[emulator.event_subscriptions]]\nendpoint = \"http://127.0.0.1:1/\"\nmax_attempt = 3\n",
        )
        .expect_err("typo");
        assert!(e.contains("max_attempt"), "{e}");
    }
}
