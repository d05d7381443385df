//! The interactive client: ratatui + crossterm, an event loop over one channel, and
//! background tokio tasks for polling, sending and push.
//!
//! The pure core lives here: [`app::App`] (state and `update`), [`view::draw`], and the
//! small modules they use. `update` never does IO and `draw` only draws, so both are
//! tested without a terminal or a network.

pub mod app;
pub mod commands;
pub mod commands_exec;
pub mod conversation;
pub mod entry;
pub mod event;
pub mod ids;
pub mod keymap;
pub mod layout;
pub mod outbox;
pub mod poller;
pub mod push;
pub mod run;
/// The sanitizer lives below the UIs, shared with the scripting subcommands.
pub use crate::sanitize;
pub mod settings;
pub mod theme;
pub mod view;
