//! The HTTP side of a delivery: the validation handshakes, one POST of a batch, and
//! what its answer means under Event Grid's rules (`delivery-and-retry.md`): 200-204
//! delivered; 400 and 413, 401 and 403 never retried; anything else, a timeout or a
//! connection failure retried on the schedule.

use std::time::Duration;

use serde_json::{Value, json};

use super::super::events::{ChatEvent, Schema, build::event_time, envelope};
use super::super::store::now_ms;
use super::subscription::{BadSubscription, Subscription};
use super::{DeliveryConfig, EventGrid};

/// The origin Event Grid names in the CloudEvents abuse-protection handshake and on
/// each delivery.
pub const ORIGIN: &str = "eventgrid.azure.net";

/// Event Grid's retry schedule in seconds: 10 s, 30 s, 1 min, 5 min, 10 min, 30 min,
/// 1 h, then hourly.
const SCHEDULE_SECS: [u64; 7] = [10, 30, 60, 300, 600, 1800, 3600];

/// How long a manual (validationUrl) handshake may take: ten minutes.
const MANUAL_SECS: u64 = 600;

pub fn client(config: &DeliveryConfig) -> Result<reqwest::Client, BadSubscription> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut certs = Vec::new();
    for pem in &config.extra_ca_pem {
        let bundle = reqwest::Certificate::from_pem_bundle(pem.as_bytes()).map_err(|e| {
            BadSubscription(format!("the extra CA certificate is not valid PEM: {e}"))
        })?;
        certs.extend(bundle);
    }
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!(
            "acs-chat-emulator-eventgrid/",
            env!("CARGO_PKG_VERSION")
        ))
        .connect_timeout(config.timeout)
        .timeout(config.timeout);
    if !certs.is_empty() {
        builder = builder.tls_certs_merge(certs);
    }
    builder
        .build()
        .map_err(|e| BadSubscription(format!("cannot set up the webhook client: {e}")))
}

/// The wait before the attempt after `failed` failed attempts.
pub fn retry_delay(failed: u32, config: &DeliveryConfig) -> Duration {
    let i = (failed.max(1) as usize - 1).min(SCHEDULE_SECS.len() - 1);
    Duration::from_millis(SCHEDULE_SECS[i].saturating_mul(config.clock_ms_per_second))
}

/// An event's time to live, on the delivery clock.
pub fn ttl_ms(sub: &Subscription, config: &DeliveryConfig) -> i64 {
    let ms = u64::from(sub.ttl_minutes)
        .saturating_mul(60)
        .saturating_mul(config.clock_ms_per_second);
    i64::try_from(ms).unwrap_or(i64::MAX)
}

/// What one request achieved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// Try again later.
    Retry {
        status: Option<u16>,
        outcome: String,
    },
    /// Never retried: dead-lettered at once.
    Refused {
        status: u16,
        reason: &'static str,
    },
}

pub fn classify(status: u16) -> Outcome {
    match status {
        200..=204 => Outcome::Delivered,
        400 | 413 => Outcome::Refused {
            status,
            reason: "UndeliverableDueToHttpBadRequest",
        },
        401 | 403 => Outcome::Refused {
            status,
            reason: "UndeliverableDueToClientError",
        },
        s => Outcome::Retry {
            status: Some(s),
            outcome: format!("HTTP {s}"),
        },
    }
}

/// POSTs `batch` (its events' failed attempts so far: `attempts`).
pub async fn post(
    grid: &EventGrid,
    sub: &Subscription,
    batch: &[ChatEvent],
    attempts: u32,
) -> Outcome {
    let Ok(_permit) = grid.in_flight.acquire().await else {
        return Outcome::Retry {
            status: None,
            outcome: "shutting down".to_owned(),
        };
    };
    let body = envelope::body(batch, sub.schema, &grid.config.topic);
    let mut request = grid
        .client
        .post(sub.endpoint.clone())
        .header("content-type", sub.schema.content_type(batch.len()))
        .header("aeg-event-type", "Notification")
        .header("aeg-subscription-name", sub.name.to_uppercase())
        .header("aeg-delivery-count", attempts.to_string())
        .header("aeg-data-version", "1.0")
        .header("aeg-metadata-version", "1")
        .body(body);
    if sub.schema == Schema::CloudEvents {
        request = request.header("origin", ORIGIN);
    }
    match request.send().await {
        Ok(r) => classify(r.status().as_u16()),
        Err(e) if e.is_timeout() => Outcome::Retry {
            status: None,
            outcome: "timed out".to_owned(),
        },
        Err(e) => Outcome::Retry {
            status: None,
            outcome: format!("no answer: {}", chain(&e)),
        },
    }
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// The handshake before the first delivery; `Err` says why it failed.
pub async fn handshake(grid: &EventGrid, sub: &Subscription) -> Result<(), String> {
    match sub.schema {
        Schema::EventGrid => validate_event_grid(grid, sub).await,
        Schema::CloudEvents => abuse_protection(grid, sub).await,
    }
}

/// CloudEvents 1.0 webhook abuse protection: OPTIONS with `WebHook-Request-Origin`;
/// consent is `WebHook-Allowed-Origin` naming that origin or `*` (the status alone
/// is not consent).
async fn abuse_protection(grid: &EventGrid, sub: &Subscription) -> Result<(), String> {
    let response = grid
        .client
        .request(reqwest::Method::OPTIONS, sub.endpoint.clone())
        .header("webhook-request-origin", ORIGIN)
        .send()
        .await
        .map_err(|e| format!("the OPTIONS handshake got no answer: {}", chain(&e)))?;
    let allowed = response
        .headers()
        .get("webhook-allowed-origin")
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    match allowed {
        Some(o) if o == "*" || o.eq_ignore_ascii_case(ORIGIN) => Ok(()),
        Some(o) => Err(format!("WebHook-Allowed-Origin is {o:?}, not {ORIGIN:?}")),
        None => Err(format!(
            "the OPTIONS handshake answered {} without WebHook-Allowed-Origin",
            response.status().as_u16()
        )),
    }
}

/// Event Grid schema: a SubscriptionValidationEvent; the webhook answers 200 with
/// `{"validationResponse": code}`, or 200 and then GETs the validationUrl.
async fn validate_event_grid(grid: &EventGrid, sub: &Subscription) -> Result<(), String> {
    let code = uuid::Uuid::new_v4().to_string().to_uppercase();
    let base = grid.base_url.lock().map(|b| b.clone()).unwrap_or_default();
    let url = manage::validation_url(&base, &sub.name, &code);
    let (done, manual) = tokio::sync::oneshot::channel();
    if let Ok(mut m) = grid.manual.lock() {
        m.insert(sub.name.clone(), (code.clone(), done));
    }
    let event = json!([{
        "id": uuid::Uuid::new_v4().to_string(),
        "topic": grid.config.topic,
        "subject": "",
        "data": { "validationCode": code, "validationUrl": url },
        "eventType": "Microsoft.EventGrid.SubscriptionValidationEvent",
        "eventTime": event_time(now_ms()),
        "metadataVersion": "1",
        "dataVersion": "1",
    }]);
    let answer = grid
        .client
        .post(sub.endpoint.clone())
        .header("content-type", "application/json")
        .header("aeg-event-type", "SubscriptionValidation")
        .header("aeg-subscription-name", sub.name.to_uppercase())
        .header("aeg-data-version", "1")
        .header("aeg-metadata-version", "1")
        .body(event.to_string())
        .send()
        .await;
    let result = match answer {
        Err(e) => Err(format!(
            "the validation request got no answer: {}",
            chain(&e)
        )),
        Ok(r) if r.status().as_u16() != 200 => Err(format!(
            "the validation request was answered {} (only 200 validates)",
            r.status().as_u16()
        )),
        Ok(r) => {
            let body = read_capped(r, VALIDATION_ANSWER_MAX).await;
            let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            match body.get("validationResponse").and_then(Value::as_str) {
                Some(c) if c.eq_ignore_ascii_case(&code) => Ok(()),
                Some(_) => Err("the validationResponse is not the validationCode".to_owned()),
                None => {
                    let wait = Duration::from_millis(
                        MANUAL_SECS.saturating_mul(grid.config.clock_ms_per_second),
                    );
                    match tokio::time::timeout(wait, manual).await {
                        Ok(Ok(())) => Ok(()),
                        _ => Err(
                            "no validationResponse, and the validationUrl was not visited in time"
                                .to_owned(),
                        ),
                    }
                }
            }
        }
    };
    if let Ok(mut m) = grid.manual.lock() {
        m.remove(&sub.name);
    }
    result
}

use super::manage;

/// The most of a validation answer that is read: `{"validationResponse": "<code>"}`
/// is tens of bytes; a webhook that answers more is not read to its end.
const VALIDATION_ANSWER_MAX: usize = 64 * 1024;

/// At most `max` bytes of a response body (what came before an error, on an error).
async fn read_capped(mut r: reqwest::Response, max: usize) -> Vec<u8> {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = r.chunk().await {
        let room = max.saturating_sub(body.len());
        if room == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    body
}
