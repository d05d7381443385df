//! The interactive client: ratatui + crossterm, an event loop over one channel, and
//! background tokio tasks for polling and sending.
//!
//! - `app`: the state and its pure `update(event) -> commands`;
//! - `view`: drawing (pure functions of the state);
//! - `run`: the terminal and the event loop; `poller`, `outbox`: the background tasks;
//!   `commands_exec`: one-off REST calls for commands.

pub mod commands_exec;
pub mod outbox;
pub mod poller;
pub mod run;
