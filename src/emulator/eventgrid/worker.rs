//! One task per subscription: the handshake once, then, woken by writes and by its
//! retry timer, it delivers the outbox rows past its cursor (filtered and batched),
//! then the retries that are due. The cursor moves only after the answers are
//! recorded, so a kill at any moment repeats deliveries rather than losing them
//! (at least once, as Event Grid promises). Every store call goes through the writer:
//! a task woken from inside a write's transaction then reads after that commit.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::super::api_error::ApiError;
use super::super::events::ChatEvent;
use super::super::store::{Store, now_ms};
use super::deliver::{self, Outcome};
use super::outbox::{self, Death, Stored};
use super::{EventGrid, Subscription};

/// Rows read per step.
const CHUNK: i64 = 256;
/// Retries attempted per step.
const RETRIES: i64 = 16;
/// The longest sleep between looks (the retry timer is usually sooner).
const IDLE: Duration = Duration::from_secs(3600);
/// After a store failure, the next look.
const BACKOFF: Duration = Duration::from_millis(500);

/// A running subscription task. Dropping it ends the task at once, a delivery in
/// flight included, so a replaced subscription never has two tasks delivering (an
/// acknowledgement cut short this way is delivered again: at least once).
pub struct Handle {
    stop: watch::Sender<bool>,
    task: tokio::task::AbortHandle,
    pub sub: Subscription,
}

impl Handle {
    pub fn stop(&self) {
        let _ = self.stop.send(true);
        self.task.abort();
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.stop();
    }
}

pub fn spawn(store: Store, grid: Arc<EventGrid>, sub: Subscription) -> Handle {
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(run(store, grid, sub.clone(), stopped)).abort_handle();
    Handle { stop, task, sub }
}

async fn run(
    store: Store,
    grid: Arc<EventGrid>,
    sub: Subscription,
    mut stop: watch::Receiver<bool>,
) {
    let mut woken = grid.woken();
    let name = sub.name.clone();
    let state = store
        .tx(move |tx| {
            Ok(outbox::subscriptions(tx)?
                .into_iter()
                .find(|s| s.name == name)
                .map(|s| s.state))
        })
        .await;
    if !matches!(&state, Ok(Some(s)) if s == outbox::ACTIVE) {
        let result = tokio::select! {
            r = deliver::handshake(&grid, &sub) => r,
            _ = stop.wait_for(|s| *s) => return,
        };
        let (state, detail) = match &result {
            Ok(()) => (outbox::ACTIVE, None),
            Err(why) => {
                tracing::warn!(subscription = %sub.name, reason = %why, "event subscription validation failed: it gets no events");
                (outbox::FAILED, Some(why.clone()))
            }
        };
        let name = sub.name.clone();
        let _ = store
            .tx(move |tx| Ok(outbox::set_state(tx, &name, state, detail.as_deref())?))
            .await;
        if result.is_err() {
            return;
        }
        tracing::info!(subscription = %sub.name, endpoint = %sub.endpoint, "event subscription validated");
    }
    loop {
        if *stop.borrow() {
            return;
        }
        let wait = match step(&store, &grid, &sub).await {
            Ok(Step::More) => continue,
            Ok(Step::Idle(None)) => IDLE,
            Ok(Step::Idle(Some(due))) => {
                Duration::from_millis(u64::try_from(due.saturating_sub(now_ms())).unwrap_or(0))
            }
            Err(_) => BACKOFF,
        };
        tokio::select! {
            _ = woken.changed() => {}
            _ = tokio::time::sleep(wait) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

enum Step {
    More,
    /// Nothing to do before this time (epoch ms), if any.
    Idle(Option<i64>),
}

async fn step(store: &Store, grid: &EventGrid, sub: &Subscription) -> Result<Step, ApiError> {
    let name = sub.name.clone();
    let (rows, last, cursor) = store
        .tx(move |tx| {
            let cursor = outbox::cursor(tx, &name)?.unwrap_or(i64::MAX);
            let (rows, last) = outbox::after(tx, cursor, CHUNK)?;
            Ok((rows, last, cursor))
        })
        .await?;
    // Due retries are looked at on every step, new rows or not: under a steady stream
    // of writes they must not wait for a quiet moment.
    let retried = retry_due(store, grid, sub).await?;
    if last > cursor {
        deliver_new(store, grid, sub, rows, last).await?;
        return Ok(Step::More);
    }
    if retried {
        return Ok(Step::More);
    }
    let name = sub.name.clone();
    let next = store
        .tx(move |tx| Ok(outbox::next_retry_ms(tx, &name)?))
        .await?;
    Ok(Step::Idle(next))
}

/// The retries that are due (a bounded number): whether there were any.
async fn retry_due(store: &Store, grid: &EventGrid, sub: &Subscription) -> Result<bool, ApiError> {
    let (name, now) = (sub.name.clone(), now_ms());
    let due = store
        .tx(move |tx| {
            let mut due = Vec::new();
            for r in outbox::due_retries(tx, &name, now, RETRIES)? {
                due.push((r, outbox::one(tx, r.seq)?));
            }
            Ok(due)
        })
        .await?;
    if due.is_empty() {
        return Ok(false);
    }
    for (retry, row) in due {
        let Some(row) = row else {
            let (name, seq) = (sub.name.clone(), retry.seq);
            store
                .tx(move |tx| Ok(outbox::clear_retry(tx, &name, seq)?))
                .await?;
            continue;
        };
        let outcome = if expired(grid, sub, &row.event) {
            None
        } else {
            Some(deliver::post(grid, sub, std::slice::from_ref(&row.event), retry.attempts).await)
        };
        let (name, seq, attempts) = (sub.name.clone(), row.seq, retry.attempts);
        let plan = settle(grid, sub, &row.event, attempts, outcome);
        store
            .tx(move |tx| Ok(apply(tx, &name, seq, &plan)?))
            .await?;
    }
    Ok(true)
}

/// New rows: the ones the filter takes, in batches; the cursor then passes them all.
async fn deliver_new(
    store: &Store,
    grid: &EventGrid,
    sub: &Subscription,
    rows: Vec<Stored>,
    last: i64,
) -> Result<(), ApiError> {
    let accepted: Vec<Stored> = rows
        .into_iter()
        .filter(|r| sub.filter.accepts(&r.event))
        .collect();
    // An event past its time to live (after downtime, or a long validation) is not
    // delivered a first time either.
    let (stale, accepted): (Vec<Stored>, Vec<Stored>) = accepted
        .into_iter()
        .partition(|r| expired(grid, sub, &r.event));
    let mut plans: Vec<_> = stale
        .iter()
        .map(|r| (r.seq, settle(grid, sub, &r.event, 0, None)))
        .collect();
    for batch in batches(sub, &accepted) {
        let events: Vec<ChatEvent> = batch.iter().map(|r| r.event.clone()).collect();
        let outcome = deliver::post(grid, sub, &events, 0).await;
        for r in batch {
            plans.push((r.seq, settle(grid, sub, &r.event, 0, Some(outcome.clone()))));
        }
    }
    let name = sub.name.clone();
    store
        .tx(move |tx| {
            for (seq, plan) in &plans {
                apply(tx, &name, *seq, plan)?;
            }
            outbox::set_cursor(tx, &name, last)?;
            outbox::prune(tx)?;
            Ok(())
        })
        .await
}

/// Event Grid's batching: at most `max-events` per request and about `batch-kb`,
/// never waiting to fill one; an event bigger than the preferred size goes alone.
fn batches<'a>(sub: &Subscription, rows: &'a [Stored]) -> Vec<&'a [Stored]> {
    let limit = usize::try_from(sub.batch_kb)
        .unwrap_or(usize::MAX)
        .saturating_mul(1024);
    let max = usize::try_from(sub.max_events_per_batch)
        .unwrap_or(1)
        .max(1);
    let mut out = Vec::new();
    let (mut start, mut size) = (0, 0usize);
    for (i, r) in rows.iter().enumerate() {
        let len = r
            .event
            .data
            .to_string()
            .len()
            .saturating_add(r.event.subject.len());
        if i > start && (i - start >= max || size.saturating_add(len) > limit) {
            out.push(&rows[start..i]);
            (start, size) = (i, 0);
        }
        size = size.saturating_add(len);
    }
    if start < rows.len() {
        out.push(&rows[start..]);
    }
    out
}

fn expired(grid: &EventGrid, sub: &Subscription, e: &ChatEvent) -> bool {
    now_ms().saturating_sub(e.time_ms) >= deliver::ttl_ms(sub, &grid.config)
}

/// What to store after an attempt (`None` = not attempted: its time to live ran out).
enum Plan {
    Done,
    Retry {
        attempts: u32,
        next_ms: i64,
        status: Option<u16>,
    },
    Dead(Death),
}

fn settle(
    grid: &EventGrid,
    sub: &Subscription,
    e: &ChatEvent,
    before: u32,
    outcome: Option<Outcome>,
) -> Plan {
    let attempts = before.saturating_add(1);
    match outcome {
        Some(Outcome::Delivered) => Plan::Done,
        None => Plan::Dead(Death {
            reason: "TimeToLiveExceeded",
            attempts: before,
            outcome: "TimeToLiveExceeded".to_owned(),
            status: None,
        }),
        Some(Outcome::Refused { status, reason }) => Plan::Dead(Death {
            reason,
            attempts,
            outcome: format!("HTTP {status}"),
            status: Some(status),
        }),
        Some(Outcome::Retry { status, outcome }) => {
            let delay = deliver::retry_delay(attempts, &grid.config);
            let next_ms =
                now_ms().saturating_add(i64::try_from(delay.as_millis()).unwrap_or(i64::MAX));
            let ttl_end = e.time_ms.saturating_add(deliver::ttl_ms(sub, &grid.config));
            if attempts >= sub.max_attempts {
                Plan::Dead(Death {
                    reason: "MaxDeliveryAttemptsExceeded",
                    attempts,
                    outcome,
                    status,
                })
            } else if next_ms >= ttl_end {
                Plan::Dead(Death {
                    reason: "TimeToLiveExceeded",
                    attempts,
                    outcome,
                    status,
                })
            } else {
                Plan::Retry {
                    attempts,
                    next_ms,
                    status,
                }
            }
        }
    }
}

fn apply(tx: &rusqlite::Transaction<'_>, sub: &str, seq: i64, plan: &Plan) -> rusqlite::Result<()> {
    let now = now_ms();
    match plan {
        Plan::Done => outbox::clear_retry(tx, sub, seq),
        Plan::Retry {
            attempts,
            next_ms,
            status,
        } => outbox::schedule_retry(tx, sub, seq, *attempts, *next_ms, *status, now),
        Plan::Dead(d) => {
            tracing::info!(
                subscription = sub,
                seq,
                reason = d.reason,
                "event dead-lettered"
            );
            outbox::dead_letter(tx, sub, seq, d, now)
        }
    }
}
