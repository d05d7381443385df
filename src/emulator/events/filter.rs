//! Which events a subscription receives: Event Grid's basic filters — included event
//! types, subject begins-with and ends-with — compared without regard to case, as
//! Event Grid does unless a subscription asks for case-sensitive subjects.

use super::build::ChatEvent;
use super::types::EventType;

/// A subscription's filter; the default lets every event through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// `None` = every type (as when a subscription lists none).
    pub included_types: Option<Vec<EventType>>,
    pub subject_begins_with: Option<String>,
    pub subject_ends_with: Option<String>,
    pub case_sensitive: bool,
}

/// A filter that names an event type no chat event has.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown event type {0:?}; the chat event types are Microsoft.Communication.Chat*")]
pub struct UnknownEventType(pub String);

impl Filter {
    /// Parses included event type names (full names, any case).
    pub fn types(names: &[String]) -> Result<Vec<EventType>, UnknownEventType> {
        names
            .iter()
            .map(|n| EventType::parse(n.trim()).ok_or_else(|| UnknownEventType(n.clone())))
            .collect()
    }

    /// Whether `event` passes.
    pub fn accepts(&self, event: &ChatEvent) -> bool {
        if let Some(types) = &self.included_types
            && !types.contains(&event.event_type)
        {
            return false;
        }
        let begins = self
            .subject_begins_with
            .as_deref()
            .is_none_or(|p| self.affix(&event.subject, p, |s, a| s.starts_with(a)));
        let ends = self
            .subject_ends_with
            .as_deref()
            .is_none_or(|s| self.affix(&event.subject, s, |s, a| s.ends_with(a)));
        begins && ends
    }

    fn affix(&self, subject: &str, affix: &str, test: fn(&str, &str) -> bool) -> bool {
        if self.case_sensitive {
            test(subject, affix)
        } else {
            test(&subject.to_lowercase(), &affix.to_lowercase())
        }
    }
}
