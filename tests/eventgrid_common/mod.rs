//! A test webhook: answers Event Grid's handshakes (or fails them, as told), answers
//! deliveries with the status codes it is given, and records every request.
#![allow(dead_code)]

#[path = "../serve_common/mod.rs"]
mod serve_common;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tokio::sync::Notify;

/// What the webhook does.
#[derive(Clone, Default)]
pub struct Behaviour {
    /// Fail the handshake (answer 403 / no WebHook-Allowed-Origin).
    pub refuse_handshake: bool,
    /// Statuses for successive deliveries; when used up, 200.
    pub statuses: VecDeque<u16>,
    /// Never answer deliveries.
    pub hang: bool,
    /// Answer each delivery only after this long (a slow webhook).
    pub delay: Duration,
    /// Answer the validation handshake only once this gate is open.
    pub handshake_gate: Option<Gate>,
    /// Answer the Event Grid validation event with 200 and a body that never ends
    /// (a trickle of bytes; see [`Webhook::endless`]).
    pub endless_validation: bool,
}

/// A gate a test opens when it is ready.
#[derive(Clone)]
pub struct Gate(Arc<tokio::sync::watch::Sender<bool>>);

impl Default for Gate {
    fn default() -> Self {
        Self(Arc::new(tokio::sync::watch::Sender::new(false)))
    }
}

impl Gate {
    pub fn open(&self) {
        self.0.send_replace(true);
    }

    async fn passed(&self) {
        let _ = self.0.subscribe().wait_for(|open| *open).await;
    }
}

/// How far the endless validation answer got: bytes written, and whether the server
/// stopped writing it (its reader went away).
#[derive(Default)]
pub struct Endless {
    pub written: AtomicUsize,
    pub dropped: AtomicBool,
}

/// Sets `dropped` when the endless body is dropped.
struct EndlessGuard(Arc<Shared>);

impl Drop for EndlessGuard {
    fn drop(&mut self) {
        self.0.endless.dropped.store(true, Ordering::SeqCst);
        self.0.changed.notify_waiters();
    }
}

/// 16 KiB every 5 ms, for ever: 3 MiB/s, so that even a reader with no limit grows
/// slowly enough not to hurt the machine while the test waits for it.
fn endless_body(s: Arc<Shared>) -> axum::body::Body {
    let stream = futures::stream::unfold(EndlessGuard(s), |guard| async move {
        tokio::time::sleep(Duration::from_millis(5)).await;
        let chunk = vec![b' '; 16 * 1024];
        guard
            .0
            .endless
            .written
            .fetch_add(chunk.len(), Ordering::SeqCst);
        Some((Ok::<_, std::io::Error>(Bytes::from(chunk)), guard))
    });
    axum::body::Body::from_stream(stream)
}

#[derive(Debug, Clone)]
pub struct Received {
    pub method: Method,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

struct Shared {
    behaviour: Mutex<Behaviour>,
    received: Mutex<Vec<Received>>,
    changed: Notify,
    endless: Endless,
}

pub struct Webhook {
    pub url: String,
    shared: Arc<Shared>,
}

async fn hook(
    State(s): State<Arc<Shared>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let r = Received {
        method: method.clone(),
        headers: headers.clone(),
        body: body.clone(),
    };
    let (refuse, hang, status, delay, gate, endless) = {
        let mut b = s.behaviour.lock().expect("lock");
        let is_delivery = method == Method::POST
            && headers.get("aeg-event-type").and_then(|v| v.to_str().ok()) == Some("Notification");
        let status = if is_delivery {
            b.statuses.pop_front().unwrap_or(200)
        } else {
            200
        };
        (
            b.refuse_handshake,
            b.hang && is_delivery,
            status,
            b.delay,
            b.handshake_gate.clone().filter(|_| !is_delivery),
            b.endless_validation,
        )
    };
    s.received.lock().expect("lock").push(r);
    s.changed.notify_waiters();
    if let Some(gate) = gate {
        gate.passed().await;
    }
    if method == Method::OPTIONS {
        if refuse {
            return StatusCode::OK.into_response();
        }
        let origin = headers
            .get("webhook-request-origin")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        return (StatusCode::OK, [("webhook-allowed-origin", origin)]).into_response();
    }
    if body[0]["eventType"] == "Microsoft.EventGrid.SubscriptionValidationEvent" {
        if refuse {
            return StatusCode::FORBIDDEN.into_response();
        }
        if endless {
            return (StatusCode::OK, endless_body(s.clone())).into_response();
        }
        let code = body[0]["data"]["validationCode"].clone();
        return axum::Json(serde_json::json!({ "validationResponse": code })).into_response();
    }
    if hang {
        std::future::pending::<()>().await;
    }
    tokio::time::sleep(delay).await;
    StatusCode::from_u16(status)
        .unwrap_or(StatusCode::OK)
        .into_response()
}

impl Webhook {
    pub async fn start(behaviour: Behaviour) -> Self {
        let shared = Arc::new(Shared {
            behaviour: Mutex::new(behaviour),
            received: Mutex::default(),
            changed: Notify::new(),
            endless: Endless::default(),
        });
        let app = axum::Router::new()
            .route("/hook", axum::routing::any(hook))
            .with_state(shared.clone());
        let addr = serve_common::serve(app).await;
        Self {
            url: format!("http://{addr}/hook"),
            shared,
        }
    }

    /// How far the endless validation answer got.
    pub fn endless(&self) -> &Endless {
        &self.shared.endless
    }

    /// The deliveries (not handshakes) received so far.
    pub fn deliveries(&self) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.header("aeg-event-type") == Some("Notification"))
            .collect()
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().expect("lock").clone()
    }

    /// The delivered events (each request's body flattened), in arrival order.
    pub fn events(&self) -> Vec<Value> {
        self.received()
            .into_iter()
            .filter(|r| r.header("aeg-event-type") == Some("Notification"))
            .flat_map(|r| match r.body {
                Value::Array(a) => a,
                one => vec![one],
            })
            .collect()
    }

    /// Waits (up to `within`) until `done` holds for what was received.
    pub async fn wait_for(
        &self,
        within: Duration,
        done: impl Fn(&[Received]) -> bool,
    ) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let notified = self.shared.changed.notified();
            let now = self.received();
            if done(&now) {
                return now;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.received();
            }
        }
    }

    /// Waits until at least `n` events were delivered.
    pub async fn wait_for_events(&self, n: usize) -> Vec<Value> {
        self.wait_for(Duration::from_secs(20), |r| {
            r.iter()
                .filter(|r| r.header("aeg-event-type") == Some("Notification"))
                .map(|r| r.body.as_array().map_or(1, Vec::len))
                .sum::<usize>()
                >= n
        })
        .await;
        self.events()
    }
}

/// The event of `kind` (short name) among `events`.
pub fn of_type<'a>(events: &'a [Value], kind: &str) -> Vec<&'a Value> {
    let full = format!("Microsoft.Communication.{kind}");
    events
        .iter()
        .filter(|e| e["eventType"] == full.as_str() || e["type"] == full.as_str())
        .collect()
}
