//! acs-chat: a terminal chat client for Azure Communication Services (ACS) Chat, with a
//! built-in local ACS emulator.
//!
//! - [`wire`]: the REST wire format, shared by both sides;
//! - [`acs`]: the typed client library for the Chat and Identity APIs;
//! - [`emulator`]: `acs-chat serve`, a local implementation of those APIs on SQLite;
//! - [`tui`]: the interactive client.

pub mod acs;
pub mod cli;
pub mod config;
pub mod connect;
pub mod emulator;
pub mod local;
pub mod logging;
pub mod message_meta;
pub mod paths;
pub mod sanitize;
pub mod tui;
pub mod wire;
