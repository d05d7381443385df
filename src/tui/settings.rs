//! Who the client runs as and how it looks: the inputs of [`App::new`](super::app::App::new)
//! that the IO side builds from the profile and the config file.

use time::{OffsetDateTime, UtcOffset};

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

/// How timestamps of messages are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TimeFormat {
    /// `14:05` (`%H:%M`)
    #[default]
    HourMinute,
    /// `14:05:09` (`%H:%M:%S`)
    HourMinuteSecond,
    /// `2:05 PM` (`%I:%M %p`)
    TwelveHour,
}

impl TimeFormat {
    /// Reads the config value: a strftime-style pattern or a name
    /// (`24h`, `24h-seconds`, `12h`). Unknown values give `None`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "%H:%M" | "24h" | "HH:MM" => Some(Self::HourMinute),
            "%H:%M:%S" | "%T" | "24h-seconds" | "HH:MM:SS" => Some(Self::HourMinuteSecond),
            "%I:%M %p" | "%l:%M %p" | "12h" => Some(Self::TwelveHour),
            _ => None,
        }
    }

    /// Formats the time of day of `t` (already in the local offset).
    pub fn format(self, t: OffsetDateTime) -> String {
        let (h, m, s) = (t.hour(), t.minute(), t.second());
        match self {
            Self::HourMinute => format!("{h:02}:{m:02}"),
            Self::HourMinuteSecond => format!("{h:02}:{m:02}:{s:02}"),
            Self::TwelveHour => {
                let h12 = if h % 12 == 0 { 12 } else { h % 12 };
                format!("{h12}:{m:02} {}", if h < 12 { "AM" } else { "PM" })
            }
        }
    }
}

/// Order of the thread list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ThreadSort {
    /// Threads with unread messages first, then most recent activity.
    #[default]
    UnreadFirst,
    /// Most recent activity first.
    RecentFirst,
}

impl ThreadSort {
    /// Reads the config value `unread-first` / `recent-first`; unknown values give `None`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "unread-first" => Some(Self::UnreadFirst),
            "recent-first" => Some(Self::RecentFirst),
            _ => None,
        }
    }
}

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

impl Default for UiSettings {
    fn default() -> Self {
        Self {
            bell: true,
            timestamp_format: TimeFormat::default(),
            sort: ThreadSort::default(),
            paste_confirm_lines: 5,
            utc_offset: UtcOffset::UTC,
            id_seed: 0,
            keys: super::keymap::KeyBindings::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn time_formats() {
        let t = datetime!(2026-11-24 14:05:09 UTC);
        assert_eq!(
            TimeFormat::parse("%H:%M").map(|f| f.format(t)).as_deref(),
            Some("14:05")
        );
        assert_eq!(
            TimeFormat::parse("%T").map(|f| f.format(t)).as_deref(),
            Some("14:05:09")
        );
        assert_eq!(
            TimeFormat::parse("12h").map(|f| f.format(t)).as_deref(),
            Some("2:05 PM")
        );
        assert_eq!(
            TimeFormat::TwelveHour.format(datetime!(2026-11-24 00:30 UTC)),
            "12:30 AM"
        );
        assert_eq!(TimeFormat::parse("%Y"), None);
        assert_eq!(
            ThreadSort::parse("recent-first"),
            Some(ThreadSort::RecentFirst)
        );
        assert_eq!(
            ThreadSort::parse("unread-first"),
            Some(ThreadSort::UnreadFirst)
        );
        assert_eq!(ThreadSort::parse("alpha"), None);
    }
}
