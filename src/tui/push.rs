//! The push task of the interactive client: forwards what the real-time notifications
//! client reports into the one event channel (chat events stamped with their local
//! arrival time) and tells the poller when push is live, so polling slows to a safety
//! net then and returns to its own pace the moment push is not.

use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};

use crate::acs::realtime::{Notifications, PushState, Update};
use crate::connect::Session;
use crate::tui::app::Event;
use crate::tui::poller::{PollerControl, PollerHandle};

/// The running push task.
pub struct PushTask {
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl PushTask {
    /// Ends push, removing the registration (bounded by the push client's timeouts).
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// Starts push for `session`, or `None` when `[push]` disables it. Push is a
/// speed-up, never a requirement: if it cannot even start, the status bar says why
/// and polling goes on as before.
pub fn spawn(
    session: &Session,
    poller: PollerHandle,
    events: mpsc::UnboundedSender<Event>,
) -> Option<PushTask> {
    let client = session.push_client()?;
    let notifications = match client.start() {
        Ok(n) => n,
        Err(e) => {
            let reason = e.to_string();
            let _ = events.send(Event::PushState(PushState::Stopped { reason }));
            return None;
        }
    };
    Some(forward(notifications, poller, events))
}

/// Forwards a started push client's updates (what [`spawn`] does with the session's).
pub fn forward(
    notifications: Notifications,
    poller: PollerHandle,
    events: mpsc::UnboundedSender<Event>,
) -> PushTask {
    let (stop, stopped) = oneshot::channel();
    let task = tokio::spawn(run(notifications, poller, events, stopped));
    PushTask { stop, task }
}

async fn run(
    mut notifications: Notifications,
    poller: PollerHandle,
    events: mpsc::UnboundedSender<Event>,
    mut stopped: oneshot::Receiver<()>,
) {
    let mut live = false;
    loop {
        let update = tokio::select! {
            _ = &mut stopped => break,
            update = notifications.next() => update,
        };
        let event = match update {
            Some(Update::State(state)) => {
                let now_live = state == PushState::Live;
                if now_live != live {
                    live = now_live;
                    poller.send(PollerControl::PushLive(live));
                }
                Event::PushState(state)
            }
            Some(Update::Event(event)) => Event::Pushed {
                event,
                at: OffsetDateTime::now_utc(),
            },
            None => {
                // The task ended on its own (it only does after giving up): poll.
                if live {
                    poller.send(PollerControl::PushLive(false));
                }
                let reason = "push stopped".to_owned();
                let _ = events.send(Event::PushState(PushState::Stopped { reason }));
                return;
            }
        };
        if events.send(event).is_err() {
            break;
        }
    }
    notifications.stop().await;
}
