//! The compose box: keys, history, paste, editing, selection and completion.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::tui::app::*;

#[test]
fn typing_notifications_are_throttled_by_tick_time() {
    let mut app = app();
    let typing = |cmds: &[Command]| {
        cmds.iter()
            .filter(|c| matches!(c, Command::SendTyping { .. }))
            .count()
    };
    assert_eq!(typing(&type_text(&mut app, "hel")), 1);
    app.update(Event::Tick {
        now: t0() + time::Duration::seconds(5),
    });
    assert_eq!(typing(&type_text(&mut app, "lo")), 0, "within 8 s");
    app.update(Event::Tick {
        now: t0() + time::Duration::seconds(9),
    });
    assert_eq!(typing(&type_text(&mut app, " you")), 1);
    // Slash commands are not typing.
    app.update(Event::Tick {
        now: t0() + time::Duration::seconds(30),
    });
    app.set_compose("");
    assert_eq!(typing(&type_text(&mut app, "/topic x")), 0);
    // Cursor movement is not typing either.
    app.update(Event::Tick {
        now: t0() + time::Duration::seconds(60),
    });
    assert_eq!(typing(&app.update(key(KeyCode::Left))), 0);
}

#[test]
fn typing_after_a_send_notifies_again_at_once() {
    let mut app = app();
    let typing = |cmds: &[Command]| cmds.iter().any(|c| matches!(c, Command::SendTyping { .. }));
    assert!(typing(&type_text(&mut app, "first")));
    app.update(key(KeyCode::Enter));
    // Within the 8 s throttle, but the sent message ended the indicator at the others.
    assert!(typing(&type_text(&mut app, "n")));
    assert!(!typing(&type_text(&mut app, "ext")), "throttled again");
}

#[test]
fn long_paste_asks_first() {
    let mut app = app();
    app.update(Event::Paste("one\ntwo".into()));
    assert_eq!(app.compose_text(), "one\ntwo");
    app.set_compose("");
    let big = (1..=8)
        .map(|i| format!("line {i}"))
        .collect::<Vec<_>>()
        .join("\n");
    app.update(Event::Paste(big.clone()));
    assert!(matches!(app.overlay, Overlay::Confirm(Confirm::Paste(_))));
    assert!(app.compose.is_empty());
    app.update(key(KeyCode::Char('n')));
    assert!(app.compose.is_empty() && app.overlay == Overlay::None);
    app.update(Event::Paste(format!("{big}\u{1b}[2J")));
    app.update(key(KeyCode::Char('y')));
    assert_eq!(app.compose_text(), big, "accepted, escapes removed");
}

#[test]
fn newline_keys_do_not_send() {
    let mut app = app();
    type_text(&mut app, "a");
    app.update(Event::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT)));
    app.update(Event::Key(KeyEvent::new(
        KeyCode::Char('j'),
        KeyModifiers::CONTROL,
    )));
    type_text(&mut app, "b");
    assert_eq!(app.compose_text(), "a\n\nb");
    assert!(conv(&app).is_empty());
}

#[test]
fn up_in_empty_compose_edits_last_own_message() {
    let mut app = app();
    app.update(Event::MessagesPolled {
        thread_id: T1.into(),
        messages: vec![
            msg("1001", ALICE, "tpyo", t0()),
            msg("1002", BOB, "hm", t0()),
        ],
    });
    app.update(key(KeyCode::Up));
    assert_eq!(app.compose_text(), "tpyo");
    assert!(matches!(
        &app.compose_state,
        ComposeState::Editing { thread_id, message_id, .. } if thread_id == T1 && message_id == "1001"
    ));
    app.set_compose("typo");
    let cmds = app.update(key(KeyCode::Enter));
    assert_eq!(
        cmds,
        vec![Command::EditMessage {
            thread_id: T1.into(),
            message_id: "1001".into(),
            content: "typo".into()
        }]
    );
    assert!(app.compose_state == ComposeState::New && app.compose.is_empty());
}

/// Alice's message 1001 arrives in T1.
fn poll_own(app: &mut App, text: &str) {
    app.update(Event::MessagesPolled {
        thread_id: T1.into(),
        messages: vec![msg("1001", ALICE, text, t0())],
    });
}

/// Alice's sent line "first" in the history and her message 1001 "tpyo" in T1.
fn app_with_history_and_own_message() -> App {
    let mut app = app();
    send(&mut app, "first");
    poll_own(&mut app, "tpyo");
    app
}

fn edits(cmds: &[Command]) -> Vec<String> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::EditMessage { content, .. } => Some(content.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn up_while_editing_moves_the_cursor_not_the_history() {
    let mut app = app_with_history_and_own_message();
    app.update(key(KeyCode::Up));
    app.update(key(KeyCode::Up));
    assert_eq!(app.compose_text(), "tpyo", "still the edited message");
    let cmds = app.update(key(KeyCode::Enter));
    assert_eq!(edits(&cmds), vec!["tpyo".to_owned()], "{cmds:?}");
}

#[test]
fn enter_on_an_emptied_edit_ends_it() {
    let mut app = app_with_history_and_own_message();
    app.update(key(KeyCode::Up));
    app.update(Event::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    let cmds = app.update(key(KeyCode::Enter));
    assert!(edits(&cmds).is_empty(), "{cmds:?}");
    assert_eq!(app.compose_state, ComposeState::New);
    assert!(app.notice.is_some(), "says why nothing was saved");
    // The next message typed is a new message, not an edit.
    let sent = send(&mut app, "hi");
    assert_eq!(sent.content, "hi");
}

#[test]
fn esc_cancels_an_edit_and_gives_the_draft_back() {
    let mut app = app();
    poll_own(&mut app, "tpyo");
    type_text(&mut app, "half a thought");
    app.update(alt('s'));
    app.update(key(KeyCode::Char('e')));
    assert_eq!(app.compose_text(), "tpyo");
    let cmds = app.update(key(KeyCode::Esc));
    assert!(edits(&cmds).is_empty());
    assert_eq!(app.compose_state, ComposeState::New);
    assert_eq!(app.compose_text(), "half a thought");
}

#[test]
fn a_history_recall_never_becomes_an_edit() {
    let mut app = app_with_history_and_own_message();
    type_text(&mut app, "dr");
    app.update(key(KeyCode::Up));
    assert!(matches!(
        app.compose_state,
        ComposeState::History { pos: 0, .. }
    ));
    assert_eq!(app.compose_text(), "first");
    // Esc gives the draft back; Enter on a recalled line sends it as a new message.
    app.update(key(KeyCode::Esc));
    assert_eq!(app.compose_text(), "dr");
    app.update(key(KeyCode::Up));
    let cmds = app.update(key(KeyCode::Enter));
    assert!(edits(&cmds).is_empty(), "{cmds:?}");
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Command::Send(p) if p.content == "first")),
        "{cmds:?}"
    );
}

#[test]
fn input_history_recalls_sent_lines() {
    let mut app = app();
    send(&mut app, "first");
    send(&mut app, "second");
    type_text(&mut app, "draft");
    app.update(key(KeyCode::Up));
    assert_eq!(app.compose_text(), "second");
    app.update(key(KeyCode::Up));
    assert_eq!(app.compose_text(), "first");
    app.update(key(KeyCode::Down));
    app.update(key(KeyCode::Down));
    assert_eq!(app.compose_text(), "draft");
}

#[test]
fn delete_needs_selection_and_confirmation() {
    let mut app = app();
    poll_own(&mut app, "oops");
    app.update(alt('s'));
    assert!(matches!(app.overlay, Overlay::Select { .. }));
    assert!(app.update(key(KeyCode::Char('d'))).is_empty(), "asks first");
    let cmds = app.update(key(KeyCode::Char('y')));
    assert_eq!(
        cmds,
        vec![Command::DeleteMessage {
            thread_id: T1.into(),
            message_id: "1001".into()
        }]
    );
}

#[test]
fn quit_keys_and_tab_completion() {
    let mut app = app();
    type_text(&mut app, "/inv");
    app.update(key(KeyCode::Tab));
    type_text(&mut app, "b");
    app.update(key(KeyCode::Tab));
    assert_eq!(app.compose_text(), "/invite bob ");
    let cmds = app.update(Event::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    )));
    assert_eq!(cmds, vec![Command::Quit]);
}

#[test]
fn ctrl_u_kills_to_line_start_and_ctrl_z_undoes() {
    let mut app = app();
    type_text(&mut app, "hello world");
    app.update(Event::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    assert_eq!(app.compose_text(), "");
    app.update(Event::Key(KeyEvent::new(
        KeyCode::Char('z'),
        KeyModifiers::CONTROL,
    )));
    assert_eq!(app.compose_text(), "hello world");
}
