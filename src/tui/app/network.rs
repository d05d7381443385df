//! `update` for events from the background tasks: the poller's threads, messages,
//! participants and receipts, and the outcomes of sends and other actions.

use super::{App, Command, Event, GoneReason, ThreadState};
use crate::seed::thread_meta::ThreadMeta;
use crate::tui::conversation::Upsert;
use crate::tui::sanitize;
use crate::wire::ChatMessageType;

impl App {
    pub(super) fn on_network(&mut self, event: Event, out: &mut Vec<Command>) {
        match event {
            Event::ThreadsListed { threads } => self.on_threads(threads, out),
            Event::ThreadDetails { thread } => {
                if self.left.contains(&thread.id) {
                    return;
                }
                let t = self
                    .threads
                    .entry(thread.id.clone())
                    .or_insert_with(|| ThreadState::new(&thread.id));
                t.topic = sanitize::one_line(&thread.topic);
                t.meta = ThreadMeta::parse(thread.metadata.as_ref());
            }
            Event::MessagesPolled {
                thread_id,
                messages,
            } => self.on_messages(&thread_id, &messages, out),
            Event::OlderMessages {
                thread_id,
                messages,
                next_link,
            } => {
                let own = self.profile.user_id.clone();
                let Some(t) = self.threads.get_mut(&thread_id) else {
                    return;
                };
                // A first page again (the thread was reopened) must not undo deeper
                // history already loaded: keep the paging state then.
                let oldest_loaded = t
                    .conv
                    .entries()
                    .front()
                    .filter(|e| e.key.is_server())
                    .map(|e| e.created_on);
                let page_oldest = messages.iter().map(|m| m.created_on).min();
                let h = &mut t.conv.history;
                let deeper_known = (h.next_link.is_some() || h.complete)
                    && matches!((oldest_loaded, page_oldest), (Some(o), Some(p)) if p > o);
                if !deeper_known {
                    h.complete = next_link.is_none();
                    h.next_link = next_link;
                }
                h.loading = false;
                if self.open.as_deref() != Some(thread_id.as_str()) {
                    // The first page of a thread not open (the poller seeds threads that
                    // appear): count and ring for it like polled news.
                    self.on_messages(&thread_id, &messages, out);
                    return;
                }
                t.conv.upsert_many(&messages, &own);
                self.clamp_scroll();
                self.fill_pane(out);
            }
            Event::Participants {
                thread_id,
                participants,
            } => {
                if let Some(t) = self.threads.get_mut(&thread_id) {
                    t.conv.set_participants(&participants);
                }
            }
            Event::ReadReceipts {
                thread_id,
                receipts,
            } => {
                let own = self.profile.user_id.clone();
                if let Some(t) = self.threads.get_mut(&thread_id) {
                    t.conv.set_receipts(&receipts, &own);
                }
            }
            Event::SendResult {
                thread_id,
                client_message_id,
                result,
            } => {
                let Some(t) = self.threads.get_mut(&thread_id) else {
                    return;
                };
                match result {
                    Ok(id) => t.conv.mark_sent(&client_message_id, &id),
                    Err(e) => {
                        t.conv.mark_failed(&client_message_id, &e);
                        self.error(crate::tui::theme::send_failed(&e));
                    }
                }
            }
            Event::ActionResult { what, result } => match result {
                Ok(()) => self.info(format!("{what}: done")),
                Err(e) => self.error(format!("{what}: {e}")),
            },
            Event::SessionReady {
                profile,
                open_thread,
            } => {
                self.profile = profile;
                if let Some(thread_id) = open_thread
                    && self.open.is_none()
                {
                    self.left.remove(&thread_id);
                    self.open_thread_id(&thread_id, out);
                }
            }
            Event::FocusThread { thread_id } => {
                if !self.left.contains(&thread_id) {
                    self.open_thread_id(&thread_id, out);
                }
            }
            Event::ThreadCreated { thread_id } => {
                self.left.remove(&thread_id);
                let topic = self.creating.take().unwrap_or_default();
                let t = self
                    .threads
                    .entry(thread_id.clone())
                    .or_insert_with(|| ThreadState::new(&thread_id));
                if t.topic.is_empty() {
                    t.topic = topic;
                    t.last_activity = t.last_activity.or(self.now);
                }
                self.open_thread_id(&thread_id, out);
            }
            Event::Connection(state) => self.connection = Some(state),
            Event::ThreadGone { thread_id, reason } => self.on_gone(&thread_id, reason, out),
            Event::Outbox { thread_id, pending } => {
                if self.left.contains(&thread_id) {
                    return;
                }
                let own = self.profile.user_id.clone();
                let t = self
                    .threads
                    .entry(thread_id.clone())
                    .or_insert_with(|| ThreadState::new(&thread_id));
                for p in &pending {
                    t.conv.add_pending(p, &own);
                }
            }
            Event::Key(_)
            | Event::Paste(_)
            | Event::Mouse(_)
            | Event::Resize(..)
            | Event::Tick { .. }
            | Event::PushState(_)
            | Event::Pushed { .. } => {}
        }
    }

    fn on_threads(&mut self, threads: Vec<crate::wire::ChatThreadItem>, out: &mut Vec<Command>) {
        let first = !self.listed_once;
        self.listed_once = true;
        let mut ring = false;
        for item in threads {
            if self.left.contains(&item.id) {
                if self.threads.remove(&item.id).is_some()
                    && self.open.as_deref() == Some(item.id.as_str())
                {
                    self.open = None;
                }
                continue;
            }
            if item.deleted_on.is_some() {
                self.on_gone(&item.id, GoneReason::Deleted, out);
                continue;
            }
            let is_open = self.open.as_deref() == Some(item.id.as_str());
            let known = self.threads.contains_key(&item.id);
            let t = self
                .threads
                .entry(item.id.clone())
                .or_insert_with(|| ThreadState::new(&item.id));
            t.topic = sanitize::one_line(&item.topic);
            // Listed again: the poller read it again (e.g. the user was added back).
            t.gone = None;
            if !known {
                // Threads present at start-up: their history is not "new". Threads that
                // appear later (someone added us) count everything from others.
                t.baseline = if first {
                    item.last_message_received_on
                } else {
                    None
                };
                t.rung_for = t.baseline;
            }
            let newer = match (item.last_message_received_on, t.last_activity) {
                (Some(new), Some(old)) => new > old,
                (Some(_), None) => known || !first,
                _ => false,
            };
            if let Some(at) = item.last_message_received_on {
                t.last_activity = Some(t.last_activity.map_or(at, |old| old.max(at)));
            }
            if newer && !is_open {
                t.activity = t.unread == 0;
                if t.rung_for
                    .is_none_or(|r| item.last_message_received_on.is_some_and(|at| at > r))
                {
                    t.rung_for = item.last_message_received_on;
                    ring = true;
                }
            }
        }
        if ring && self.settings.bell {
            out.push(Command::RingBell);
        }
        if self.open.is_none()
            && let Some(id) = self.sorted_threads().first().map(|t| t.id.clone())
        {
            self.open_thread_id(&id, out);
        }
    }

    /// A thread that can no longer be read: the open one stays on screen, marked (its
    /// history and why it stopped); any other leaves the list at once.
    pub(super) fn on_gone(&mut self, thread_id: &str, reason: GoneReason, out: &mut Vec<Command>) {
        if self.left.contains(thread_id) {
            self.threads.remove(thread_id);
            return;
        }
        let is_open = self.open.as_deref() == Some(thread_id);
        let Some(t) = self.threads.get_mut(thread_id) else {
            return;
        };
        if t.gone.is_some() {
            return;
        }
        let text = crate::tui::theme::thread_gone(&t.topic, reason);
        // Nothing loaded yet (e.g. found at start-up): nothing to keep, no news.
        let seen = !t.conv.is_empty();
        if is_open && seen {
            t.gone = Some(reason);
            self.error(text);
            return;
        }
        self.threads.remove(thread_id);
        if seen {
            self.info(text);
        }
        if is_open {
            self.open = None;
            if let Some(next) = self.sorted_threads().first().map(|t| t.id.clone()) {
                self.open_thread_id(&next, out);
            }
        }
    }

    pub(super) fn on_messages(
        &mut self,
        thread_id: &str,
        messages: &[crate::wire::ChatMessage],
        out: &mut Vec<Command>,
    ) {
        if self.left.contains(thread_id) {
            return;
        }
        let own = self.profile.user_id.clone();
        let is_open = self.open.as_deref() == Some(thread_id);
        let t = self
            .threads
            .entry(thread_id.to_owned())
            .or_insert_with(|| ThreadState::new(thread_id));
        let mut new_unread = 0;
        let mut ring = false;
        let mut membership_changed = false;
        let mut topic: Option<(time::OffsetDateTime, &str)> = None;
        let mut arrived = false;
        for (m, outcome) in t.conv.upsert_many(messages, &own) {
            if outcome == Upsert::Ignored {
                continue;
            }
            membership_changed |= matches!(
                m.kind,
                ChatMessageType::ParticipantAdded | ChatMessageType::ParticipantRemoved
            );
            if m.kind == ChatMessageType::TopicUpdated
                && let Some(text) = m.content.as_ref().and_then(|c| c.topic.as_deref())
                && topic.is_none_or(|(at, _)| m.created_on > at)
            {
                topic = Some((m.created_on, text));
            }
            arrived |= matches!(outcome, Upsert::New { .. });
            if outcome == (Upsert::New { from_other: true })
                && let Some(sender) = m.sender_communication_identifier.as_ref()
                && let Some(raw) = sender.raw()
            {
                // Their message is here: they are no longer typing it.
                t.typing.remove(raw);
            }
            if matches!(outcome, Upsert::New { .. }) {
                t.last_activity = Some(
                    t.last_activity
                        .map_or(m.created_on, |a| a.max(m.created_on)),
                );
            }
            if outcome == (Upsert::New { from_other: true })
                && !is_open
                && t.baseline.is_none_or(|b| m.created_on > b)
            {
                new_unread += 1;
                if t.rung_for.is_none_or(|r| m.created_on > r) {
                    t.rung_for = Some(m.created_on);
                    ring = true;
                }
            }
        }
        if let Some((_, text)) = topic {
            t.topic = sanitize::one_line(text);
        }
        if is_open && arrived && self.scroll.bottom.is_some() {
            self.scroll.new_below = true;
        }
        if new_unread > 0 {
            t.unread += new_unread;
            t.activity = false;
        }
        if ring && self.settings.bell {
            out.push(Command::RingBell);
        }
        if is_open && membership_changed {
            out.push(Command::FetchParticipants {
                thread_id: thread_id.to_owned(),
            });
        }
        self.clamp_scroll();
    }
}
