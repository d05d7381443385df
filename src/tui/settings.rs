//! Who the client runs as and how it looks: the inputs of [`App::new`](super::app::App::new)
//! that the IO side builds from the profile and the config file.

use time::UtcOffset;

/// The identity this client runs as, and the other profiles it can name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileInfo {
    /// Profile name (`alice`).
    pub name: String,
    /// This user's raw id (`8:acs:...`).
    pub user_id: String,
    /// Display name sent with messages (`Alice`).
    pub display_name: String,
    /// Shown in the status bar.
    pub endpoint: String,
    /// Every known profile as (name, raw user id), for completion and name resolution.
    pub known_profiles: Vec<(String, String)>,
}

pub use crate::config::{ThreadSort, TimeFormat};

/// User preferences from the config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UiSettings {
    /// Ring the terminal bell when another thread gets a new message.
    pub bell: bool,
    pub timestamp_format: TimeFormat,
    pub sort: ThreadSort,
    /// A paste of more lines than this asks for confirmation first.
    pub paste_confirm_lines: usize,
    /// Local time zone offset for timestamps and day separators (determined by the IO side).
    pub utc_offset: UtcOffset,
    /// Extra key bindings from the config file's `[keys]`.
    pub keys: super::keymap::KeyBindings,
    /// Seed for client message ids. `update` is pure, so the randomness comes from
    /// here (the IO side passes a random number; tests pass a fixed one).
    pub id_seed: u64,
}

/// The config file's defaults, in UTC, with no extra keys: what a test starts from.
impl Default for UiSettings {
    fn default() -> Self {
        let ui = crate::config::UiConfig::default();
        Self {
            bell: ui.bell,
            timestamp_format: ui.timestamp_format,
            sort: ui.sort,
            paste_confirm_lines: ui.paste_confirm_lines,
            utc_offset: UtcOffset::UTC,
            id_seed: 0,
            keys: super::keymap::KeyBindings::default(),
        }
    }
}
