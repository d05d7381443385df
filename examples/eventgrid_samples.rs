//! Writes the events of the scripted conversation (`emulator::events::sample`) in
//! both schemas, one JSON event per line, for the SDK proof harness in
//! `eventgrid-tests/` to parse: `cargo run --example eventgrid_samples [FILE]`
//! (default: standard output).

use std::io::Write as _;

use acs_chat::emulator::events::{self, DEFAULT_TOPIC, Schema, envelope, sample};

fn main() -> std::io::Result<()> {
    let mut out: Box<dyn std::io::Write> = match std::env::args_os().nth(1) {
        Some(path) => Box::new(std::fs::File::create(path)?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut next_id = || uuid::Uuid::new_v4().to_string();
    let events: Vec<_> = sample::scenario()
        .iter()
        .flat_map(|o| events::build(o, &mut next_id))
        .collect();
    for schema in [Schema::EventGrid, Schema::CloudEvents] {
        for e in &events {
            writeln!(out, "{}", envelope::wrap(e, schema, DEFAULT_TOPIC))?;
        }
    }
    out.flush()
}
