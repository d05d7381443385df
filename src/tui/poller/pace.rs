//! When the poller polls next: a pure function of what happened and when (the caller
//! passes the instants), so the timing rules are tested without a clock or a network.
//!
//! - Active rate while the user or the thread is busy; after `idle_after_secs` of quiet
//!   the interval doubles up to `idle_max_ms`.
//! - Throttling (429) raises a floor under the interval, doubling it each time, so a
//!   client whose configured rate exceeds the service's window settles below it instead
//!   of living in 429s. The floor comes down by a quarter per minute without a 429 (a
//!   minute is the longest window of ACS's chat limits), so it tracks the limit.
//! - Other failures back off exponentially with jitter up to `error_backoff_max_ms`;
//!   a `Retry-After` is obeyed (it is capped where it is parsed).
//! - An endpoint that cannot be reached at all (no connection) for [`OFFLINE_AFTER`]
//!   is *offline*; HTTP errors never are (the service answered).

use std::time::Duration;

use rand::RngExt as _;
use tokio::time::Instant;

use crate::acs::{Error, ErrorKind};
use crate::config::PollIntervals;

/// How long the endpoint must be unreachable before the client says it is offline.
pub const OFFLINE_AFTER: Duration = Duration::from_secs(10);
/// While push is live, successful polls come this far apart: only what push missed
/// (a dropped event) waits this long. Two requests a cycle keep an idle client far
/// below one request every 20 s.
pub const SAFETY_NET: Duration = Duration::from_secs(60);
/// A throttle floor is relaxed after this long without a 429.
const RELAX_AFTER: Duration = Duration::from_secs(60);

/// What the status bar should say after a failed cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Retrying,
    Offline,
}

#[derive(Debug, Clone)]
pub struct Pace {
    intervals: PollIntervals,
    interval: Duration,
    /// The shortest interval the service tolerates, as learnt from 429s.
    floor: Duration,
    /// When the floor last changed (raised by a 429, or relaxed).
    floor_changed: Option<Instant>,
    failures: u32,
    last_activity: Instant,
    unreachable_since: Option<Instant>,
    /// Push delivers: successful cycles come only every [`SAFETY_NET`].
    push_live: bool,
}

impl Pace {
    pub fn new(intervals: PollIntervals, now: Instant) -> Self {
        let active = Duration::from_millis(intervals.active_ms);
        Self {
            intervals,
            interval: active,
            floor: active,
            floor_changed: None,
            failures: 0,
            last_activity: now,
            unreachable_since: None,
            push_live: false,
        }
    }

    fn active(&self) -> Duration {
        Duration::from_millis(self.intervals.active_ms)
    }

    fn idle_max(&self) -> Duration {
        Duration::from_millis(self.intervals.idle_max_ms).max(self.active())
    }

    /// The user did something, or news arrived: poll at the active rate again.
    pub fn activity(&mut self, now: Instant) {
        self.last_activity = now;
        self.interval = self.active();
    }

    /// Push went live (polling becomes the safety net) or down (today's pace, from the
    /// active rate: news may be waiting).
    pub fn set_push_live(&mut self, live: bool) {
        self.push_live = live;
        self.interval = self.active();
    }

    pub fn push_live(&self) -> bool {
        self.push_live
    }

    /// The shortest interval polling currently keeps (for tests and logs).
    pub fn floor(&self) -> Duration {
        self.floor
    }

    /// A cycle succeeded: the time from its start to the next one.
    pub fn succeeded(&mut self, now: Instant) -> Duration {
        self.failures = 0;
        self.unreachable_since = None;
        if self.floor > self.active()
            && self
                .floor_changed
                .is_none_or(|at| now.saturating_duration_since(at) >= RELAX_AFTER)
        {
            self.floor = (self.floor * 3 / 4).max(self.active());
            self.floor_changed = Some(now);
        }
        let quiet = now.saturating_duration_since(self.last_activity);
        self.interval = if quiet < Duration::from_secs(self.intervals.idle_after_secs) {
            self.active()
        } else {
            self.interval.saturating_mul(2).min(self.idle_max())
        };
        let next = self.interval.max(self.floor);
        if self.push_live {
            next.max(SAFETY_NET)
        } else {
            next
        }
    }

    /// A cycle failed: how long to wait, and what to call the connection meanwhile.
    /// `jitter` in [0.75, 1.25) spreads clients that failed together.
    pub fn failed(&mut self, error: &Error, now: Instant, jitter: f64) -> (Duration, Verdict) {
        self.failures = self.failures.saturating_add(1);
        if error.status() == Some(429) {
            // Whatever the current interval, it was too fast: at least double it.
            self.floor = self
                .floor
                .max(self.interval)
                .saturating_mul(2)
                .min(self.idle_max());
            self.floor_changed = Some(now);
        }
        let max = Duration::from_millis(self.intervals.error_backoff_max_ms);
        let wait = error
            .retry_after()
            .unwrap_or_else(|| backoff(self.failures, max, jitter))
            .max(self.floor);
        let verdict = if error.kind() == ErrorKind::Connect {
            let since = *self.unreachable_since.get_or_insert(now);
            if now.saturating_duration_since(since) >= OFFLINE_AFTER {
                Verdict::Offline
            } else {
                Verdict::Retrying
            }
        } else {
            self.unreachable_since = None;
            Verdict::Retrying
        };
        (wait, verdict)
    }
}

/// A random jitter factor for [`Pace::failed`].
pub fn jitter() -> f64 {
    rand::rng().random_range(0.75..1.25)
}

/// 1 s, 2 s, 4 s … up to `max`, times `jitter`.
fn backoff(failures: u32, max: Duration, jitter: f64) -> Duration {
    let base = Duration::from_secs(1u64 << failures.saturating_sub(1).min(5)).min(max);
    base.mul_f64(jitter.clamp(0.75, 1.25))
}

#[cfg(test)]
mod tests;
