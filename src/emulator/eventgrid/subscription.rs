//! A subscription checked and with Event Grid's defaults filled in, from the flag
//! syntax (`URL[,option=value...]`), the config file or the management route (all
//! three go through [`EventSubscriptionDef`]).

use super::super::events::{Filter, Schema};
use crate::wire::EventSubscriptionDef;

/// Event Grid's bounds and defaults (`delivery-and-retry.md`).
const MAX_ATTEMPTS: (u32, u32) = (1, 30);
const TTL_MINUTES: (u32, u32) = (1, 1440);
const BATCH_EVENTS: (u32, u32) = (1, 5000);
const BATCH_KB: (u32, u32) = (1, 1024);
const DEFAULT_BATCH_KB: u32 = 64;
const MAX_NAME: usize = 64;

/// A subscription the emulator delivers to.
#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    pub name: String,
    pub endpoint: url::Url,
    pub schema: Schema,
    pub filter: Filter,
    pub max_attempts: u32,
    pub ttl_minutes: u32,
    pub max_events_per_batch: u32,
    pub batch_kb: u32,
    /// What was asked for, as listed and stored.
    pub def: EventSubscriptionDef,
}

/// Why a subscription was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("event subscription: {0}")]
pub struct BadSubscription(pub String);

fn bad(msg: impl Into<String>) -> BadSubscription {
    BadSubscription(msg.into())
}

fn bounded(
    what: &str,
    v: Option<u32>,
    (lo, hi): (u32, u32),
    default: u32,
) -> Result<u32, BadSubscription> {
    match v {
        None => Ok(default),
        Some(n) if (lo..=hi).contains(&n) => Ok(n),
        Some(n) => Err(bad(format!("{what} must be {lo} to {hi}, not {n}"))),
    }
}

/// Whether `url` may receive events: https anywhere, http to loopback only (a local
/// bot), as an unencrypted webhook elsewhere would carry chat content in the clear.
pub fn check_endpoint(raw: &str) -> Result<url::Url, BadSubscription> {
    let url = url::Url::parse(raw.trim()).map_err(|e| bad(format!("endpoint {raw:?}: {e}")))?;
    let loopback = crate::local::is_loopback(&url);
    match url.scheme() {
        "https" if url.host().is_some() => Ok(url),
        "http" if loopback => Ok(url),
        "http" => Err(bad(format!(
            "endpoint {raw:?}: http:// is accepted for loopback webhooks only; use https://"
        ))),
        _ => Err(bad(format!("endpoint {raw:?}: not an http(s) URL"))),
    }
}

impl Subscription {
    /// Checks `def`; `index` names it when it has no name (`SUB1`, `SUB2`, ...).
    pub fn from_def(def: EventSubscriptionDef, index: usize) -> Result<Self, BadSubscription> {
        let endpoint = check_endpoint(&def.endpoint)?;
        let name = match def.name.as_deref().map(str::trim) {
            None | Some("") => format!("SUB{index}"),
            Some(n) => n.to_owned(),
        };
        if name.len() > MAX_NAME
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(bad(format!(
                "name {name:?}: use at most {MAX_NAME} letters, digits, '-' or '_'"
            )));
        }
        let schema = match def
            .schema
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("eventgrid") | Some("eventgridschema") => Schema::EventGrid,
            Some("cloudevents") | Some("cloudeventschemav1_0") => Schema::CloudEvents,
            Some(other) => {
                return Err(bad(format!(
                    "schema {other:?}: use eventgrid or cloudevents"
                )));
            }
        };
        let included_types = match &def.included_event_types {
            None => None,
            Some(names) => Some(Filter::types(names).map_err(|e| bad(e.to_string()))?),
        };
        let filter = Filter {
            included_types,
            subject_begins_with: def.subject_begins_with.clone().filter(|s| !s.is_empty()),
            subject_ends_with: def.subject_ends_with.clone().filter(|s| !s.is_empty()),
            case_sensitive: false,
        };
        Ok(Self {
            max_attempts: bounded(
                "max-attempts",
                def.max_delivery_attempts,
                MAX_ATTEMPTS,
                MAX_ATTEMPTS.1,
            )?,
            ttl_minutes: bounded("ttl", def.event_time_to_live, TTL_MINUTES, TTL_MINUTES.1)?,
            max_events_per_batch: bounded("max-events", def.max_events_per_batch, BATCH_EVENTS, 1)?,
            batch_kb: bounded(
                "batch-kb",
                def.preferred_batch_size_in_kilobytes,
                BATCH_KB,
                DEFAULT_BATCH_KB,
            )?,
            name,
            endpoint,
            schema,
            filter,
            def: EventSubscriptionDef { name: None, ..def },
        })
    }
}

/// The flag form: `URL[,option=value...]`, options `name`, `schema`, `types` (type
/// names separated by `;`, the `Microsoft.Communication.` prefix optional),
/// `subject-begins-with`, `subject-ends-with`, `max-attempts`, `ttl` (minutes),
/// `max-events`, `batch-kb`. Values cannot hold a comma.
pub fn parse_flag(raw: &str) -> Result<EventSubscriptionDef, BadSubscription> {
    let mut parts = raw.split(',');
    let endpoint = parts.next().unwrap_or_default().trim().to_owned();
    let mut def = EventSubscriptionDef {
        endpoint,
        ..EventSubscriptionDef::default()
    };
    let number = |k: &str, v: &str| {
        v.parse::<u32>()
            .map(Some)
            .map_err(|_| bad(format!("{k}={v:?}: not a whole number")))
    };
    for part in parts {
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| bad(format!("{part:?}: options are key=value")))?;
        let (k, v) = (k.trim(), v.trim());
        match k {
            "name" => def.name = Some(v.to_owned()),
            "schema" => def.schema = Some(v.to_owned()),
            "types" => {
                def.included_event_types = Some(
                    v.split(';')
                        .filter(|t| !t.trim().is_empty())
                        .map(|t| crate::wire::full_event_type(t.trim()))
                        .collect(),
                )
            }
            "subject-begins-with" => def.subject_begins_with = Some(v.to_owned()),
            "subject-ends-with" => def.subject_ends_with = Some(v.to_owned()),
            "max-attempts" => def.max_delivery_attempts = number(k, v)?,
            "ttl" => def.event_time_to_live = number(k, v)?,
            "max-events" => def.max_events_per_batch = number(k, v)?,
            "batch-kb" => def.preferred_batch_size_in_kilobytes = number(k, v)?,
            _ => {
                return Err(bad(format!(
                    "unknown option {k:?}; the options are name, schema, types, \
                     subject-begins-with, subject-ends-with, max-attempts, ttl, max-events, batch-kb"
                )));
            }
        }
    }
    Subscription::from_def(def.clone(), 1)?;
    Ok(def)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::events::EventType;

    #[test]
    fn the_flag_form_takes_every_option() {
        let def = parse_flag(
            "http://127.0.0.1:9000/hook,name=bot,schema=cloudevents,types=ChatMessageReceivedInThread;Microsoft.Communication.ChatThreadCreated,subject-begins-with=thread/19:a,subject-ends-with=/x,max-attempts=3,ttl=5,max-events=10,batch-kb=128",
        )
        .expect("valid");
        let s = Subscription::from_def(def, 1).expect("valid");
        assert_eq!(s.name, "bot");
        assert_eq!(s.schema, Schema::CloudEvents);
        assert_eq!(
            s.filter.included_types,
            Some(vec![
                EventType::MessageReceivedInThread,
                EventType::ThreadCreated
            ])
        );
        assert_eq!(s.filter.subject_begins_with.as_deref(), Some("thread/19:a"));
        assert_eq!(s.filter.subject_ends_with.as_deref(), Some("/x"));
        assert_eq!(
            (
                s.max_attempts,
                s.ttl_minutes,
                s.max_events_per_batch,
                s.batch_kb
            ),
            (3, 5, 10, 128)
        );
    }

    #[test]
    fn defaults_are_event_grids() {
        let s = Subscription::from_def(parse_flag("https://bot.example/hook").expect("valid"), 2)
            .expect("valid");
        assert_eq!(s.name, "SUB2");
        assert_eq!(s.schema, Schema::EventGrid);
        assert_eq!(
            (
                s.max_attempts,
                s.ttl_minutes,
                s.max_events_per_batch,
                s.batch_kb
            ),
            (30, 1440, 1, 64)
        );
    }

    #[test]
    fn bad_subscriptions_are_refused_with_the_reason() {
        for (raw, why) in [
            ("http://bot.example/hook", "loopback"),
            ("ftp://127.0.0.1/", "not an http"),
            ("not a url", "endpoint"),
            ("https://a.example/,max-attempts=0", "1 to 30"),
            ("https://a.example/,max-attempts=31", "1 to 30"),
            ("https://a.example/,ttl=1441", "1 to 1440"),
            ("https://a.example/,max-events=99999999999", "whole number"),
            ("https://a.example/,schema=xml", "eventgrid or cloudevents"),
            ("https://a.example/,types=ChatNothing", "unknown event type"),
            ("https://a.example/,colour=red", "unknown option"),
            ("https://a.example/,name=a b", "letters"),
            ("https://a.example/,noequals", "key=value"),
        ] {
            let e = parse_flag(raw).expect_err(raw);
            assert!(e.to_string().contains(why), "{raw}: {e}");
        }
        assert!(parse_flag("http://[::1]:8/x").is_ok());
        assert!(parse_flag("http://localhost:8/x").is_ok());
    }
}
