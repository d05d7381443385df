//! Who a write added or removed: the one rule both the pushed events and Event
//! Grid use, computed from the members before and after the write.
//!
//! A write that changes nobody (re-adding a member, which the API answers with a
//! silent 201) has no difference, so it raises no event anywhere.

use crate::wire::ChatParticipant;

/// The members of a thread around one write, each list read once.
pub struct Members {
    pub before: Vec<ChatParticipant>,
    pub after: Vec<ChatParticipant>,
}

/// What a membership write did. One write adds or removes; were both to happen,
/// the additions are reported (the same choice for every consumer).
pub enum Diff<'a> {
    Added(Vec<&'a ChatParticipant>),
    Removed(Vec<&'a ChatParticipant>),
}

fn raw(p: &ChatParticipant) -> Option<&str> {
    p.communication_identifier.raw_id.as_deref()
}

fn absent(list: &[ChatParticipant], p: &ChatParticipant) -> bool {
    !list.iter().any(|q| raw(q) == raw(p))
}

impl Members {
    /// Members after the write that were not members before, in join order.
    pub fn added(&self) -> Vec<&ChatParticipant> {
        self.after
            .iter()
            .filter(|p| absent(&self.before, p))
            .collect()
    }

    /// Members before the write that are not members after it.
    pub fn removed(&self) -> Vec<&ChatParticipant> {
        self.before
            .iter()
            .filter(|p| absent(&self.after, p))
            .collect()
    }

    /// The difference the write made; `None` when it changed nobody.
    pub fn diff(&self) -> Option<Diff<'_>> {
        let added = self.added();
        if !added.is_empty() {
            return Some(Diff::Added(added));
        }
        let removed = self.removed();
        (!removed.is_empty()).then_some(Diff::Removed(removed))
    }

    /// Everyone who was a member before or is one after, each once: who hears of
    /// the write.
    pub fn everyone(&self) -> impl Iterator<Item = &ChatParticipant> {
        self.before
            .iter()
            .chain(self.after.iter().filter(|p| absent(&self.before, p)))
    }
}

/// Participants with these raw ids, for tests of what consumes a [`Members`].
#[cfg(test)]
pub fn list(ids: &[&str]) -> Vec<ChatParticipant> {
    ids.iter()
        .map(|id| {
            serde_json::from_value(serde_json::json!({"communicationIdentifier": {"rawId": id}}))
                .expect("a participant")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(l: &[&ChatParticipant]) -> Vec<String> {
        l.iter().filter_map(|p| raw(p).map(str::to_owned)).collect()
    }

    fn members(before: &[&str], after: &[&str]) -> Members {
        Members {
            before: list(before),
            after: list(after),
        }
    }

    #[test]
    fn a_write_that_changes_nobody_has_no_difference() {
        assert!(members(&["a", "b"], &["a", "b"]).diff().is_none());
    }

    #[test]
    fn every_removed_member_is_reported() {
        match members(&["a", "b", "c"], &["a"]).diff() {
            Some(Diff::Removed(r)) => assert_eq!(ids(&r), ["b", "c"]),
            _ => panic!("a removal"),
        }
    }

    #[test]
    fn an_add_and_a_remove_in_one_write_report_the_added() {
        let m = members(&["a", "b"], &["a", "c"]);
        assert_eq!(ids(&m.removed()), ["b"]);
        match m.diff() {
            Some(Diff::Added(a)) => assert_eq!(ids(&a), ["c"]),
            _ => panic!("an addition"),
        }
        let everyone: Vec<&ChatParticipant> = m.everyone().collect();
        assert_eq!(ids(&everyone), ["a", "b", "c"]);
    }
}
