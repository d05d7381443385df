//! `[ui]` and `[keys]`: how the interactive client looks and behaves. The values are
//! typed here, so a bad one is reported when the file is read, by whichever command.

use serde::{Deserialize, Deserializer};
use time::OffsetDateTime;

/// `[ui]`: how the interactive client looks and behaves.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UiConfig {
    /// Ring the terminal bell when a message arrives in another thread.
    pub bell: bool,
    /// `24h` (`14:05`), `12h` (`2:05 PM`) or `24h-seconds` (`14:05:09`).
    pub timestamp_format: TimeFormat,
    /// `unread-first` or `recent-first`.
    pub sort: ThreadSort,
    /// Ask before putting a paste of more than this many lines into the compose box.
    pub paste_confirm_lines: usize,
    /// Capture the mouse (wheel scrolls, click selects a thread).
    pub mouse: bool,
    /// Show the participant pane at start.
    pub show_participants: bool,
    /// Colours on screen; `false` (or the `NO_COLOR` environment variable) draws in
    /// the terminal's default colours, keeping bold, dim and reverse.
    pub color: bool,
}

impl Default for UiConfig {
    fn default() -> Self {
        Self {
            bell: true,
            timestamp_format: TimeFormat::default(),
            sort: ThreadSort::default(),
            paste_confirm_lines: 5,
            mouse: true,
            show_participants: false,
            color: true,
        }
    }
}

/// One key (`"Ctrl-D"`) or several (`["Ctrl-D", "F5"]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum KeyList {
    One(String),
    Many(Vec<String>),
}

impl KeyList {
    pub fn keys(&self) -> &[String] {
        match self {
            Self::One(k) => std::slice::from_ref(k),
            Self::Many(v) => v,
        }
    }
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

/// Reads a config string through `parse`; `expected` says what is valid.
fn parsed<'de, D, T>(
    d: D,
    parse: fn(&str) -> Option<T>,
    message: fn(&str) -> String,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    let raw = String::deserialize(d)?;
    parse(&raw).ok_or_else(|| serde::de::Error::custom(message(&raw)))
}

impl<'de> Deserialize<'de> for TimeFormat {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        parsed(d, Self::parse, |raw| {
            format!("ui.timestamp_format must be \"24h\", \"12h\" or \"24h-seconds\", not {raw:?}")
        })
    }
}

impl<'de> Deserialize<'de> for ThreadSort {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        parsed(d, Self::parse, |raw| {
            format!("ui.sort must be \"unread-first\" or \"recent-first\", not {raw:?}")
        })
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
