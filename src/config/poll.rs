//! `[poll]` and `[push]`: how the client learns of news — polling, and real-time
//! notifications where the endpoint offers them.

use serde::Deserialize;

/// `[poll]`: how often the background poller asks for news. Defaults depend on where
/// the endpoint is (see [`PollConfig::resolve`]).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PollConfig {
    /// Interval of the open thread's poll while active, milliseconds.
    pub active_ms: Option<u64>,
    /// The longest interval when idle, milliseconds.
    pub idle_max_ms: Option<u64>,
    /// Seconds without activity after which polling backs off.
    pub idle_after_secs: Option<u64>,
}

/// `[push]`: real-time notifications (Trouter). With push connected, polling is a
/// slow safety net; without it (or where the endpoint offers none), polling delivers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PushConfig {
    pub enabled: bool,
}

impl Default for PushConfig {
    fn default() -> Self {
        Self { enabled: true }
    }
}

/// Poll intervals in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollIntervals {
    pub active_ms: u64,
    pub idle_max_ms: u64,
    pub idle_after_secs: u64,
    /// The longest wait between retries after errors: short on loopback, where an
    /// emulator restart should be noticed at once; 30 s for a remote service.
    pub error_backoff_max_ms: u64,
}

impl PollConfig {
    /// Values outside these ranges are mistakes (a poll every 0 ms, idle after 500
    /// years), so they are named rather than clamped or obeyed. (Within them, a remote
    /// endpoint's active interval is still raised to 300 ms by [`Self::resolve`], to
    /// stay inside the service's rate limits.)
    pub(super) fn validate(&self) -> Result<(), String> {
        let keys = [
            ("poll.active_ms", self.active_ms, 20..=60_000),
            ("poll.idle_max_ms", self.idle_max_ms, 20..=3_600_000),
            ("poll.idle_after_secs", self.idle_after_secs, 0..=86_400),
        ];
        for (key, value, range) in keys {
            if let Some(v) = value.filter(|v| !range.contains(v)) {
                return Err(format!(
                    "{key} must be {} to {}, not {v}",
                    range.start(),
                    range.end()
                ));
            }
        }
        Ok(())
    }

    /// Loopback endpoints poll fast (the emulator is cheap and local); remote ones stay
    /// well inside ACS's limit of 200 list-messages calls per minute per user per thread
    /// (one a second is 60/min), and back off to one every 8 s when idle.
    pub fn resolve(&self, loopback: bool) -> PollIntervals {
        let (active, idle_max) = if loopback {
            (100, 4_000)
        } else {
            (1_000, 8_000)
        };
        let active_ms = self
            .active_ms
            .unwrap_or(active)
            .clamp(if loopback { 20 } else { 300 }, 60_000);
        PollIntervals {
            active_ms,
            idle_max_ms: self.idle_max_ms.unwrap_or(idle_max).max(active_ms),
            idle_after_secs: self.idle_after_secs.unwrap_or(60),
            error_backoff_max_ms: if loopback { 3_000 } else { 30_000 },
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::ConfigFile;

    #[test]
    fn push_is_on_unless_disabled() {
        assert!(ConfigFile::parse("").expect("empty").push.enabled);
        let off = ConfigFile::parse("[push]\nenabled = false\n").expect("valid");
        assert!(!off.push.enabled);
        let e = ConfigFile::parse("[push]\nenable = false\n").expect_err("typo");
        assert!(e.contains("enable"), "{e}");
    }

    #[test]
    fn poll_values_out_of_range_are_named() {
        for (text, key) in [
            ("active_ms = 0", "poll.active_ms"),
            ("active_ms = 18446744073709551615", "poll.active_ms"),
            ("idle_max_ms = 3600001", "poll.idle_max_ms"),
            (
                "idle_after_secs = 9223372036854775807",
                "poll.idle_after_secs",
            ),
        ] {
            let e = ConfigFile::parse(&format!("[poll]\n{text}")).expect_err(text);
            assert!(e.contains(key), "{text}: {e}");
        }
        let e = ConfigFile::parse("[poll]\nactive_ms = -1").expect_err("negative");
        assert!(e.contains("key active_ms"), "{e}");
        ConfigFile::parse("[poll]\nactive_ms = 20\nidle_max_ms = 3600000\nidle_after_secs = 0")
            .expect("the ends of the ranges");
    }
}
