//! `acs-chat serve`: a local emulator of the ACS Chat and Identity REST APIs,
//! persisting to SQLite. It shares only [`crate::wire`] with the client.
