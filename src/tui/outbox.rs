//! The sender: an outbox of messages typed but not yet acknowledged by the service.
//!
//! Sends go out in order, one at a time. The outbox lives on disk (JSON, written
//! atomically after every change), so quitting or a crash loses nothing: unsent
//! messages go out on the next start. A send whose outcome is unknown (timeout, 5xx,
//! dropped connection) is first looked for among the thread's recent messages by its
//! client message id, and only re-sent when it is not there, so nothing is doubled.
//! A send the service refuses (4xx) stays as failed until the user retries or discards it.
//! Each running client has an outbox file of its own, locked ([`claim`]), so two clients
//! on one profile never send each other's messages.

mod claim;

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use crate::acs::{self, ChatClient};
use crate::connect::identities::write_private;
use crate::tui::app::{Event, PendingSend};
use crate::tui::theme;
use crate::wire::{ChatMessageType, SendChatMessageRequest};

/// What the UI asks of the sender.
#[derive(Debug, Clone)]
pub enum OutboxCommand {
    Send(PendingSend),
    Retry { client_message_id: String },
    Discard { client_message_id: String },
}

/// One queued message, as stored on disk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    send: PendingSend,
    #[serde(default)]
    failed: Option<String>,
    /// A request for it may have reached the service: look before sending again.
    #[serde(default)]
    attempted: bool,
}

/// The UI's end of the sender.
#[derive(Clone)]
pub struct OutboxHandle {
    tx: mpsc::UnboundedSender<OutboxCommand>,
}

impl OutboxHandle {
    pub fn send(&self, command: OutboxCommand) {
        let _ = self.tx.send(command);
    }
}

/// Starts the sender on the profile's outbox `path` (or, when another client holds
/// it, on an outbox of its own beside it, which the UI is told). Entries left from a
/// previous run, in that file or in one no running client holds, are reported to the
/// UI at once (`Event::Outbox`) and sent first.
pub fn spawn(
    chat: ChatClient,
    path: PathBuf,
    events: mpsc::UnboundedSender<Event>,
) -> OutboxHandle {
    let (tx, rx) = mpsc::unbounded_channel();
    let slots = claim::Slots::new(&path);
    let claim = match slots.claim() {
        Ok(claim) => Some(claim),
        Err(e) => {
            warn(&events, theme::outbox_unlocked(&e.to_string()));
            None
        }
    };
    if claim.as_ref().is_some_and(|c| c.slot > 0) {
        warn(&events, theme::OUTBOX_SHARED.to_owned());
    }
    let mut entries = claim.as_ref().map(|c| load(&c.path)).unwrap_or_default();
    if let Some(own) = &claim {
        adopt(&slots, own, &mut entries);
    }
    let mut by_thread: Vec<(String, Vec<PendingSend>)> = Vec::new();
    for e in &entries {
        match by_thread.iter_mut().find(|(t, _)| *t == e.send.thread_id) {
            Some((_, list)) => list.push(e.send.clone()),
            None => by_thread.push((e.send.thread_id.clone(), vec![e.send.clone()])),
        }
    }
    for (thread_id, pending) in by_thread {
        let _ = events.send(Event::Outbox { thread_id, pending });
    }
    for e in entries.iter().filter(|e| e.failed.is_some()) {
        let _ = events.send(Event::SendResult {
            thread_id: e.send.thread_id.clone(),
            client_message_id: e.send.client_message_id.clone(),
            result: Err(e.failed.clone().unwrap_or_default()),
        });
    }
    tokio::spawn(
        Sender {
            chat,
            claim,
            events,
            queue: entries.into(),
        }
        .run(rx),
    );
    OutboxHandle { tx }
}

/// The request body of a pending send: content, display name and the seed's
/// `clientMessageId` and `priority` in metadata.
pub fn request_for(send: &PendingSend) -> SendChatMessageRequest {
    crate::seed::message_meta::send_request(
        &send.content,
        &send.display_name,
        ChatMessageType::Text,
        &send.client_message_id,
        send.priority.as_str(),
    )
}

fn warn(events: &mpsc::UnboundedSender<Event>, text: String) {
    let _ = events.send(Event::ActionResult {
        what: theme::OUTBOX.to_owned(),
        result: Err(text),
    });
}

/// Takes over the messages of outbox files no running client holds: saved into our own
/// file first, then their file removed, so a crash in between doubles nothing on disk
/// that the client message id does not dedupe.
fn adopt(slots: &claim::Slots, own: &claim::Claim, entries: &mut Vec<Entry>) {
    for orphan in slots.orphans(own) {
        let theirs = load(&orphan.path);
        if theirs.is_empty() {
            let _ = std::fs::remove_file(&orphan.path);
            continue;
        }
        for e in theirs {
            let id = &e.send.client_message_id;
            if !entries.iter().any(|m| &m.send.client_message_id == id) {
                entries.push(e);
            }
        }
        match save(&own.path, entries.iter()) {
            Ok(()) => {
                let _ = std::fs::remove_file(&orphan.path);
            }
            Err(e) => tracing::warn!(error = %e, "could not adopt an outbox"),
        }
    }
}

fn save<'a>(path: &Path, entries: impl Iterator<Item = &'a Entry>) -> Result<(), String> {
    let entries: Vec<&Entry> = entries.collect();
    let json = serde_json::to_vec_pretty(&entries).map_err(|e| e.to_string())?;
    write_private(path, &json).map_err(|e| e.to_string())
}

fn load(path: &Path) -> Vec<Entry> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            // Keep the unreadable file for the user rather than overwrite it.
            let aside = path.with_extension("corrupt");
            let _ = std::fs::rename(path, &aside);
            tracing::warn!(error = %e, file = %aside.display(), "outbox unreadable; moved aside");
            Vec::new()
        }),
        Err(_) => Vec::new(),
    }
}

struct Sender {
    chat: ChatClient,
    /// Our outbox file, locked while the sender runs; `None` keeps the queue in memory.
    claim: Option<claim::Claim>,
    events: mpsc::UnboundedSender<Event>,
    queue: VecDeque<Entry>,
}

impl Sender {
    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<OutboxCommand>) {
        let mut failures = 0u32;
        loop {
            // Take every waiting command before sending, so a burst keeps its order.
            while let Ok(cmd) = rx.try_recv() {
                self.apply(cmd);
            }
            let Some(index) = self.queue.iter().position(|e| e.failed.is_none()) else {
                match rx.recv().await {
                    Some(cmd) => {
                        self.apply(cmd);
                        continue;
                    }
                    None => return,
                }
            };
            let send = self.queue[index].send.clone();
            let attempted = self.queue[index].attempted;
            if !attempted {
                self.queue[index].attempted = true;
                self.persist();
            }
            match self.deliver(&send, attempted).await {
                Ok(message_id) => {
                    failures = 0;
                    self.queue.remove(index);
                    self.persist();
                    self.report(&send, Ok(message_id));
                }
                Err(Outcome::Refused(reason)) => {
                    failures = 0;
                    if let Some(e) = self.queue.get_mut(index) {
                        e.failed = Some(reason.clone());
                    }
                    self.persist();
                    self.report(&send, Err(reason));
                }
                Err(Outcome::Later(wait)) => {
                    failures += 1;
                    let wait =
                        wait.unwrap_or_else(|| Duration::from_millis(250 * (1 << failures.min(7))));
                    tokio::select! {
                        cmd = rx.recv() => match cmd {
                            Some(cmd) => self.apply(cmd),
                            None => return,
                        },
                        () = tokio::time::sleep(wait) => {}
                    }
                }
            }
        }
    }

    fn apply(&mut self, cmd: OutboxCommand) {
        match cmd {
            OutboxCommand::Send(send) => self.queue.push_back(Entry {
                send,
                failed: None,
                attempted: false,
            }),
            OutboxCommand::Retry { client_message_id } => {
                for e in self
                    .queue
                    .iter_mut()
                    .filter(|e| e.send.client_message_id == client_message_id)
                {
                    e.failed = None;
                }
            }
            OutboxCommand::Discard { client_message_id } => {
                self.queue
                    .retain(|e| e.send.client_message_id != client_message_id);
            }
        }
        self.persist();
    }

    fn persist(&self) {
        let Some(claim) = &self.claim else {
            return;
        };
        if let Err(e) = save(&claim.path, self.queue.iter()) {
            tracing::warn!(error = %e, "could not save the outbox");
        }
    }

    fn report(&self, send: &PendingSend, result: Result<String, String>) {
        let _ = self.events.send(Event::SendResult {
            thread_id: send.thread_id.clone(),
            client_message_id: send.client_message_id.clone(),
            result,
        });
    }

    /// One attempt, by the rule of [`acs::attempt`]: after an unknown outcome the
    /// message is looked for first. A look that fails for a while is tried again
    /// later; one that fails for good leaves the message failed as "outcome unknown"
    /// (the user can look, then retry or discard), never sent blind.
    async fn deliver(&self, send: &PendingSend, attempted: bool) -> Result<String, Outcome> {
        let thread = self.chat.thread(&send.thread_id);
        let request = request_for(send);
        let cmid = &send.client_message_id;
        match acs::attempt(&thread, &request, cmid, send.created_at, attempted).await {
            acs::Step::Sent(id) => Ok(id),
            acs::Step::Later(e) => Err(Outcome::Later(e.retry_after())),
            acs::Step::LookFailed(e) if e.is_retryable() => Err(Outcome::Later(e.retry_after())),
            acs::Step::Refused(e) => Err(Outcome::Refused(e.to_string())),
            acs::Step::LookFailed(error) => Err(Outcome::Refused(
                acs::SendFailure::Unknown {
                    client_message_id: cmid.clone(),
                    error,
                }
                .to_string(),
            )),
        }
    }
}

enum Outcome {
    /// Try again after this long (or the default backoff).
    Later(Option<Duration>),
    /// The service refused it: failed until retried.
    Refused(String),
}
