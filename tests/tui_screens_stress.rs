//! The interactive client's draw path under stress: every small size (and a stale one)
//! without a panic, hostile content never reaching the terminal, and a 100,000-message
//! thread laying out only what is visible.

mod tui_screens_common;

use acs_chat::tui::app::{App, ConnectionState, Event, ProfileInfo, UiSettings};
use acs_chat::wire::{ChatMessage, ChatMessageType, ChatThreadItem};
use crossterm::event::{KeyCode, KeyModifiers};
use time::macros::datetime;
use tui_screens_common::*;

#[test]
fn draws_at_every_size_without_panicking() {
    let mut states = Vec::new();
    for overlay in [None, Some(KeyCode::F(1)), Some(KeyCode::F(2))] {
        let mut app = conversation_app(80, 24);
        if let Some(k) = overlay {
            app.update(key(k, KeyModifiers::NONE));
        }
        states.push(app);
    }
    let mut select = conversation_app(80, 24);
    select.update(key(KeyCode::Char('s'), KeyModifiers::ALT));
    states.push(select);
    let mut multi = conversation_app(80, 24);
    for _ in 0..8 {
        type_text(&mut multi, "line 世界 👋");
        multi.update(key(KeyCode::Char('j'), KeyModifiers::CONTROL));
    }
    states.push(multi);
    let empty = App::new(ProfileInfo::default(), UiSettings::default());
    states.push(empty);
    for app in &mut states {
        for w in 1..=50u16 {
            for h in 1..=15u16 {
                app.update(Event::Resize(w, h));
                render(app, w, h);
                // A stale size (resize not yet seen) must not panic either.
                render(app, h, w);
            }
        }
    }
}

#[test]
fn hostile_content_never_reaches_the_terminal() {
    let evil = "\u{1b}[2J\u{1b}]0;pwned\u{07}\u{9b}31m\u{1b}P+q\u{1b}\\\u{202e}gnp.exe\u{0}\u{7}\r\u{85}end";
    let mut app = base_app(80, 24);
    app.update(Event::ThreadsListed {
        threads: vec![ChatThreadItem {
            id: T1.into(),
            topic: evil.into(),
            deleted_on: None,
            last_message_received_on: Some(now()),
        }],
    });
    app.update(Event::Participants {
        thread_id: T1.into(),
        participants: vec![participant(BOB, evil)],
    });
    let mut m = text("1", BOB, evil, now());
    m.sender_display_name = Some(evil.into());
    let mut html = text(
        "2",
        BOB,
        "<b>bold</b>&#27;[31m &#x9b;2J <script>x</script>",
        now(),
    );
    html.kind = ChatMessageType::Html;
    app.update(Event::MessagesPolled {
        thread_id: T1.into(),
        messages: vec![m, html],
    });
    app.update(Event::ActionResult {
        what: evil.into(),
        result: Err(evil.into()),
    });
    app.update(Event::Connection(ConnectionState::Offline {
        error: evil.into(),
    }));
    app.update(key(KeyCode::F(2), KeyModifiers::NONE));
    let terminal = render(&app, 80, 24);
    let buffer = terminal.backend().buffer();
    let mut seen_end = false;
    for cell in buffer.content() {
        for c in cell.symbol().chars() {
            assert!(!c.is_control(), "control char {:?} in the buffer", c);
            assert!(
                !matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'),
                "BIDI control in the buffer"
            );
        }
        seen_end |= cell.symbol() == "e";
    }
    assert!(seen_end);
    let screen = format!("{}", terminal.backend());
    assert!(
        screen.contains("gnp.exe"),
        "text kept, controls removed:\n{screen}"
    );
    assert!(screen.contains("bold"), "html shown as text:\n{screen}");
}

#[test]
fn drawing_a_huge_thread_lays_out_only_visible_messages() {
    let mut app = base_app(80, 24);
    let start = datetime!(2026-01-01 00:00 UTC);
    // Loaded as the service pages history: newest first, 200 per page.
    let text_at = |i: i64| {
        let from = if i % 3 == 0 { ALICE } else { BOB };
        let at = start + time::Duration::seconds(i * 60);
        text(&(1_000_000 + i).to_string(), from, "message text", at)
    };
    for page in (0..500i64).rev() {
        let messages: Vec<ChatMessage> =
            (page * 200..(page + 1) * 200).rev().map(text_at).collect();
        let next_link = (page > 0).then(|| format!("https://next/{page}"));
        app.update(Event::OlderMessages {
            thread_id: T1.into(),
            messages,
            next_link,
        });
    }
    assert_eq!(app.open_thread().map(|t| t.conv.len()), Some(100_000));
    let pane_rows = 24;
    // Messages laid out by one draw of the whole screen.
    let laid_out_by_a_draw = |app: &App| {
        let before = acs_chat::tui::layout::blocks::laid_out_count();
        render(app, 80, 24);
        acs_chat::tui::layout::blocks::laid_out_count() - before
    };
    let laid_out = laid_out_by_a_draw(&app);
    assert!(
        laid_out > 0 && laid_out <= pane_rows,
        "laid out {laid_out} messages for a {pane_rows}-row screen"
    );
    // Scrolled far up, the cost is still the visible window.
    for _ in 0..50 {
        app.update(key(KeyCode::PageUp, KeyModifiers::NONE));
    }
    assert!(app.scroll.bottom.is_some());
    let laid_out = laid_out_by_a_draw(&app);
    assert!(
        laid_out > 0 && laid_out <= pane_rows,
        "laid out {laid_out} when scrolled"
    );
}
