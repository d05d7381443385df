//! One thread's messages as the client shows them: server messages and the user's own
//! pending sends in display order, merged by message id and by client message id so a
//! message is never shown twice, plus participants, read receipts and history paging.
//!
//! Entries live in one deque sorted by [`MsgKey`] (server messages by creation time,
//! then pending sends in the order they were written), with hash indexes by id, so the
//! renderer can walk back from any point without touching the rest of the thread.

use std::collections::{BTreeSet, HashMap, VecDeque};

use time::OffsetDateTime;

mod delivery;

pub use delivery::StatusLabels;

use super::entry::{Entry, LocalState, MsgKey};
use super::event::PendingSend;
use crate::wire::{ChatMessage, ChatMessageReadReceipt, ChatParticipant, Metadata};

/// A thread member as shown in the participant pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: String,
    /// Sanitized display name (may be empty).
    pub name: String,
    pub metadata: Option<Metadata>,
}

/// What merging one server message changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    /// A message not seen before; `from_other` = a user message by someone else.
    New { from_other: bool },
    /// A newer version of a known message, or the server copy of a pending send.
    Updated,
    /// An older or equal version of what is already shown.
    Ignored,
}

/// History paging state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    /// Link to the next (older) page; `None` with `complete == false` = not loaded yet.
    pub next_link: Option<String>,
    pub complete: bool,
    /// A page was requested and has not arrived yet.
    pub loading: bool,
    /// When it was requested: a request that never answers is given up after a while
    /// (see `App`'s tick), so scrolling up asks again.
    pub requested_at: Option<time::OffsetDateTime>,
}

/// The conversation of one thread.
#[derive(Debug, Clone, Default)]
pub struct Conversation {
    entries: VecDeque<Entry>,
    by_id: HashMap<String, MsgKey>,
    by_client: HashMap<String, MsgKey>,
    /// Keys of the user's own server messages, for the sent/seen status.
    own: BTreeSet<MsgKey>,
    pub participants: Vec<Member>,
    /// Per other user: the key of the newest message they have read.
    read_up_to: HashMap<String, MsgKey>,
    pub history: History,
}

impl Conversation {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, idx: usize) -> Option<&Entry> {
        self.entries.get(idx)
    }

    /// All entries in display order.
    pub fn entries(&self) -> &VecDeque<Entry> {
        &self.entries
    }

    /// The newest entry.
    pub fn last(&self) -> Option<&Entry> {
        self.entries.back()
    }

    /// `Ok(index)` of the entry with `key`, or `Err(insertion point)`.
    pub fn index_of(&self, key: &MsgKey) -> Result<usize, usize> {
        self.entries.binary_search_by(|e| e.key.cmp(key))
    }

    pub fn by_message_id(&self, id: &str) -> Option<&Entry> {
        self.by_id
            .get(id)
            .and_then(|k| self.index_of(k).ok())
            .and_then(|i| self.entries.get(i))
    }

    pub fn by_client_id(&self, client_id: &str) -> Option<&Entry> {
        self.by_client
            .get(client_id)
            .and_then(|k| self.index_of(k).ok())
            .and_then(|i| self.entries.get(i))
    }

    /// Records an entry in the indexes (not in the vector).
    fn index_new(&mut self, entry: &Entry, own_user: &str) {
        if let Some(id) = &entry.id {
            self.by_id.insert(id.clone(), entry.key.clone());
        }
        if let Some(c) = &entry.client_id {
            self.by_client.insert(c.clone(), entry.key.clone());
        }
        if entry.local.is_none() && entry.sender_id.as_deref() == Some(own_user) {
            self.own.insert(entry.key.clone());
        }
    }

    fn insert(&mut self, entry: Entry, own_user: &str) {
        self.index_new(&entry, own_user);
        match self.index_of(&entry.key) {
            Ok(i) => self.entries[i] = entry,
            Err(i) => self.entries.insert(i, entry),
        }
    }

    fn remove_key(&mut self, key: &MsgKey) -> Option<Entry> {
        let idx = self.index_of(key).ok()?;
        let e = self.entries.remove(idx)?;
        self.own.remove(key);
        if let Some(id) = &e.id {
            self.by_id.remove(id);
        }
        if let Some(c) = &e.client_id {
            self.by_client.remove(c);
        }
        Some(e)
    }

    /// Merges one server message; see [`Conversation::upsert_many`].
    pub fn upsert(&mut self, msg: &ChatMessage, own_user: &str) -> Upsert {
        self.upsert_many(std::slice::from_ref(msg), own_user)
            .pop()
            .map_or(Upsert::Ignored, |(_, u)| u)
    }

    /// Merges a batch of server messages (a poll or a history page, in any order):
    /// a known id is replaced when the version is newer; an own message carrying the
    /// client message id of a pending send replaces that send; anything else is new.
    /// New entries are merged in one pass, so loading a page of history into a long
    /// thread costs one move of the vector, not one per message.
    pub fn upsert_many<'m>(
        &mut self,
        msgs: &'m [ChatMessage],
        own_user: &str,
    ) -> Vec<(&'m ChatMessage, Upsert)> {
        let version = |m: &ChatMessage| m.version.parse::<u64>().unwrap_or(0);
        let mut newest: HashMap<&str, &ChatMessage> = HashMap::new();
        for m in msgs {
            if newest
                .get(m.id.as_str())
                .is_none_or(|b| version(b) < version(m))
            {
                newest.insert(m.id.as_str(), m);
            }
        }
        let mut out = Vec::with_capacity(newest.len());
        let mut fresh = Vec::new();
        for m in msgs {
            if !newest
                .get(m.id.as_str())
                .is_some_and(|b| std::ptr::eq(*b, m))
            {
                continue;
            }
            let entry = Entry::from_server(m);
            let own = entry.sender_id.as_deref() == Some(own_user);
            let existing = self.by_id.get(&m.id).cloned().or_else(|| {
                let client = entry.client_id.as_ref().filter(|_| own)?;
                self.by_client.get(client).cloned()
            });
            if let Some(old_key) = existing {
                out.push((m, self.replace(&old_key, entry, own_user)));
                continue;
            }
            let from_other = !entry.is_system() && entry.sender_id.is_some() && !own;
            self.index_new(&entry, own_user);
            fresh.push(entry);
            out.push((m, Upsert::New { from_other }));
        }
        self.merge_fresh(fresh);
        out
    }

    /// Replaces the entry at `old_key` with a newer version (or a pending send with
    /// its server copy).
    fn replace(&mut self, old_key: &MsgKey, mut entry: Entry, own_user: &str) -> Upsert {
        let Ok(idx) = self.index_of(old_key) else {
            self.insert(entry, own_user);
            return Upsert::Updated;
        };
        let old = &self.entries[idx];
        if old.local.is_none() && old.version >= entry.version {
            return Upsert::Ignored;
        }
        // A deleted message comes back without metadata: keep what identified it.
        if entry.client_id.is_none() {
            entry.client_id = old.client_id.clone();
        }
        if old.key == entry.key {
            self.index_new(&entry, own_user);
            self.entries[idx] = entry;
        } else {
            let old_key = old_key.clone();
            self.remove_key(&old_key);
            self.insert(entry, own_user);
        }
        Upsert::Updated
    }

    /// Puts new (already indexed) entries in place.
    fn merge_fresh(&mut self, mut fresh: Vec<Entry>) {
        fresh.sort_by(|a, b| a.key.cmp(&b.key));
        let (Some(first), Some(last)) = (fresh.first(), fresh.last()) else {
            return;
        };
        if self.entries.front().is_none_or(|e| last.key < e.key) {
            for e in fresh.into_iter().rev() {
                self.entries.push_front(e);
            }
        } else if self.entries.back().is_some_and(|e| first.key > e.key) {
            self.entries.extend(fresh);
        } else if fresh.len() <= 4 {
            for e in fresh {
                let i = self.index_of(&e.key).unwrap_or_else(|i| i);
                self.entries.insert(i, e);
            }
        } else {
            self.entries.extend(fresh);
            self.entries
                .make_contiguous()
                .sort_by(|a, b| a.key.cmp(&b.key));
        }
    }

    /// Shows a send at once, as *sending*.
    pub fn add_pending(&mut self, p: &PendingSend, own_user: &str) {
        if self.by_client.contains_key(&p.client_message_id) {
            return;
        }
        self.insert(Entry::from_pending(p, own_user), own_user);
    }

    fn pending_mut(&mut self, client_id: &str) -> Option<&mut Entry> {
        let key = self.by_client.get(client_id)?;
        let idx = self.entries.binary_search_by(|e| e.key.cmp(key)).ok()?;
        self.entries.get_mut(idx).filter(|e| e.local.is_some())
    }

    /// The service accepted a send: remember its id so the poller's copy merges.
    pub fn mark_sent(&mut self, client_id: &str, message_id: &str) {
        let Some(e) = self.pending_mut(client_id) else {
            return;
        };
        e.local = Some(LocalState::Sent);
        e.id = Some(message_id.to_owned());
        let key = e.key.clone();
        self.by_id.insert(message_id.to_owned(), key);
    }

    pub fn mark_failed(&mut self, client_id: &str, error: &str) {
        if let Some(e) = self.pending_mut(client_id) {
            e.local = Some(LocalState::Failed(super::sanitize::one_line(error)));
        }
    }

    pub fn mark_sending(&mut self, client_id: &str) {
        if let Some(e) = self.pending_mut(client_id) {
            e.local = Some(LocalState::Sending);
        }
    }

    /// Drops an unsent message.
    pub fn discard(&mut self, client_id: &str) -> bool {
        match self.by_client.get(client_id).cloned() {
            Some(key) if self.pending_mut(client_id).is_some() => self.remove_key(&key).is_some(),
            _ => false,
        }
    }

    pub fn set_participants(&mut self, participants: &[ChatParticipant]) {
        let mut members: Vec<Member> = participants
            .iter()
            .filter_map(|p| {
                let id = p.communication_identifier.raw()?.to_owned();
                let name = p
                    .display_name
                    .as_deref()
                    .map(super::sanitize::one_line)
                    .unwrap_or_default();
                Some(Member {
                    id,
                    name,
                    metadata: p.metadata.clone(),
                })
            })
            .collect();
        members.sort_by(|a, b| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then(a.id.cmp(&b.id))
        });
        self.participants = members;
    }

    /// The sanitized display name of a member, if known.
    pub fn name_of(&self, user_id: &str) -> Option<&str> {
        self.participants
            .iter()
            .find(|m| m.id == user_id && !m.name.is_empty())
            .map(|m| m.name.as_str())
    }

    /// Records receipts of other users; receipts for messages not loaded are skipped.
    pub fn set_receipts(&mut self, receipts: &[ChatMessageReadReceipt], own_user: &str) {
        for r in receipts {
            let Some(reader) = r.sender_communication_identifier.raw() else {
                continue;
            };
            if reader == own_user {
                continue;
            }
            let Some(key) = self
                .by_id
                .get(&r.chat_message_id)
                .filter(|k| k.is_server())
                .cloned()
            else {
                continue;
            };
            let slot = self
                .read_up_to
                .entry(reader.to_owned())
                .or_insert_with(|| key.clone());
            if key > *slot {
                *slot = key;
            }
        }
    }

    /// Index of the next entry (older if `older`) whose text contains `needle`
    /// (case-insensitive), starting next to `from` (or at the newest/oldest end).
    pub fn find(&self, needle: &str, from: Option<usize>, older: bool) -> Option<usize> {
        let needle = needle.to_lowercase();
        if needle.is_empty() {
            return None;
        }
        let hit = |i: &usize| {
            self.entries
                .get(*i)
                .is_some_and(|e| e.search_text().to_lowercase().contains(&needle))
        };
        if older {
            let start = from.unwrap_or(self.entries.len());
            (0..start).rev().find(hit)
        } else {
            let start = from.map_or(0, |f| f + 1);
            (start..self.entries.len()).find(hit)
        }
    }

    /// The newest own user message that can still be edited (sent, not deleted).
    pub fn last_editable_own(&self, own_user: &str) -> Option<&Entry> {
        self.own
            .iter()
            .rev()
            .filter_map(|k| self.index_of(k).ok())
            .filter_map(|i| self.entries.get(i))
            .find(|e| {
                e.sender_id.as_deref() == Some(own_user)
                    && !e.deleted
                    && !e.is_system()
                    && e.id.is_some()
            })
    }

    /// Creation time of the newest entry, if any.
    pub fn newest_time(&self) -> Option<OffsetDateTime> {
        self.entries.back().map(|e| e.created_on)
    }
}

#[cfg(test)]
mod tests;
