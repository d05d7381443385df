//! When to retry and how long to wait: pure functions of the failure, the operation's
//! safety and the policy, so the decision table is tested without a network.

use std::time::Duration;

use reqwest::header::HeaderMap;
use time::OffsetDateTime;

use super::config::RetryPolicy;
use crate::wire::http_date;

/// Whether repeating an operation can do harm if the first attempt was processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Safety {
    /// GET, PATCH, DELETE, and POSTs that are idempotent by design (create thread with
    /// a repeatability id, add/remove participants, typing, read receipts, token issue
    /// and revoke).
    Idempotent,
    /// Send message, create user: a repeat would duplicate.
    NotIdempotent,
}

/// How an attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The service answered with this non-success status.
    Status {
        status: u16,
        retry_after: Option<Duration>,
    },
    /// No connection was made, so nothing was sent.
    Connect,
    /// No complete answer in time: the request may have been processed.
    Timeout,
    /// The connection broke after the request was (maybe) sent.
    Dropped,
}

/// The decision table. 429 and 503-with-Retry-After mean the service did not process
/// the request, and a refused connection sent nothing, so those are safe for every
/// operation; everything else transient only for idempotent ones.
pub(crate) fn may_retry(failure: Failure, safety: Safety) -> bool {
    let idempotent = safety == Safety::Idempotent;
    match failure {
        Failure::Status { status: 429, .. } => true,
        Failure::Status {
            status: 503,
            retry_after: Some(_),
        } => true,
        Failure::Status { status, .. } => {
            idempotent && matches!(status, 408 | 500 | 502 | 503 | 504)
        }
        Failure::Connect => true,
        Failure::Timeout | Failure::Dropped => idempotent,
    }
}

/// The wait before retry number `retry` (0-based): `base * 2^retry` capped at
/// `max_delay`, with "equal jitter" (half fixed, half random; `jitter` in [0, 1)) so
/// clients that failed together spread out. A `Retry-After` (as the service sent it)
/// is a floor: never retry sooner than asked. One longer than the policy waits out
/// (`max_retry_after`, itself at most [`MAX_RETRY_AFTER`]) is `None`: the transport
/// gives up and hands the error back, so a caller that schedules its own calls (the
/// poller, the outbox) sees the 429 instead of a transport asleep for a minute.
pub(crate) fn delay(
    policy: &RetryPolicy,
    retry: u32,
    retry_after: Option<Duration>,
    jitter: f64,
) -> Option<Duration> {
    let longest = policy.max_retry_after.min(MAX_RETRY_AFTER);
    if retry_after.is_some_and(|after| after > longest) {
        return None;
    }
    let exp = policy
        .base_delay
        .saturating_mul(2u32.saturating_pow(retry.min(30)))
        .min(policy.max_delay);
    let half = exp / 2;
    let backoff = half + half.mul_f64(jitter.clamp(0.0, 1.0));
    Some(retry_after.map_or(backoff, |after| after.max(backoff)))
}

/// The longest anyone in the client waits because a response asked it to: the
/// transport waits out no longer `Retry-After`, and [`crate::acs::Error::retry_after`]
/// tells callers (`message send`, `--follow`, the TUI's poller and outbox) at most
/// this, so a broken or hostile service cannot park them for days. ACS's rate windows
/// are a minute at most (per-minute chat limits, 30 s identity windows), so a longer
/// wait asks for more than any window needs.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// The wait a response asks for, as sent: `retry-after-ms` / `x-ms-retry-after-ms`
/// (milliseconds), else `Retry-After` in seconds or as an HTTP date (relative to
/// `now`). Negative or non-numeric values count as absent; one too long for a
/// `Duration` saturates. Not capped here: the transport must tell a wait longer than
/// its policy from one that fits ([`delay`]); the cap is applied where a wait is slept.
pub(crate) fn retry_after(headers: &HeaderMap, now: OffsetDateTime) -> Option<Duration> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
        if let Some(ms) = text(name).and_then(parse_non_negative) {
            return Some(saturating_secs(ms / 1000.0));
        }
    }
    let value = text("retry-after")?;
    if let Some(secs) = parse_non_negative(value) {
        return Some(saturating_secs(secs));
    }
    let at = http_date::parse(value)?;
    let wait = at - now;
    Some(if wait.is_positive() {
        wait.unsigned_abs()
    } else {
        Duration::ZERO
    })
}

/// A finite, non-negative number.
fn parse_non_negative(s: &str) -> Option<f64> {
    let v: f64 = s.parse().ok()?;
    (v.is_finite() && v >= 0.0).then_some(v)
}

/// `secs` (finite, non-negative) as a wait, [`Duration::MAX`] when too long for one
/// (`Duration::from_secs_f64` would panic).
fn saturating_secs(secs: f64) -> Duration {
    Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Failure::*;
    use Safety::*;
    use reqwest::header::HeaderValue;

    fn status(s: u16) -> Failure {
        Status {
            status: s,
            retry_after: None,
        }
    }

    #[test]
    fn decision_table() {
        let ra = Some(Duration::from_secs(1));
        let table: &[(Failure, bool, bool)] = &[
            // failure, idempotent op retried, non-idempotent op retried
            (status(429), true, true),
            (
                Status {
                    status: 429,
                    retry_after: ra,
                },
                true,
                true,
            ),
            (
                Status {
                    status: 503,
                    retry_after: ra,
                },
                true,
                true,
            ),
            (status(503), true, false),
            (status(500), true, false),
            (status(502), true, false),
            (status(504), true, false),
            (status(408), true, false),
            (Connect, true, true),
            (Timeout, true, false),
            (Dropped, true, false),
            (status(400), false, false),
            (status(401), false, false),
            (status(403), false, false),
            (status(404), false, false),
            (status(409), false, false),
            (status(501), false, false),
        ];
        for &(failure, idem, non_idem) in table {
            assert_eq!(
                may_retry(failure, Idempotent),
                idem,
                "{failure:?} idempotent"
            );
            assert_eq!(
                may_retry(failure, NotIdempotent),
                non_idem,
                "{failure:?} not idempotent"
            );
        }
    }

    #[test]
    fn exponential_backoff_with_jitter_and_cap() {
        let p = RetryPolicy {
            max_retries: 9,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(5),
        };
        assert_eq!(delay(&p, 0, None, 0.0), Some(Duration::from_millis(50)));
        assert_eq!(delay(&p, 0, None, 1.0), Some(Duration::from_millis(100)));
        assert_eq!(delay(&p, 2, None, 0.5), Some(Duration::from_millis(300)));
        assert_eq!(
            delay(&p, 20, None, 1.0),
            Some(Duration::from_secs(1)),
            "capped"
        );
        assert_eq!(
            delay(&p, u32::MAX, None, 1.0),
            Some(Duration::from_secs(1)),
            "no overflow"
        );
        assert_eq!(
            delay(&p, 0, Some(Duration::from_secs(3)), 0.9),
            Some(Duration::from_secs(3)),
            "Retry-After wins"
        );
        assert_eq!(
            delay(&p, 1, Some(Duration::ZERO), 0.0),
            Some(Duration::from_millis(100)),
            "Retry-After: 0 does not mean hammering"
        );
        assert_eq!(
            delay(&p, 0, Some(Duration::from_secs(6)), 0.0),
            None,
            "too long to wait"
        );
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).expect("test header"));
        }
        h
    }

    #[test]
    fn parses_retry_after_forms() {
        let now = http_date::parse("Thu, 26 May 2022 07:59:25 GMT").expect("date");
        let ra = |pairs: &[(&'static str, &str)]| retry_after(&headers(pairs), now);
        assert_eq!(ra(&[("retry-after", "7")]), Some(Duration::from_secs(7)));
        assert_eq!(ra(&[("retry-after", " 0 ")]), Some(Duration::ZERO));
        assert_eq!(
            ra(&[("retry-after", "1.5")]),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            ra(&[("retry-after", "Thu, 26 May 2022 07:59:35 GMT")]),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            ra(&[("retry-after", "Thu, 26 May 2022 07:00:00 GMT")]),
            Some(Duration::ZERO),
            "past date"
        );
        assert_eq!(
            ra(&[("retry-after-ms", "250"), ("retry-after", "9")]),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            ra(&[("x-ms-retry-after-ms", "40")]),
            Some(Duration::from_millis(40))
        );
        assert_eq!(ra(&[("retry-after", "soon")]), None);
        assert_eq!(ra(&[("retry-after", "-3")]), None);
        assert_eq!(ra(&[("retry-after", "inf")]), None);
        assert_eq!(ra(&[]), None);
    }

    /// A wait far beyond any rate window (here ~1,000 days, or more than a `Duration`
    /// holds, in every form the header takes) is read as sent (saturated), without
    /// overflowing, so the transport can tell it is too long to wait out.
    #[test]
    fn a_hostile_retry_after_is_read_without_overflow() {
        let now = http_date::parse("Thu, 26 May 2022 07:59:25 GMT").expect("date");
        let ra = |pairs: &[(&'static str, &str)]| retry_after(&headers(pairs), now);
        let days = Duration::from_secs(86_399_999);
        assert_eq!(ra(&[("retry-after", "86399999")]), Some(days));
        assert_eq!(ra(&[("retry-after-ms", "86399999000")]), Some(days));
        for pairs in [
            &[("retry-after", "1e300")][..],
            &[("x-ms-retry-after-ms", "1e300")],
        ] {
            assert_eq!(ra(pairs), Some(Duration::MAX), "{pairs:?}");
        }
        let far = ra(&[("retry-after", "Fri, 31 Dec 9999 23:59:59 GMT")]).expect("date");
        assert!(far > days, "{far:?}");
        assert_eq!(ra(&[("retry-after", "61")]), Some(Duration::from_secs(61)));
    }

    /// The policy's longest wait is itself capped: a `Retry-After` above
    /// [`MAX_RETRY_AFTER`] is never waited out, whatever the policy says.
    #[test]
    fn no_policy_waits_out_more_than_the_cap() {
        let p = RetryPolicy {
            max_retry_after: Duration::from_secs(3600),
            ..RetryPolicy::default()
        };
        assert_eq!(
            delay(&p, 0, Some(MAX_RETRY_AFTER), 0.0),
            Some(MAX_RETRY_AFTER)
        );
        let above = MAX_RETRY_AFTER + Duration::from_millis(1);
        assert_eq!(delay(&p, 0, Some(above), 0.0), None);
        assert_eq!(delay(&p, 0, Some(Duration::MAX), 0.0), None);
    }
}
