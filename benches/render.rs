//! Render cost of the interactive client: the time to draw a whole frame (`view::draw`
//! into a 200x50 ratatui `TestBackend`, message pane full) with 100, 10k and 100k
//! messages in the open thread; the time from a key press to the next frame
//! (`App::update` of the key, then the draw); and the peak RSS of a process holding
//! that thread. Each size runs in a child process of its own, so its peak RSS is its own.
//!
//! Run: `cargo bench --bench render` (add `-- --short` for the quick CI mode).

mod support;

use std::time::Instant;

use acs_chat::tui::app::{App, Event, ProfileInfo, UiSettings};
use acs_chat::tui::view;
use acs_chat::wire::{
    ChatMessage, ChatMessageContent, ChatMessageType, CommunicationIdentifierModel,
};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::{Report, ms, short_mode};
use time::OffsetDateTime;

const THREAD: &str = "19:benchmark@thread.v2";
const ME: &str = "8:acs:bench_me";
const OTHER: &str = "8:acs:bench_other";

/// Message `i` of a conversation: two people, lengths from a few words to a wrapped
/// paragraph, some with line breaks, a minute apart (so day separators appear too).
fn message(i: u64) -> ChatMessage {
    let words = [
        "hello",
        "the build is green",
        "see the review notes",
        "ok",
        "shipping it after lunch",
        "ümlaut ✓ 漢字",
    ];
    let len = 1 + (i * 7919 % 23) as usize;
    let mut text: Vec<&str> = (0..len)
        .map(|k| words[(i as usize + k) % words.len()])
        .collect();
    if i.is_multiple_of(17) {
        text.push("\nsecond line");
    }
    let sender = if i.is_multiple_of(3) { ME } else { OTHER };
    let version = 1_700_000_000_000 + i as i64 * 60_000;
    ChatMessage {
        id: version.to_string(),
        kind: ChatMessageType::Text,
        sequence_id: (i + 1).to_string(),
        version: version.to_string(),
        content: Some(ChatMessageContent {
            message: Some(text.join(" ")),
            ..ChatMessageContent::default()
        }),
        sender_display_name: Some(if sender == ME {
            "Me".into()
        } else {
            "Other".into()
        }),
        created_on: OffsetDateTime::from_unix_timestamp(version / 1000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH),
        sender_communication_identifier: Some(CommunicationIdentifierModel::user(sender)),
        deleted_on: None,
        edited_on: None,
        metadata: None,
    }
}

/// A client with `n` messages in its open thread, the whole history loaded; and how
/// long `update` took to take in the last (oldest) page of history, in ms.
fn app_with(n: u64) -> (App, f64) {
    let profile = ProfileInfo {
        name: "me".into(),
        user_id: ME.into(),
        display_name: "Me".into(),
        ..ProfileInfo::default()
    };
    let mut app = App::new(
        profile.clone(),
        UiSettings {
            id_seed: 1,
            ..UiSettings::default()
        },
    );
    let _ = app.update(Event::Resize(200, 50));
    let _ = app.update(Event::Tick {
        now: OffsetDateTime::from_unix_timestamp(1_800_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH),
    });
    let _ = app.update(Event::SessionReady {
        profile,
        open_thread: Some(THREAD.into()),
    });
    // All but the oldest page arrive as polled news (oldest first, so each goes on the
    // end: quick to set up); the oldest page then arrives as history (newest first, as
    // the service lists it), timed: scrolling up into older history at this size.
    let oldest = n.min(200);
    let mut start = oldest;
    while start < n {
        let end = (start + 1000).min(n);
        let _ = app.update(Event::MessagesPolled {
            thread_id: THREAD.into(),
            messages: (start..end).map(message).collect(),
        });
        start = end;
    }
    let page: Vec<ChatMessage> = (0..oldest).rev().map(message).collect();
    let started = Instant::now();
    let _ = app.update(Event::OlderMessages {
        thread_id: THREAD.into(),
        messages: page,
        next_link: None,
    });
    let last_page_ms = ms(started.elapsed());
    (app, last_page_ms)
}

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// Measures one size (in this process) and prints its figures.
fn measure(n: u64, frames: usize) {
    let label = if n >= 1000 {
        format!("{}k", n / 1000)
    } else {
        n.to_string()
    };
    let rss_before = support::rss_mib();
    let loaded = Instant::now();
    let (mut app, last_page_ms) = app_with(n);
    let load_ms = ms(loaded.elapsed());
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("test terminal");
    let mut report = Report::default();
    report.add(format!("render.{label}.load"), load_ms, "ms");
    report.add(
        format!("render.{label}.older_page_update"),
        last_page_ms,
        "ms",
    );

    let draw = |app: &App, terminal: &mut Terminal<TestBackend>| {
        // A fresh buffer each time, so every frame is drawn and diffed in full.
        terminal.clear().expect("clear");
        let started = Instant::now();
        terminal.draw(|f| view::draw(app, f)).expect("draw");
        ms(started.elapsed())
    };
    for _ in 0..10 {
        draw(&app, &mut terminal);
    }
    let mut frame_times: Vec<f64> = (0..frames).map(|_| draw(&app, &mut terminal)).collect();
    frame_times.sort_by(f64::total_cmp);
    report.add(
        format!("render.{label}.frame.p50"),
        support::percentile(&frame_times, 0.5),
        "ms",
    );
    report.add(
        format!("render.{label}.frame.p99"),
        support::percentile(&frame_times, 0.99),
        "ms",
    );

    // Key press to frame: typing a character, and paging up through history.
    let mut typing = Vec::new();
    let mut paging = Vec::new();
    for i in 0..frames {
        let started = Instant::now();
        let _ = app.update(key(KeyCode::Char('a')));
        terminal.draw(|f| view::draw(&app, f)).expect("draw");
        typing.push(ms(started.elapsed()));
        if i % 40 == 39 {
            let _ = app.update(key(KeyCode::End));
        }
        let started = Instant::now();
        let _ = app.update(key(KeyCode::PageUp));
        terminal.draw(|f| view::draw(&app, f)).expect("draw");
        paging.push(ms(started.elapsed()));
    }
    typing.sort_by(f64::total_cmp);
    paging.sort_by(f64::total_cmp);
    report.add(
        format!("render.{label}.key_to_frame.p50"),
        support::percentile(&typing, 0.5),
        "ms",
    );
    report.add(
        format!("render.{label}.page_up_to_frame.p50"),
        support::percentile(&paging, 0.5),
        "ms",
    );
    report.add(
        format!("render.{label}.rss_growth"),
        support::rss_mib() - rss_before,
        "MiB",
    );
    report.add(
        format!("render.{label}.peak_rss"),
        support::peak_rss_mib(),
        "MiB",
    );
    drop(app);
}

fn main() {
    let short = short_mode();
    let args: Vec<String> = std::env::args().collect();
    if let Some(n) = args
        .iter()
        .position(|a| a == "--size")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
    {
        measure(n, if short { 50 } else { 500 });
        return;
    }
    let sizes: &[u64] = if short {
        &[100, 10_000]
    } else {
        &[100, 10_000, 100_000]
    };
    let exe = std::env::current_exe().expect("own path");
    let mut report = Report::default();
    let mut p50 = Vec::new();
    for &n in sizes {
        let mut cmd = std::process::Command::new(&exe);
        cmd.args(["--size", &n.to_string()]);
        if short {
            cmd.arg("--short");
        }
        let out = cmd.output().expect("run the child");
        assert!(
            out.status.success(),
            "size {n} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let parts: Vec<&str> = line.split_whitespace().collect();
            if let [name, value, unit] = parts[..]
                && let Ok(v) = value.parse::<f64>()
            {
                report.add(name, v, unit);
                if name.ends_with(".frame.p50") {
                    p50.push(v);
                }
            }
        }
    }
    if let (Some(first), Some(last)) = (p50.first(), p50.last()) {
        report.add(
            "render.frame.largest_over_smallest",
            last / first.max(1e-9),
            "x",
        );
    }
    report.print_table(if short {
        "Render cost (short mode: figures not meaningful)"
    } else {
        "Render cost (200x50)"
    });
}
