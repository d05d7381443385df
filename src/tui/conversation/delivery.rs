//! Delivery status of the user's own messages, as the ACS UI library shows it:
//! `sending`, `sent` and `seen by …` each on the latest message in that state, and
//! `failed` on every failed message (each one needs its own retry or discard).

use super::{Conversation, LocalState, MsgKey};

/// Which entries carry a delivery status line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusLabels {
    pub sending: Option<MsgKey>,
    pub sent: Option<MsgKey>,
    /// The latest own message others have read, and who read it.
    pub seen: Option<(MsgKey, Vec<String>)>,
    pub failed: Vec<MsgKey>,
}

impl Conversation {
    /// The statuses to show: on the latest own message in each state (all failed ones).
    pub fn status_labels(&self) -> StatusLabels {
        let mut labels = StatusLabels::default();
        let mut latest_sent: Option<MsgKey> = None;
        for e in self.entries.iter().rev() {
            let Some(state) = &e.local else { break };
            match state {
                LocalState::Sending if labels.sending.is_none() => {
                    labels.sending = Some(e.key.clone())
                }
                LocalState::Sent if latest_sent.is_none() => latest_sent = Some(e.key.clone()),
                LocalState::Failed(_) => labels.failed.push(e.key.clone()),
                _ => {}
            }
        }
        let seen_max = self.read_up_to.values().max().cloned();
        let newest_own = self.own.iter().next_back().cloned();
        labels.sent =
            latest_sent.or_else(|| newest_own.filter(|k| seen_max.as_ref().is_none_or(|s| k > s)));
        if let Some(seen_max) = seen_max
            && let Some(k) = self.own.range(..=seen_max).next_back()
        {
            let mut names: Vec<String> = self
                .read_up_to
                .iter()
                .filter(|(_, read)| *read >= k)
                .map(|(who, _)| {
                    self.name_of(who)
                        .unwrap_or(crate::tui::theme::UNKNOWN_SENDER)
                        .to_owned()
                })
                .collect();
            names.sort();
            labels.seen = Some((k.clone(), names));
        }
        labels
    }
}
