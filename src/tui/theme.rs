//! Every colour, style and user-visible string of the interactive client, so the look
//! and the wording can be changed (or translated) in one place.

use ratatui::style::{Color, Modifier, Style};

/// Sender name colours; a user's colour is picked by a stable hash of their raw id.
const SENDER_PALETTE: [Color; 10] = [
    Color::Cyan,
    Color::Green,
    Color::Yellow,
    Color::Magenta,
    Color::LightBlue,
    Color::LightGreen,
    Color::LightMagenta,
    Color::LightCyan,
    Color::LightRed,
    Color::Blue,
];

/// FNV-1a: stable across runs and platforms (unlike `DefaultHasher`).
fn stable_hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The stable colour of a user's name.
pub fn sender_style(user_id: &str) -> Style {
    let idx = usize::try_from(stable_hash(user_id) % SENDER_PALETTE.len() as u64).unwrap_or(0);
    Style::new()
        .fg(SENDER_PALETTE[idx])
        .add_modifier(Modifier::BOLD)
}

pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}
pub fn system_message() -> Style {
    Style::new()
        .fg(Color::DarkGray)
        .add_modifier(Modifier::ITALIC)
}
pub fn timestamp() -> Style {
    Style::new().fg(Color::DarkGray)
}
pub fn day_separator() -> Style {
    Style::new().fg(Color::DarkGray)
}
pub fn high_priority() -> Style {
    Style::new()
        .fg(Color::LightRed)
        .add_modifier(Modifier::BOLD)
}
pub fn marker() -> Style {
    Style::new()
        .fg(Color::DarkGray)
        .add_modifier(Modifier::ITALIC)
}
pub fn status_failed() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}
pub fn status_ok() -> Style {
    Style::new().fg(Color::DarkGray)
}
pub fn selected_message() -> Style {
    Style::new().bg(Color::DarkGray)
}
pub fn search_match() -> Style {
    Style::new().bg(Color::Yellow).fg(Color::Black)
}
pub fn new_messages_marker() -> Style {
    Style::new()
        .fg(Color::Black)
        .bg(Color::Yellow)
        .add_modifier(Modifier::BOLD)
}
pub fn header() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}
pub fn thread_selected() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}
pub fn thread_unread() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}
pub fn unread_badge() -> Style {
    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
}
pub fn border() -> Style {
    Style::new().fg(Color::DarkGray)
}
pub fn status_bar() -> Style {
    Style::new().bg(Color::Blue).fg(Color::White)
}
pub fn conn_ok() -> Style {
    Style::new().bg(Color::Blue).fg(Color::LightGreen)
}
pub fn conn_bad() -> Style {
    Style::new()
        .bg(Color::Blue)
        .fg(Color::LightRed)
        .add_modifier(Modifier::BOLD)
}
pub fn error_bar() -> Style {
    Style::new().bg(Color::Red).fg(Color::White)
}
pub fn info_line() -> Style {
    Style::new().fg(Color::Yellow)
}
pub fn overlay() -> Style {
    Style::new().bg(Color::Black).fg(Color::White)
}
pub fn role_admin() -> Style {
    Style::new().fg(Color::Yellow)
}

// ---------------------------------------------------------------- strings

pub const APP_NAME: &str = "acs-chat";
pub const THREADS_TITLE: &str = "Threads";
pub const PARTICIPANTS_TITLE: &str = "Members";
pub const HELP_TITLE: &str = " Help — Esc to close ";
pub const HELP_KEYS: &str = "Keys";
pub const HELP_COMMANDS: &str = "Commands";
pub const NO_THREAD: &str = "No thread open. Create one with /new TOPIC [user…]";
pub const NO_MESSAGES: &str = "No messages yet. Say hello!";
pub const LOADING_OLDER: &str = "loading older messages…";
pub const BEGINNING: &str = "beginning of the conversation";
pub const NEW_MESSAGES: &str = " new messages ↓ (Alt-End) ";
pub const DELETED: &str = "message deleted";
pub const EDITED: &str = "(edited)";
pub const HIGH: &str = "‼ HIGH";
pub const STICKY: &str = "sticky";
pub const SENDING: &str = "sending…";
pub const SENT: &str = "sent";
pub const FAILED_HINT: &str = "failed — Alt-R retry, Alt-X discard";
pub const COMPOSE_TITLE: &str = "Message";
pub const COMPOSE_EDITING: &str = "Editing — Enter save, Esc cancel";
/// The compose box title while recalling input history line `n` of `of`.
pub fn compose_history(n: usize, of: usize) -> String {
    format!("History {n}/{of} — Enter send, Esc back to your draft")
}
pub const COMPOSE_HIGH: &str = "HIGH priority";
pub const COMPOSE_PLACEHOLDER: &str = "Type a message, /help for commands";
pub const SELECT_HINT: &str = "select: ↑↓ move, e edit, d delete, r retry, x discard, Esc done";
pub const SEARCH_PROMPT: &str = "search: ";
pub const SEARCH_HINT: &str = "↑ older ↓ newer Esc close";
pub const STICKY_REFUSAL: &str = "This thread is sticky: its member list cannot change.";
pub const CONN_OK: &str = "ok";
pub const UNKNOWN_SENDER: &str = "unknown";

pub const CONNECTING: &str = "connecting…";
pub const NO_FAILED: &str = "no failed message";
pub const OUTBOX: &str = "outbox";
pub const OUTBOX_SHARED: &str =
    "this profile is open in another acs-chat too: each keeps its own unsent messages";
/// The outbox could not be locked: unsent messages stay in memory only.
pub fn outbox_unlocked(reason: &str) -> String {
    format!("{reason}; unsent messages will not survive quitting")
}
pub const EDIT_EMPTY: &str = "edit cancelled: a message cannot be empty (Alt-S, d deletes it)";
pub const ONLY_OWN_EDIT: &str = "only your own sent messages can be edited";
pub const ONLY_OWN_DELETE: &str = "only your own sent messages can be deleted";
pub const ONLY_UNSENT: &str = "only unsent messages can be retried or discarded";

pub fn conn_ok_age(age_secs: Option<i64>) -> String {
    match age_secs {
        Some(a) => format!("● {CONN_OK} {a}s"),
        None => format!("● {CONN_OK}"),
    }
}
/// The status bar while push delivers.
pub const PUSH_LIVE: &str = "live";
/// The status bar while polling delivers, and why push does not.
pub fn push_polling(why: &str) -> String {
    format!("polling ({why})")
}
/// The line under the message pane: "Bob is typing…", "Bob and Carol are typing…",
/// "Bob, Carol and 2 others are typing…".
pub fn typing(names: &[&str]) -> Option<String> {
    Some(match names {
        [] => return None,
        [one] => format!("{one} is typing…"),
        [a, b] => format!("{a} and {b} are typing…"),
        [a, b, c] => format!("{a}, {b} and {c} are typing…"),
        [a, b, rest @ ..] => format!("{a}, {b} and {} others are typing…", rest.len()),
    })
}
pub fn conn_retrying(in_secs: u64, error: &str) -> String {
    format!("retrying in {in_secs}s ({error})")
}
pub fn conn_offline(error: &str) -> String {
    format!("offline ({error})")
}
pub fn members_count(n: usize) -> String {
    format!(" · {n} members")
}
pub fn no_search_match(older: bool, query: &str) -> String {
    format!(
        "no {} match for “{query}”",
        if older { "older" } else { "newer" }
    )
}
/// Why a thread went away, for the notice line.
pub fn thread_gone(topic: &str, reason: crate::tui::event::GoneReason) -> String {
    use crate::tui::event::GoneReason;
    let topic = if topic.is_empty() { "a thread" } else { topic };
    match reason {
        GoneReason::Removed => format!("You are no longer a member of “{topic}”"),
        GoneReason::Deleted => format!("“{topic}” was deleted"),
    }
}
/// The thread list's mark of a gone thread.
pub fn gone_badge(reason: crate::tui::event::GoneReason) -> &'static str {
    use crate::tui::event::GoneReason;
    match reason {
        GoneReason::Removed => "removed",
        GoneReason::Deleted => "deleted",
    }
}
pub fn send_failed(error: &str) -> String {
    format!("send failed: {error} (Alt-R retry, Alt-X discard)")
}
pub fn creating_thread(topic: &str) -> String {
    format!("creating “{topic}”…")
}
pub fn topic_changed(by: Option<&str>, topic: &str) -> String {
    match by {
        Some(b) => format!("{b} changed the topic to “{topic}”"),
        None => format!("The topic is now “{topic}”"),
    }
}
pub fn members_added(by: &str, names: &str) -> String {
    format!("{by} added {names}")
}
pub fn members_joined(names: &str) -> String {
    format!("{names} joined")
}
pub fn members_removed(by: &str, names: &str) -> String {
    format!("{by} removed {names}")
}
pub fn members_left(names: &str) -> String {
    format!("{names} left")
}

/// "seen by Bob" / "seen by Bob, Carol" / "seen by 5".
pub fn seen_by(names: &[String]) -> String {
    match names.len() {
        0 => "seen".to_owned(),
        1..=3 => format!("seen by {}", names.join(", ")),
        n => format!("seen by {n}"),
    }
}

pub fn paste_confirm(lines: usize) -> String {
    format!("Paste {lines} lines? y / n")
}
pub const DELETE_CONFIRM: &str = "Delete this message? y / n";
pub const LEAVE_CONFIRM: &str = "Leave this thread? y / n";

#[cfg(test)]
mod tests {
    use super::*;

    /// The published FNV-1a 64-bit test vectors: a change of hash would recolour every
    /// user between versions.
    #[test]
    fn stable_hash_is_fnv1a() {
        assert_eq!(stable_hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(stable_hash("foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn sender_colours_are_stable_and_spread() {
        // FNV-1a of each id modulo the palette's length, computed outside this crate.
        for (id, colour) in [
            ("8:acs:alice", Color::LightRed),
            ("8:acs:bob", Color::LightGreen),
            ("", Color::LightCyan),
        ] {
            assert_eq!(
                sender_style(id),
                Style::new().fg(colour).add_modifier(Modifier::BOLD),
                "{id}"
            );
        }
        let distinct: std::collections::HashSet<_> = (0..50)
            .map(|i| format!("{:?}", sender_style(&format!("8:acs:u{i}")).fg))
            .collect();
        assert!(distinct.len() >= 5, "hash spreads users over the palette");
    }
}
