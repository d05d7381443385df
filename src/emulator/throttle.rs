//! Optional rate limiting (`--throttle`) with the windows of ACS's documented limits:
//! Chat per user, per thread, or per user per thread, over 10 s and 1 min; Identity
//! per resource over 30 s.
//! Fixed windows in memory; a refused call answers 429 with `Retry-After`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What a limit counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    User,
    Thread,
    UserThread,
    /// The whole emulated resource (Identity limits).
    Resource,
}

/// One row of the limits table: at most `per_10s`, `per_30s` and `per_min` calls per
/// scope key.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub scope: Scope,
    pub per_10s: Option<u32>,
    pub per_30s: Option<u32>,
    pub per_min: Option<u32>,
}

const fn rule(scope: Scope, per_10s: Option<u32>, per_min: Option<u32>) -> Rule {
    Rule {
        scope,
        per_10s,
        per_30s: None,
        per_min,
    }
}

const fn per_resource_30s(limit: u32) -> Rule {
    Rule {
        scope: Scope::Resource,
        per_10s: None,
        per_30s: Some(limit),
        per_min: None,
    }
}

/// The operations the table names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    CreateThread,
    DeleteThread,
    UpdateThread,
    ChangeParticipants,
    GetOrListThreads,
    GetMessage,
    ListMessages,
    ListReadReceipts,
    ListParticipants,
    ChangeMessage,
    SendReadReceipt,
    Typing,
    CreateIdentity,
    DeleteIdentity,
    IssueToken,
    RevokeTokens,
}

/// The rules of `op` (ACS "Service limits", Chat and Identity).
pub fn rules(op: Op) -> &'static [Rule] {
    use Scope::*;
    match op {
        Op::CreateThread | Op::DeleteThread => const { &[rule(User, Some(10), None)] },
        Op::UpdateThread => const { &[rule(Thread, Some(5), None)] },
        Op::ChangeParticipants => const { &[rule(Thread, Some(10), Some(30))] },
        Op::GetOrListThreads => const { &[rule(User, Some(50), None)] },
        Op::GetMessage => {
            const {
                &[
                    rule(UserThread, Some(50), None),
                    rule(Thread, Some(250), None),
                ]
            }
        }
        Op::ListMessages => {
            const {
                &[
                    rule(UserThread, Some(50), Some(200)),
                    rule(Thread, Some(250), Some(400)),
                ]
            }
        }
        Op::ListReadReceipts => {
            const {
                &[
                    rule(UserThread, Some(5), None),
                    rule(Thread, Some(100), None),
                ]
            }
        }
        Op::ListParticipants => {
            const {
                &[
                    rule(UserThread, Some(10), None),
                    rule(Thread, Some(250), None),
                ]
            }
        }
        Op::ChangeMessage => const { &[rule(Thread, Some(10), Some(30))] },
        Op::SendReadReceipt => const { &[rule(UserThread, Some(10), Some(30))] },
        Op::Typing => {
            const {
                &[
                    rule(UserThread, Some(5), Some(15)),
                    rule(Thread, Some(10), Some(30)),
                ]
            }
        }
        Op::CreateIdentity | Op::IssueToken => const { &[per_resource_30s(1000)] },
        Op::DeleteIdentity | Op::RevokeTokens => const { &[per_resource_30s(500)] },
    }
}

#[derive(Debug)]
struct Window {
    started: Instant,
    count: u32,
}

/// The counters; shared by all requests.
#[derive(Debug, Default)]
pub struct Throttle {
    windows: Mutex<HashMap<(Op, usize, u64, String), Window>>,
}

impl Throttle {
    /// Counts a call of `op` by `user` in `thread`; `Err(seconds)` when over a limit.
    /// A refused call is not counted.
    pub fn check(&self, op: Op, user: &str, thread: Option<&str>, now: Instant) -> Result<(), u64> {
        let Ok(mut windows) = self.windows.lock() else {
            return Ok(());
        };
        // Keys come from request paths: forget expired windows so the map stays small.
        if windows.len() > 10_000 {
            windows.retain(|(_, _, len, _), w| {
                now.duration_since(w.started) < Duration::from_secs(*len)
            });
        }
        let mut keys = Vec::new();
        for (i, r) in rules(op).iter().enumerate() {
            let key = match (r.scope, thread) {
                (Scope::User, _) => user.to_owned(),
                (Scope::Resource, _) => String::new(),
                (Scope::Thread, Some(t)) => t.to_owned(),
                (Scope::UserThread, Some(t)) => format!("{user}|{t}"),
                (_, None) => continue,
            };
            for (len, limit) in [(10, r.per_10s), (30, r.per_30s), (60, r.per_min)] {
                let Some(limit) = limit else { continue };
                let k = (op, i, len, key.clone());
                let w = windows.entry(k.clone()).or_insert(Window {
                    started: now,
                    count: 0,
                });
                let length = Duration::from_secs(len);
                if now.duration_since(w.started) >= length {
                    *w = Window {
                        started: now,
                        count: 0,
                    };
                }
                if w.count >= limit {
                    let left = length.saturating_sub(now.duration_since(w.started));
                    return Err(left.as_secs() + u64::from(left.subsec_nanos() > 0));
                }
                keys.push(k);
            }
        }
        for k in keys {
            if let Some(w) = windows.get_mut(&k) {
                w.count += 1;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_window_and_recovers() {
        let t = Throttle::default();
        let start = Instant::now();
        for _ in 0..5 {
            assert_eq!(t.check(Op::UpdateThread, "u", Some("t"), start), Ok(()));
        }
        let refused = t.check(
            Op::UpdateThread,
            "u",
            Some("t"),
            start + Duration::from_secs(3),
        );
        assert_eq!(refused, Err(7));
        assert_eq!(t.check(Op::UpdateThread, "u", Some("other"), start), Ok(()));
        assert_eq!(
            t.check(
                Op::UpdateThread,
                "u",
                Some("t"),
                start + Duration::from_secs(10)
            ),
            Ok(())
        );
    }

    #[test]
    fn identity_limits_are_per_resource() {
        let t = Throttle::default();
        let start = Instant::now();
        for i in 0..500 {
            assert_eq!(
                t.check(Op::RevokeTokens, &format!("u{i}"), None, start),
                Ok(())
            );
        }
        assert_eq!(
            t.check(
                Op::RevokeTokens,
                "other",
                None,
                start + Duration::from_secs(5)
            ),
            Err(25)
        );
        assert_eq!(t.check(Op::IssueToken, "other", None, start), Ok(()));
    }

    #[test]
    fn minute_window_applies_after_ten_second_ones() {
        let t = Throttle::default();
        let start = Instant::now();
        for i in 0..30u64 {
            assert_eq!(
                t.check(
                    Op::ChangeMessage,
                    "u",
                    Some("t"),
                    start + Duration::from_secs(i * 2)
                ),
                Ok(()),
                "call {i}"
            );
        }
        assert_eq!(
            t.check(
                Op::ChangeMessage,
                "u",
                Some("t"),
                start + Duration::from_secs(59)
            ),
            Err(1)
        );
        assert!(
            t.check(
                Op::ChangeMessage,
                "u",
                Some("t"),
                start + Duration::from_secs(61)
            )
            .is_ok()
        );
    }
}
