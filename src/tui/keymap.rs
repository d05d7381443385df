//! Every key binding in one place: which key does what in which mode, and the list the
//! help overlay shows; the user's own bindings from the config file are in
//! [`bindings`]. Keys not bound here go to the compose box, which provides the
//! emacs-style editing keys (Ctrl-A/E/B/F/K/U/W/Y, Alt-B/F, ...).

mod bindings;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

pub use bindings::{BINDABLE, KeyBindings, KeySpec};

/// What a key means, independent of the key itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    Send,
    Newline,
    Complete,
    /// Plain Up / Down in the compose box: history, edit-last or cursor movement.
    Up,
    Down,
    PageUp,
    PageDown,
    ScrollToBottom,
    PrevThread,
    NextThread,
    /// Alt-1..9: open the n-th thread of the list (0-based).
    JumpThread(usize),
    ToggleParticipants,
    ToggleHelp,
    TogglePriority,
    SelectMode,
    Search,
    RetryFailed,
    DiscardFailed,
    Cancel,
    /// Ctrl-U: delete to the start of the line (readline), not the editor's undo.
    KillLineStart,
    /// Ctrl-Z: undo in the compose box.
    Undo,
    // select mode
    Edit,
    Delete,
    // confirm dialogs
    Yes,
    No,
}

/// The input mode decides which table applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Compose,
    Select,
    Search,
    Help,
    Confirm,
}

/// Every binding as shown in the help overlay: (keys, what they do).
pub const HELP: &[(&str, &str)] = &[
    ("Enter", "send (save when editing)"),
    ("Alt-Enter Ctrl-J Shift-Enter", "new line in the message"),
    (
        "Up / Down",
        "input history on the first / last line (Up in an empty box: edit your last message)",
    ),
    ("Tab", "complete a /command or a profile name"),
    (
        "PageUp / PageDown",
        "scroll the conversation (mouse wheel too)",
    ),
    ("Alt-End", "jump to the newest message"),
    (
        "Alt-Up / Alt-Down",
        "previous / next thread (click in the list too)",
    ),
    ("Alt-1 … Alt-9", "open thread 1 … 9"),
    ("Alt-P or F3", "toggle High priority for the next message"),
    (
        "Alt-S or Shift-Up",
        "select a message: e edit, d delete, r retry, x discard",
    ),
    ("Alt-R / Alt-X", "retry / discard the latest failed message"),
    (
        "Ctrl-S",
        "search this thread (Up older, Down newer, Esc close)",
    ),
    ("F2 or Alt-M", "toggle the participant pane"),
    ("F1 or Alt-H", "this help (Up/Down scroll, Esc close)"),
    (
        "Esc",
        "cancel the edit or history recall / close / back to the newest message",
    ),
    ("Ctrl-C or Ctrl-Q", "quit (unsent messages are kept)"),
    (
        "Ctrl-A/E/B/F/K/U/W/Y Alt-B/F",
        "emacs-style editing in the compose box",
    ),
    ("Ctrl-Z / Ctrl-R", "undo / redo in the compose box"),
];

/// Maps a key to an action in `mode` with the user's extra bindings; `None` means
/// "give it to the text input".
pub fn action_with(mode: Mode, key: KeyEvent, bindings: &KeyBindings) -> Option<Action> {
    if mode == Mode::Compose
        && key.kind != KeyEventKind::Release
        && let Some((_, action, _)) = bindings
            .extra
            .iter()
            .find(|(spec, _, _)| spec.matches(&key))
    {
        return Some(*action);
    }
    action_for(mode, key)
}

/// Maps a key to an action in `mode`; `None` means "give it to the text input".
pub fn action_for(mode: Mode, key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    let shift = key.modifiers.contains(KeyModifiers::SHIFT);
    if ctrl && matches!(key.code, KeyCode::Char('c' | 'q')) {
        return Some(Action::Quit);
    }
    match mode {
        Mode::Compose => compose(key.code, ctrl, alt, shift),
        Mode::Select => match key.code {
            KeyCode::Up | KeyCode::Char('k') => Some(Action::Up),
            KeyCode::Down | KeyCode::Char('j') => Some(Action::Down),
            KeyCode::Char('e') => Some(Action::Edit),
            KeyCode::Char('d') | KeyCode::Delete => Some(Action::Delete),
            KeyCode::Char('r') => Some(Action::RetryFailed),
            KeyCode::Char('x') => Some(Action::DiscardFailed),
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Enter => Some(Action::Cancel),
            _ => None,
        },
        Mode::Search => match key.code {
            KeyCode::Up => Some(Action::Up),
            KeyCode::Char('s') if ctrl => Some(Action::Up),
            KeyCode::Down => Some(Action::Down),
            KeyCode::Char('r') if ctrl => Some(Action::Down),
            KeyCode::Enter => Some(Action::Send),
            KeyCode::Esc => Some(Action::Cancel),
            _ => None,
        },
        Mode::Help => match key.code {
            KeyCode::Up | KeyCode::Char('k') => Some(Action::Up),
            KeyCode::Down | KeyCode::Char('j') => Some(Action::Down),
            KeyCode::PageUp => Some(Action::PageUp),
            KeyCode::PageDown | KeyCode::Char(' ') => Some(Action::PageDown),
            _ => Some(Action::Cancel),
        },
        Mode::Confirm => match key.code {
            KeyCode::Char('y' | 'Y') | KeyCode::Enter => Some(Action::Yes),
            _ => Some(Action::No),
        },
    }
}

fn compose(code: KeyCode, ctrl: bool, alt: bool, shift: bool) -> Option<Action> {
    let action = match code {
        KeyCode::Enter if alt || shift => Action::Newline,
        KeyCode::Char('j') if ctrl => Action::Newline,
        KeyCode::Enter => Action::Send,
        KeyCode::Tab if !ctrl && !alt => Action::Complete,
        KeyCode::Up if alt => Action::PrevThread,
        KeyCode::Down if alt => Action::NextThread,
        KeyCode::Up if shift => Action::SelectMode,
        KeyCode::Up if !ctrl => Action::Up,
        KeyCode::Down if !ctrl => Action::Down,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::PageDown => Action::PageDown,
        KeyCode::End if alt || ctrl => Action::ScrollToBottom,
        KeyCode::F(1) => Action::ToggleHelp,
        KeyCode::F(2) => Action::ToggleParticipants,
        KeyCode::F(3) => Action::TogglePriority,
        KeyCode::Char('s') if ctrl => Action::Search,
        KeyCode::Char('u') if ctrl => Action::KillLineStart,
        KeyCode::Char('z') if ctrl => Action::Undo,
        KeyCode::Esc => Action::Cancel,
        KeyCode::Char(c) if alt && !ctrl => match c {
            '1'..='9' => Action::JumpThread(c as usize - '1' as usize),
            'p' | 'P' => Action::TogglePriority,
            's' | 'S' => Action::SelectMode,
            'r' | 'R' => Action::RetryFailed,
            'x' | 'X' => Action::DiscardFailed,
            'm' | 'M' => Action::ToggleParticipants,
            'h' | 'H' | '?' => Action::ToggleHelp,
            _ => return None,
        },
        _ => return None,
    };
    Some(action)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }

    #[test]
    fn compose_bindings() {
        let n = KeyModifiers::NONE;
        assert_eq!(
            action_for(Mode::Compose, k(KeyCode::Enter, n)),
            Some(Action::Send)
        );
        assert_eq!(
            action_for(Mode::Compose, k(KeyCode::Enter, KeyModifiers::ALT)),
            Some(Action::Newline)
        );
        assert_eq!(
            action_for(Mode::Compose, k(KeyCode::Enter, KeyModifiers::SHIFT)),
            Some(Action::Newline)
        );
        assert_eq!(
            action_for(Mode::Compose, k(KeyCode::Char('j'), KeyModifiers::CONTROL)),
            Some(Action::Newline)
        );
        assert_eq!(action_for(Mode::Compose, k(KeyCode::Char('a'), n)), None);
        assert_eq!(
            action_for(Mode::Compose, k(KeyCode::Char('a'), KeyModifiers::CONTROL)),
            None,
            "emacs keys reach the editor"
        );
        assert_eq!(
            action_for(Mode::Compose, k(KeyCode::Char('3'), KeyModifiers::ALT)),
            Some(Action::JumpThread(2))
        );
        assert_eq!(
            action_for(Mode::Select, k(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(
            action_for(Mode::Confirm, k(KeyCode::Char('y'), n)),
            Some(Action::Yes)
        );
        assert_eq!(
            action_for(Mode::Confirm, k(KeyCode::Char('z'), n)),
            Some(Action::No)
        );
    }
}
