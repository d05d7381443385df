//! Whole-screen tests of the interactive client's views: insta snapshots at 80x24 and
//! 40x12 with a fixed clock and fixed data, the colours the snapshots do not show, and
//! what each mode's prompt and the compose box say. (Drawing under stress, at every
//! size, with hostile content and huge threads: `tui_screens_stress.rs`.)

mod tui_screens_common;

use acs_chat::tui::app::{App, Command, ConnectionState, Event, Priority};
use crossterm::event::{KeyCode, KeyModifiers};
use ratatui::style::{Color, Modifier, Style};
use tui_screens_common::*;

#[test]
fn conversation_80x24() {
    let app = conversation_app(80, 24);
    insta::assert_snapshot!("conversation_80x24", render(&app, 80, 24).backend());
}

#[test]
fn conversation_40x12() {
    let app = conversation_app(40, 12);
    insta::assert_snapshot!("conversation_40x12", render(&app, 40, 12).backend());
}

#[test]
fn participants_80x24_and_40x12() {
    for (w, h) in [(80, 24), (40, 12)] {
        let mut app = conversation_app(w, h);
        app.update(key(KeyCode::F(2), KeyModifiers::NONE));
        insta::assert_snapshot!(
            format!("participants_{w}x{h}"),
            render(&app, w, h).backend()
        );
    }
}

#[test]
fn help_80x24_and_40x12() {
    for (w, h) in [(80, 24), (40, 12)] {
        let mut app = conversation_app(w, h);
        app.update(key(KeyCode::F(1), KeyModifiers::NONE));
        insta::assert_snapshot!(format!("help_{w}x{h}"), render(&app, w, h).backend());
    }
}

#[test]
fn failed_send_80x24_and_40x12() {
    for (w, h) in [(80, 24), (40, 12)] {
        let mut app = base_app(w, h);
        app.update(Event::Connection(ConnectionState::Retrying {
            in_secs: 4,
            error: "connection refused".into(),
        }));
        app.update(key(KeyCode::Char('p'), KeyModifiers::ALT));
        type_text(&mut app, "Is anyone there?");
        let cmds = app.update(key(KeyCode::Enter, KeyModifiers::NONE));
        let Some(Command::Send(p)) = cmds.into_iter().find(|c| matches!(c, Command::Send(_)))
        else {
            panic!("no send")
        };
        assert_eq!(p.priority, Priority::High);
        app.update(Event::SendResult {
            thread_id: T1.into(),
            client_message_id: p.client_message_id,
            result: Err("service unavailable".into()),
        });
        insta::assert_snapshot!(format!("failed_send_{w}x{h}"), render(&app, w, h).backend());
    }
}

/// Snapshots show text only: the colours and emphasis are checked here, against the
/// palette's literal values.
#[test]
fn conversation_styles_users_system_messages_and_high() {
    let term = render(&conversation_app(80, 24), 80, 24);
    let bold = |c: Color| Style::new().fg(c).add_modifier(Modifier::BOLD);
    let all = |row: &str, needle: &str, want: Style| {
        for got in styles_of(&term, row, needle) {
            assert_eq!(
                (got.fg, got.add_modifier),
                (want.fg, want.add_modifier),
                "{needle:?} on the row with {row:?}"
            );
        }
    };
    // Each user keeps one colour of their own, bold.
    all("17:02 Alice:", "Alice", bold(Color::LightRed));
    all("09:20 Alice:", "Alice", bold(Color::LightRed));
    all("17:01 Bob:", "Bob", bold(Color::LightGreen));
    // System messages are dimmed (grey, italic), message text is not.
    let system = Style::new()
        .fg(Color::DarkGray)
        .add_modifier(Modifier::ITALIC);
    all("Alice added Bob", "Alice added Bob", system);
    all("changed the topic", "Bob changed the topic", system);
    all("17:01 Bob:", "Hi Alice!", Style::new().fg(Color::Reset));
    // The HIGH marker stands out from the sender's name next to it.
    all("The build is broken", "HIGH", bold(Color::LightRed));
    all("The build is broken", "Bob", bold(Color::LightGreen));
}

#[test]
fn new_messages_marker_when_scrolled_up() {
    let mut app = conversation_app(40, 12);
    app.update(key(KeyCode::PageUp, KeyModifiers::NONE));
    let at = now() + time::Duration::minutes(1);
    app.update(Event::MessagesPolled {
        thread_id: T1.into(),
        messages: vec![text("1009", BOB, "ping", at)],
    });
    let screen = format!("{}", render(&app, 40, 12).backend());
    assert!(screen.contains("new messages"), "{screen}");
    assert!(!screen.contains("ping"), "the view did not move: {screen}");
    app.update(key(KeyCode::End, KeyModifiers::ALT));
    let screen = format!("{}", render(&app, 40, 12).backend());
    assert!(
        screen.contains("ping") && !screen.contains("new messages"),
        "{screen}"
    );
}

#[test]
fn select_and_search_modes_show_their_prompts() {
    let mut app = conversation_app(80, 24);
    app.update(key(KeyCode::Char('s'), KeyModifiers::ALT));
    app.update(key(KeyCode::Up, KeyModifiers::NONE));
    let screen = render(&app, 80, 24);
    let text = format!("{}", screen.backend());
    assert!(text.contains("select: ↑↓ move"), "{text}");
    // The selected message (the one above the newest) is highlighted across its row.
    let buf = screen.backend().buffer();
    let row = (0..24u16).find(|&y| {
        (0..80u16)
            .map(|x| buf[(x, y)].symbol())
            .collect::<String>()
            .contains("Fixed, please retry")
    });
    let row = row.expect("selected message visible");
    assert_eq!(buf[(79, row)].bg, ratatui::style::Color::DarkGray);
    app.update(key(KeyCode::Esc, KeyModifiers::NONE));
    app.update(key(KeyCode::Char('s'), KeyModifiers::CONTROL));
    type_text(&mut app, "broken");
    let text = format!("{}", render(&app, 80, 24).backend());
    assert!(text.contains("search: broken"), "{text}");
}

#[test]
fn long_compose_text_wraps_and_grows_the_box() {
    let mut app = base_app(40, 12);
    type_text(
        &mut app,
        "a long message that needs more than one row to show all of it",
    );
    let text = format!("{}", render(&app, 40, 12).backend());
    assert!(
        text.contains("a long message that needs more than one"),
        "{text}"
    );
    assert!(
        text.contains("row to show all of it"),
        "wrapped, not scrolled sideways: {text}"
    );
}

#[test]
fn compose_title_says_whether_it_edits_or_recalls() {
    let mut app = conversation_app(80, 24);
    let title = |app: &App| format!("{}", render(app, 80, 24).backend());
    assert!(title(&app).contains("── Message"), "{}", title(&app));
    // Up in the empty box edits the last own message.
    app.update(key(KeyCode::Up, KeyModifiers::NONE));
    assert!(title(&app).contains("Editing — Enter save, Esc cancel"));
    app.update(key(KeyCode::Esc, KeyModifiers::NONE));
    assert!(title(&app).contains("── Message"));
    // With a draft typed, Up recalls the newest of the two lines sent ("Thanks" in the
    // fixture, then this one).
    type_text(&mut app, "sent line");
    app.update(key(KeyCode::Enter, KeyModifiers::NONE));
    type_text(&mut app, "dr");
    app.update(key(KeyCode::Up, KeyModifiers::NONE));
    let screen = title(&app);
    assert!(screen.contains("── History 2/2"), "{screen}");
    assert!(!screen.contains("Editing"), "{screen}");
}
