//! acs-chat: a terminal chat client for Azure Communication Services (ACS) Chat, with a
//! built-in local ACS emulator.
//!
//! - [`wire`]: the REST wire format, shared by both sides;
//! - [`acs`]: the typed client library for the Chat and Identity APIs;
//! - [`seed`]: the seed quickstart's concepts (client message ids, priority, sticky
//!   threads, roles) as they travel in metadata;
//! - [`emulator`]: `acs-chat serve`, a local implementation of those APIs on SQLite;
//! - [`tui`]: the interactive client.

pub mod acs;
pub mod cli;
pub mod config;
pub mod connect;
pub mod emulator;
pub mod local;
pub mod logging;
pub mod paths;
pub mod sanitize;
pub mod seed;
pub mod tui;
pub mod wire;
