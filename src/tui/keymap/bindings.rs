//! The user's own key bindings: keys as written in the config file's `[keys]` table
//! (`Ctrl-J`, `Alt-Enter`, `F3`), the actions that may be bound by name, and the
//! bindings built from them (applied before the defaults, in the compose box).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::Action;

/// A key with its modifiers, as written in the config file: `Ctrl-J`, `Alt-Enter`, `F3`,
/// `Alt-p`, `Shift-Up`. Comparison ignores the case of letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySpec {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl KeySpec {
    /// Parses `[Ctrl-][Alt-][Shift-]KEY`; KEY is a character, `F1`..`F12` or a name
    /// (`Enter`, `Tab`, `Esc`, `Up`, `Down`, `Left`, `Right`, `PageUp`, `PageDown`, `Home`,
    /// `End`, `Delete`, `Backspace`, `Space`).
    pub fn parse(spec: &str) -> Result<Self, String> {
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = spec.trim();
        loop {
            let lower = rest.to_ascii_lowercase();
            let (m, len) = if lower.starts_with("ctrl-") {
                (KeyModifiers::CONTROL, 5)
            } else if lower.starts_with("alt-") {
                (KeyModifiers::ALT, 4)
            } else if lower.starts_with("shift-") {
                (KeyModifiers::SHIFT, 6)
            } else {
                break;
            };
            modifiers |= m;
            rest = &rest[len..];
        }
        let named = match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => Some(KeyCode::Enter),
            "tab" => Some(KeyCode::Tab),
            "esc" | "escape" => Some(KeyCode::Esc),
            "up" => Some(KeyCode::Up),
            "down" => Some(KeyCode::Down),
            "left" => Some(KeyCode::Left),
            "right" => Some(KeyCode::Right),
            "pageup" => Some(KeyCode::PageUp),
            "pagedown" => Some(KeyCode::PageDown),
            "home" => Some(KeyCode::Home),
            "end" => Some(KeyCode::End),
            "delete" | "del" => Some(KeyCode::Delete),
            "backspace" => Some(KeyCode::Backspace),
            "space" => Some(KeyCode::Char(' ')),
            f if f.len() >= 2 && f.starts_with('f') => f[1..]
                .parse::<u8>()
                .ok()
                .filter(|n| (1..=12).contains(n))
                .map(KeyCode::F),
            _ => None,
        };
        let mut chars = rest.chars();
        let code = match (named, chars.next(), chars.next()) {
            (Some(code), _, _) => code,
            (None, Some(c), None) if !c.is_control() => KeyCode::Char(c.to_ascii_lowercase()),
            _ => {
                return Err(format!(
                    "unknown key {spec:?} (try e.g. \"Ctrl-J\", \"Alt-Enter\", \"F3\")"
                ));
            }
        };
        Ok(Self { code, modifiers })
    }

    /// Whether `key` is this key (letters in any case; see the comment on Shift).
    pub(super) fn matches(&self, key: &KeyEvent) -> bool {
        let code = match key.code {
            KeyCode::Char(c) => KeyCode::Char(c.to_ascii_lowercase()),
            other => other,
        };
        // Shift is implied by an upper-case letter; compare it only for non-characters.
        let relevant = if matches!(code, KeyCode::Char(_)) {
            KeyModifiers::CONTROL | KeyModifiers::ALT
        } else {
            KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT
        };
        code == self.code && key.modifiers & relevant == self.modifiers & relevant
    }
}

/// The actions a user may bind in the config file's `[keys]` table, by name.
pub const BINDABLE: &[(&str, Action)] = &[
    ("send", Action::Send),
    ("newline", Action::Newline),
    ("complete", Action::Complete),
    ("scroll_up", Action::PageUp),
    ("scroll_down", Action::PageDown),
    ("scroll_to_bottom", Action::ScrollToBottom),
    ("previous_thread", Action::PrevThread),
    ("next_thread", Action::NextThread),
    ("toggle_participants", Action::ToggleParticipants),
    ("help", Action::ToggleHelp),
    ("toggle_priority", Action::TogglePriority),
    ("select_message", Action::SelectMode),
    ("search", Action::Search),
    ("retry_failed", Action::RetryFailed),
    ("discard_failed", Action::DiscardFailed),
    ("quit", Action::Quit),
];

/// Extra key bindings from the config file; they apply in the compose box, before
/// the defaults (which stay bound too).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyBindings {
    /// (key, action, the key as the user wrote it).
    pub extra: Vec<(KeySpec, Action, String)>,
}

impl KeyBindings {
    /// Builds bindings from `(action name, key specs)` pairs, naming the first bad one.
    pub fn from_config<'a>(
        entries: impl IntoIterator<Item = (&'a str, &'a [String])>,
    ) -> Result<Self, String> {
        let mut extra = Vec::new();
        for (name, keys) in entries {
            let action = BINDABLE
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, a)| *a)
                .ok_or_else(|| {
                    let names: Vec<&str> = BINDABLE.iter().map(|(n, _)| *n).collect();
                    format!(
                        "keys.{name} is not an action; the actions are {}",
                        names.join(", ")
                    )
                })?;
            for key in keys {
                let spec = KeySpec::parse(key).map_err(|e| format!("keys.{name}: {e}"))?;
                extra.push((spec, action, key.trim().to_owned()));
            }
        }
        Ok(Self { extra })
    }

    /// The config file's `[keys]` table as bindings, naming the first bad entry
    /// (`keys.sned is not an action…`).
    pub fn from_file(config: &crate::config::ConfigFile) -> Result<Self, String> {
        Self::from_config(
            config
                .keys
                .iter()
                .map(|(name, keys)| (name.as_str(), keys.keys())),
        )
    }

    /// The configured bindings as help lines: (key as written, action name).
    pub fn help_lines(&self) -> Vec<(String, &'static str)> {
        self.extra
            .iter()
            .filter_map(|(_, action, written)| {
                let name = BINDABLE.iter().find(|(_, a)| a == action)?.0;
                Some((written.clone(), name))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Mode, action_with};
    use super::*;

    #[test]
    fn key_specs_parse_and_bad_ones_are_named() {
        let spec = KeySpec::parse("Ctrl-J").expect("valid");
        assert_eq!(
            spec,
            KeySpec {
                code: KeyCode::Char('j'),
                modifiers: KeyModifiers::CONTROL
            }
        );
        let spec = KeySpec::parse("alt-shift-enter").expect("valid");
        assert_eq!(spec.modifiers, KeyModifiers::ALT | KeyModifiers::SHIFT);
        assert_eq!(KeySpec::parse("F12").expect("valid").code, KeyCode::F(12));
        assert!(KeySpec::parse("F13").is_err());
        assert!(KeySpec::parse("Ctrl-").is_err());
        assert!(
            KeySpec::parse("Hyper-x")
                .expect_err("unknown")
                .contains("Hyper-x")
        );
    }

    #[test]
    fn keys_table_accepts_one_or_many_and_names_mistakes() {
        use crate::config::ConfigFile;
        let file = |text: &str| ConfigFile::parse(text).expect("valid TOML");
        let c = file("[keys]\nsend = \"Ctrl-D\"\nnewline = [\"Ctrl-O\", \"F5\"]");
        assert_eq!(KeyBindings::from_file(&c).expect("valid").extra.len(), 3);
        let e =
            KeyBindings::from_file(&file("[keys]\nsned = \"Ctrl-D\"")).expect_err("unknown action");
        assert!(e.contains("keys.sned"), "{e}");
        let e =
            KeyBindings::from_file(&file("[keys]\nsend = \"Hyper-D\"")).expect_err("unknown key");
        assert!(e.contains("Hyper-D"), "{e}");
    }

    #[test]
    fn the_example_configs_keys_are_valid_bindings() {
        let c = crate::config::ConfigFile::parse(&crate::config::example_with_every_key_on())
            .expect("every key switched on");
        let bindings = KeyBindings::from_file(&c).expect("the example's [keys]");
        assert!(!bindings.extra.is_empty());
    }

    #[test]
    fn configured_bindings_come_first_and_defaults_stay() {
        let keys = vec!["Ctrl-P".to_owned()];
        let send = vec!["Ctrl-D".to_owned()];
        let bindings = KeyBindings::from_config([
            ("toggle_priority", keys.as_slice()),
            ("send", send.as_slice()),
        ])
        .expect("valid");
        let ctrl = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
        assert_eq!(
            action_with(Mode::Compose, ctrl('p'), &bindings),
            Some(Action::TogglePriority)
        );
        assert_eq!(
            action_with(Mode::Compose, ctrl('d'), &bindings),
            Some(Action::Send)
        );
        assert_eq!(
            action_with(
                Mode::Compose,
                KeyEvent::new(KeyCode::F(3), KeyModifiers::NONE),
                &bindings
            ),
            Some(Action::TogglePriority),
            "defaults stay bound"
        );
        // Only the compose box takes configured bindings.
        assert_eq!(action_with(Mode::Select, ctrl('p'), &bindings), None);
        let e = KeyBindings::from_config([("fly", keys.as_slice())]).expect_err("unknown action");
        assert!(
            e.contains("keys.fly") && e.contains("toggle_priority"),
            "{e}"
        );
    }
}
