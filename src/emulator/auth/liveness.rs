//! Whether a user's tokens still work, remembered between requests.
//!
//! Every chat request's token is checked against its identity (deleted? tokens
//! revoked since it was issued?). Asking the database each time put a store round
//! trip in front of every request; the answer only changes when an identity is
//! revoked or deleted, and both go through this emulator, which then forgets what it
//! knew. A lookup that raced with such a change is not remembered (the generation
//! moved on), so a stale answer never outlives the request that read it.

use std::collections::HashMap;
use std::sync::Mutex;

/// What is known of one identity's tokens: `Some(t)`: tokens issued at/after `t` (ms)
/// are good; `None`: none are (deleted, or never existed).
pub type RevokedBefore = Option<i64>;

/// Beyond this many identities the memory starts over (only ids from validly signed
/// tokens get here, so this is a bound, not a defence).
const MAX_REMEMBERED: usize = 100_000;

#[derive(Default)]
pub struct TokenLiveness {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    generation: u64,
    known: HashMap<String, RevokedBefore>,
}

/// A lookup to make: remember its answer with [`TokenLiveness::learn`].
#[derive(Debug, Clone, Copy)]
pub struct Pending {
    generation: u64,
}

impl TokenLiveness {
    /// The remembered answer for `user`'s token issued at `issued_ms`, or what to
    /// look up.
    pub fn check(&self, user: &str, issued_ms: i64) -> Result<bool, Pending> {
        let state = self.lock();
        match state.known.get(user) {
            Some(revoked_before) => Ok(is_live(*revoked_before, issued_ms)),
            None => Err(Pending {
                generation: state.generation,
            }),
        }
    }

    /// Records a looked-up answer, unless an identity changed since the lookup began.
    pub fn learn(&self, pending: Pending, user: &str, revoked_before: RevokedBefore) {
        let mut state = self.lock();
        if state.generation != pending.generation {
            return;
        }
        if state.known.len() >= MAX_REMEMBERED {
            state.known.clear();
        }
        state.known.insert(user.to_owned(), revoked_before);
    }

    /// Forgets `user` after its tokens were revoked or it was deleted (call once the
    /// change is committed, before answering it).
    pub fn forget(&self, user: &str) {
        let mut state = self.lock();
        state.generation += 1;
        state.known.remove(user);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is a cache: after a panic elsewhere it is still consistent.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Whether a token issued at `issued_ms` passes.
pub fn is_live(revoked_before: RevokedBefore, issued_ms: i64) -> bool {
    revoked_before.is_some_and(|before| issued_ms >= before)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_answers_and_forgets_on_change() {
        let live = TokenLiveness::default();
        let pending = live.check("u", 10).expect_err("nothing known yet");
        live.learn(pending, "u", Some(5));
        assert_eq!(live.check("u", 10).ok(), Some(true));
        assert_eq!(live.check("u", 4).ok(), Some(false));
        live.forget("u");
        assert!(live.check("u", 10).is_err(), "forgotten after a revoke");
        let pending = live.check("gone", 10).expect_err("unknown");
        live.learn(pending, "gone", None);
        assert_eq!(live.check("gone", 10).ok(), Some(false));
    }

    #[test]
    fn a_lookup_that_raced_with_a_revoke_is_not_remembered() {
        let live = TokenLiveness::default();
        let pending = live.check("u", 10).expect_err("unknown");
        // The revoke commits while the lookup (which read the old state) is in flight.
        live.forget("u");
        live.learn(pending, "u", Some(0));
        assert!(live.check("u", 10).is_err(), "the stale answer was kept");
    }
}
