use super::*;

/// The loopback defaults.
fn intervals() -> PollIntervals {
    PollIntervals {
        active_ms: 100,
        idle_max_ms: 4_000,
        idle_after_secs: 60,
        error_backoff_max_ms: 3_000,
    }
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn throttled(retry_after: Option<Duration>) -> Error {
    Error::from_status(
        429,
        br#"{"error":{"code":"TooManyRequests","message":"Rate limit exceeded."}}"#,
    )
    .with_retry_after(retry_after)
}

fn unreachable() -> Error {
    Error::new(ErrorKind::Connect, "could not connect: connection refused")
}

#[test]
fn backoff_grows_and_is_capped() {
    let max = Duration::from_secs(30);
    assert_eq!(backoff(1, max, 1.0), Duration::from_secs(1));
    assert_eq!(backoff(3, max, 1.0), Duration::from_secs(4));
    assert_eq!(backoff(40, max, 1.0), max);
    assert_eq!(backoff(40, Duration::from_secs(3), 1.2), ms(3_600));
    assert_eq!(backoff(1, max, 7.0), ms(1_250), "jitter is clamped");
}

#[test]
fn a_429_raises_the_floor_and_obeys_retry_after() {
    let t = Instant::now();
    let mut p = Pace::new(intervals(), t);
    assert_eq!(p.succeeded(t), ms(100));
    let (wait, verdict) = p.failed(&throttled(Some(Duration::from_secs(5))), t, 1.0);
    assert_eq!(wait, Duration::from_secs(5), "Retry-After is obeyed");
    assert_eq!(verdict, Verdict::Retrying);
    assert_eq!(p.succeeded(t + Duration::from_secs(5)), ms(200));
    // Still too fast: the floor doubles again; a 429 without Retry-After waits at
    // least the floor.
    let (wait, _) = p.failed(&throttled(None), t + Duration::from_secs(6), 1.0);
    assert_eq!(wait, Duration::from_secs(1));
    assert_eq!(p.floor(), ms(400));
    // News or keys do not undo what the service said.
    p.activity(t + Duration::from_secs(7));
    assert_eq!(p.succeeded(t + Duration::from_secs(7)), ms(400));
}

#[test]
fn the_floor_relaxes_a_quarter_per_quiet_minute_down_to_the_active_rate() {
    let t = Instant::now();
    let mut p = Pace::new(intervals(), t);
    p.failed(&throttled(None), t, 1.0);
    p.failed(&throttled(None), t, 1.0);
    assert_eq!(p.floor(), ms(400));
    let at = |secs: u64| t + Duration::from_secs(secs);
    p.activity(at(59));
    assert_eq!(p.succeeded(at(59)), ms(400), "not before a whole minute");
    assert_eq!(p.succeeded(at(60)), ms(300));
    assert_eq!(p.succeeded(at(90)), ms(300), "one step per minute");
    p.activity(at(120));
    assert_eq!(p.succeeded(at(120)), ms(225));
    let mut last = Duration::MAX;
    for minute in 3..20 {
        p.activity(at(minute * 60));
        last = p.succeeded(at(minute * 60));
    }
    assert_eq!(last, ms(100));
}

#[test]
fn the_floor_never_exceeds_the_idle_maximum() {
    let t = Instant::now();
    let mut p = Pace::new(intervals(), t);
    for _ in 0..20 {
        p.failed(&throttled(None), t, 1.0);
    }
    assert_eq!(p.floor(), ms(4_000));
}

#[test]
fn offline_after_ten_seconds_without_a_connection() {
    let t = Instant::now();
    let mut p = Pace::new(intervals(), t);
    let at = |secs: u64| t + Duration::from_secs(secs);
    assert_eq!(p.failed(&unreachable(), at(0), 1.0).1, Verdict::Retrying);
    assert_eq!(p.failed(&unreachable(), at(9), 1.0).1, Verdict::Retrying);
    assert_eq!(p.failed(&unreachable(), at(10), 1.0).1, Verdict::Offline);
    // Probing continues at the longest backoff.
    assert_eq!(
        p.failed(&unreachable(), at(13), 1.0).0,
        Duration::from_secs(3)
    );
    // An answer, even an error, means the endpoint is reachable.
    let server_error = Error::from_status(500, b"");
    assert_eq!(p.failed(&server_error, at(14), 1.0).1, Verdict::Retrying);
    assert_eq!(p.failed(&unreachable(), at(15), 1.0).1, Verdict::Retrying);
    assert_eq!(p.failed(&unreachable(), at(25), 1.0).1, Verdict::Offline);
    p.succeeded(at(26));
    assert_eq!(p.failed(&unreachable(), at(40), 1.0).1, Verdict::Retrying);
}

#[test]
fn quiet_polling_backs_off_to_the_idle_maximum_and_activity_resets_it() {
    let t = Instant::now();
    let mut p = Pace::new(intervals(), t);
    let quiet = t + Duration::from_secs(61);
    let waits: Vec<_> = (0..8).map(|_| p.succeeded(quiet)).collect();
    assert_eq!(waits[0], ms(200));
    assert_eq!(waits[1], ms(400));
    assert_eq!(waits[7], ms(4_000));
    p.activity(quiet);
    assert_eq!(p.succeeded(quiet), ms(100));
}

#[test]
fn live_push_slows_polling_to_the_safety_net_and_its_loss_restores_the_pace_at_once() {
    let t = Instant::now();
    let mut p = Pace::new(intervals(), t);
    assert_eq!(p.succeeded(t), ms(100));
    p.set_push_live(true);
    // Even while the user is active, push delivers: polls come a safety net apart.
    p.activity(t);
    assert_eq!(p.succeeded(t + ms(10)), SAFETY_NET);
    assert_eq!(p.succeeded(t + ms(20)), SAFETY_NET);
    p.set_push_live(false);
    assert_eq!(p.succeeded(t + ms(30)), ms(100), "the active rate again");
    // Failures keep their own backoff while live (the service, not push, is down).
    p.set_push_live(true);
    let (wait, _) = p.failed(&unreachable(), t + ms(40), 1.0);
    assert_eq!(wait, Duration::from_secs(1));
}
