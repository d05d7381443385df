//! Event Grid delivery, against `acs-chat serve --in-memory --http` in its own process
//! with webhooks in this one: latency from a send's REST answer to the webhook's
//! receipt of its ChatMessageReceivedInThread event, events/s delivered to 1 and to 10
//! subscribers while senders write as fast as they can, and send throughput with 0, 1
//! and 10 subscribers. Subscriptions take ChatMessageReceivedInThread only (one event
//! per send each) and Event Grid's default batch of one event per request.
//!
//! Run: `cargo bench --bench eventgrid` (`-- --short` for the quick CI mode).

#[path = "../tests/serve_common/mod.rs"]
mod serve_common;
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use support::serve::{Server, load};
use support::{Report, ms, short_mode};
use tokio::sync::{mpsc, watch};

/// What the webhooks counted: handshakes answered and events delivered.
#[derive(Default, Clone, Copy)]
struct Counts {
    handshakes: u64,
    events: u64,
    /// Deliveries taken by a hung webhook (never answered).
    hung: u64,
}

/// The webhooks' state: the counts, and each delivered (message id, arrival) sent on.
struct Seen {
    counts: watch::Sender<Counts>,
    arrivals: mpsc::UnboundedSender<(String, Instant)>,
}

/// Answers both handshakes (OPTIONS for CloudEvents, the validation event for the
/// Event Grid schema) and takes every delivery with 200; under `/hung/` it accepts
/// each delivery and never answers it.
async fn hook(
    State(s): State<Arc<Seen>>,
    uri: Uri,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let at = Instant::now();
    if method == Method::OPTIONS {
        let origin = headers
            .get("webhook-request-origin")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        s.counts.send_modify(|c| c.handshakes += 1);
        return (StatusCode::OK, [("webhook-allowed-origin", origin)]).into_response();
    }
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if body[0]["eventType"] == "Microsoft.EventGrid.SubscriptionValidationEvent" {
        s.counts.send_modify(|c| c.handshakes += 1);
        let code = body[0]["data"]["validationCode"].clone();
        return axum::Json(json!({ "validationResponse": code })).into_response();
    }
    if uri.path().starts_with("/hung/") {
        s.counts.send_modify(|c| c.hung += 1);
        return std::future::pending().await;
    }
    let events = body.as_array().map_or(&[][..], Vec::as_slice);
    for e in events {
        if let Some(id) = e["data"]["messageId"].as_str() {
            let _ = s.arrivals.send((id.to_owned(), at));
        }
    }
    s.counts.send_modify(|c| c.events += events.len() as u64);
    StatusCode::OK.into_response()
}

/// `n` webhook URLs (one listener, one path each) and what they see; the first `hung`
/// of them never answer a delivery.
async fn webhooks(
    n: usize,
    hung: usize,
) -> (
    Vec<String>,
    Arc<Seen>,
    mpsc::UnboundedReceiver<(String, Instant)>,
) {
    let (tx, rx) = mpsc::unbounded_channel();
    let seen = Arc::new(Seen {
        counts: watch::Sender::new(Counts::default()),
        arrivals: tx,
    });
    let app = axum::Router::new()
        .route("/hook/{i}", axum::routing::any(hook))
        .route("/hung/{i}", axum::routing::any(hook))
        .with_state(seen.clone());
    let addr = serve_common::serve(app).await;
    let urls = (0..n)
        .map(|i| {
            let kind = if i < hung { "hung" } else { "hook" };
            format!("http://{addr}/{kind}/{i}")
        })
        .collect();
    (urls, seen, rx)
}

impl Seen {
    /// Waits (a minute at most) until `done` holds for the counts; whether it did.
    async fn wait(&self, done: impl Fn(&Counts) -> bool) -> bool {
        let mut rx = self.counts.subscribe();
        tokio::time::timeout(Duration::from_secs(60), rx.wait_for(|c| done(c)))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    fn events(&self) -> u64 {
        self.counts.borrow().events
    }
}

/// `acs-chat serve` delivering to `hooks`, and `n` writers each with a thread of its
/// own: (token, thread id).
async fn serve(hooks: &[String], n: usize) -> (Arc<Server>, Vec<(String, String)>) {
    let args: Vec<String> = hooks
        .iter()
        .flat_map(|h| {
            [
                "--event-subscription".to_owned(),
                format!("{h},types=ChatMessageReceivedInThread"),
            ]
        })
        .collect();
    let server = Server::start(&args);
    let mut writers = Vec::with_capacity(n);
    for w in server.users(n).await {
        let thread = server.thread(&w, &[]).await;
        writers.push((w.1, thread));
    }
    (Arc::new(server), writers)
}

#[tokio::main]
async fn main() {
    let short = short_mode();
    let (samples, senders, window) = if short {
        (20, 4, Duration::from_secs(1))
    } else {
        (500, 8, Duration::from_secs(10))
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut report = Report::default();
    for subs in [0usize, 1, 10] {
        let (urls, seen, mut arrivals) = webhooks(subs, 0).await;
        let (server, writers) = serve(&urls, senders).await;
        assert!(
            seen.wait(|c| c.handshakes >= subs as u64).await,
            "every subscription validated"
        );

        if subs == 1 {
            // One send at a time: from its REST answer to the webhook's receipt. The
            // delivery starts at the commit, before the answer is written, so it may
            // arrive first (0): the time from the send's start is given too.
            let (mut after_answer, mut from_start) = (Vec::new(), Vec::new());
            for _ in 0..samples {
                let start = Instant::now();
                let id = server.send(&writers[0].0, &writers[0].1).await;
                let answered = Instant::now();
                loop {
                    let (got, at) = arrivals.recv().await.expect("an event");
                    if got == id {
                        after_answer.push(ms(at.saturating_duration_since(answered)));
                        from_start.push(ms(at - start));
                        break;
                    }
                }
            }
            report.latencies("event.after_rest_answer", &mut after_answer);
            report.latencies("event.after_send_start", &mut from_start);
        }

        let before = seen.events();
        let started = Instant::now();
        let sent = load(&server, &writers, window).await;
        report.add(
            format!("send.{subs}_subscribers"),
            sent as f64 / window.as_secs_f64(),
            "sends/s",
        );
        if subs > 0 {
            let expected = before + sent * subs as u64;
            assert!(
                seen.wait(|c| c.events >= expected).await,
                "every event delivered"
            );
            let took = started.elapsed();
            report.add(
                format!("delivered.{subs}_subscribers"),
                (sent * subs as u64) as f64 / took.as_secs_f64(),
                "events/s (sending included)",
            );
            report.add(
                format!("delivered.{subs}_subscribers.lag_after_load"),
                ms(took.saturating_sub(window)),
                "ms",
            );
        }
    }
    hung_phases(&mut report, senders, window).await;
    report.print_table("Event Grid delivery (acs-chat serve --in-memory --http, own process)");
}

/// A hung webhook (validated, then taking every delivery and never answering, under
/// the default 30 s timeout): sends/s with it beside sends/s with no subscriber just
/// before and after (the machine drifts: the mean of the two), then a healthy
/// subscriber beside it, whose events/s and lag say whether the hung one starves it.
async fn hung_phases(report: &mut Report, senders: usize, window: Duration) {
    let (none, none_writers) = serve(&[], senders).await;
    let (urls, seen, _arrivals) = webhooks(1, 1).await;
    let (hung, hung_writers) = serve(&urls, senders).await;
    assert!(seen.wait(|c| c.handshakes >= 1).await, "validated");

    let quiet = load(&none, &none_writers, window).await as f64 / window.as_secs_f64();
    let stuck = load(&hung, &hung_writers, window).await as f64 / window.as_secs_f64();
    let quiet_again = load(&none, &none_writers, window).await as f64 / window.as_secs_f64();
    assert!(
        seen.counts.borrow().hung >= 1,
        "the hung webhook took a delivery"
    );
    report.add("send.no_subscriber.before_hung", quiet, "sends/s");
    report.add("send.1_hung_subscriber", stuck, "sends/s");
    report.add("send.no_subscriber.after_hung", quiet_again, "sends/s");
    report.add(
        "send.1_hung_subscriber.vs_none",
        stuck / ((quiet + quiet_again) / 2.0) * 100.0,
        "%",
    );
    drop((none, hung));

    let (urls, seen, _arrivals) = webhooks(2, 1).await;
    let (server, writers) = serve(&urls, senders).await;
    assert!(seen.wait(|c| c.handshakes >= 2).await, "both validated");
    let started = Instant::now();
    let sent = load(&server, &writers, window).await;
    report.add(
        "send.1_hung_1_healthy",
        sent as f64 / window.as_secs_f64(),
        "sends/s",
    );
    assert!(
        seen.wait(|c| c.events >= sent).await,
        "every event delivered to the healthy subscriber"
    );
    let took = started.elapsed();
    report.add(
        "delivered.healthy_beside_hung",
        sent as f64 / took.as_secs_f64(),
        "events/s (sending included)",
    );
    report.add(
        "delivered.healthy_beside_hung.lag_after_load",
        ms(took.saturating_sub(window)),
        "ms",
    );
}
