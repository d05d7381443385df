//! The interactive client: ratatui + crossterm, an event loop over one channel, and
//! background tokio tasks for polling and sending.
