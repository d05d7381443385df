//! The config file (`config.toml` in the platform config dir, or `--config FILE`) and
//! how the connection is chosen: flags > environment > config file > local default.
//!
//! Every key is documented in `config.example.toml`. Unknown keys are errors, so a
//! typo is reported instead of silently ignored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::cli::ConnectionArgs;

/// Errors reading configuration. Each message names the file and the problem.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{0}")]
    Invalid(String),
}

/// The whole config file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// `endpoint=https://...;accesskey=...` of an ACS resource.
    pub connection_string: Option<String>,
    /// Endpoint URL, with `token`, to run as that one identity.
    pub endpoint: Option<String>,
    /// A user access token for `endpoint`.
    pub token: Option<String>,
    /// An extra CA certificate (PEM file) to trust.
    pub ca_cert: Option<PathBuf>,
    /// The profile used when `--as` is not given.
    pub default_profile: Option<String>,
    #[serde(default)]
    pub ui: UiConfig,
    #[serde(default)]
    pub poll: PollConfig,
    /// Per-profile settings, keyed by profile name.
    #[serde(default)]
    pub profiles: BTreeMap<String, ProfileConfig>,
    /// Extra key bindings: action name = key or list of keys (`send = "Ctrl-D"`).
    #[serde(default)]
    pub keys: BTreeMap<String, KeyList>,
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

/// `[ui]`: how the interactive client looks and behaves.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UiConfig {
    /// Ring the terminal bell when a message arrives in another thread.
    pub bell: bool,
    /// `24h` (`14:05`), `12h` (`2:05 PM`) or `24h-seconds` (`14:05:09`).
    pub timestamp_format: String,
    /// `unread-first` or `recent-first`.
    pub sort: String,
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
            timestamp_format: "24h".into(),
            sort: "unread-first".into(),
            paste_confirm_lines: 5,
            mouse: true,
            show_participants: false,
            color: true,
        }
    }
}

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
    /// years), so they are named rather than clamped or obeyed.
    fn validate(&self) -> Result<(), String> {
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

/// `[profiles.NAME]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileConfig {
    /// The name others see; defaults to the profile name, capitalised.
    pub display_name: Option<String>,
}

impl ConfigFile {
    /// Reads `path`; a missing file at the default location is an empty config, a
    /// missing file given explicitly is an error.
    pub fn load(path: &Path, explicit: bool) -> Result<Self, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
                return Ok(Self::default());
            }
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        Self::parse(&text).map_err(|message| ConfigError::Parse {
            path: path.to_owned(),
            message,
        })
    }

    /// Parses TOML text; the error is one line naming the key or position.
    pub fn parse(text: &str) -> Result<Self, String> {
        let cfg: Self =
            toml::from_str(text).map_err(|e| e.message().to_owned() + &location(text, e.span()))?;
        cfg.validate()?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<(), String> {
        // The UI's own parsers decide what is valid, so the two never disagree.
        if crate::tui::settings::TimeFormat::parse(&self.ui.timestamp_format).is_none() {
            return Err(format!(
                "ui.timestamp_format must be \"24h\", \"12h\" or \"24h-seconds\", not {:?}",
                self.ui.timestamp_format
            ));
        }
        if crate::tui::settings::ThreadSort::parse(&self.ui.sort).is_none() {
            return Err(format!(
                "ui.sort must be \"unread-first\" or \"recent-first\", not {:?}",
                self.ui.sort
            ));
        }
        self.key_bindings()?;
        self.poll.validate()?;
        if let Some(name) = &self.default_profile {
            validate_profile_name(name)?;
        }
        for name in self.profiles.keys() {
            validate_profile_name(name)?;
        }
        Ok(())
    }

    /// The `[keys]` table as bindings of the interactive client.
    pub fn key_bindings(&self) -> Result<crate::tui::keymap::KeyBindings, String> {
        crate::tui::keymap::KeyBindings::from_config(
            self.keys
                .iter()
                .map(|(name, keys)| (name.as_str(), keys.keys())),
        )
    }

    /// The display name of a profile: configured, or the name capitalised.
    pub fn display_name(&self, profile: &str) -> String {
        display_name(&self.profiles, profile)
    }
}

fn location(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    let Some(span) = span else {
        return String::new();
    };
    let Some(upto) = text.get(..span.start) else {
        return String::new();
    };
    let line = upto.matches('\n').count() + 1;
    // Name the key when the error points into a `key = value` line.
    let source_line = text.lines().nth(line - 1).unwrap_or_default();
    match source_line
        .split_once('=')
        .map(|(k, _)| k.trim())
        .filter(|k| !k.is_empty() && !k.starts_with('#'))
    {
        Some(key) => format!(" (line {line}, key {key})"),
        None => format!(" (line {line})"),
    }
}

/// The display name of a profile among `[profiles.*]` settings: configured (the
/// table's name in any case), or the profile name capitalised.
pub fn display_name(profiles: &BTreeMap<String, ProfileConfig>, profile: &str) -> String {
    profiles
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(profile))
        .and_then(|(_, p)| p.display_name.clone())
        .filter(|d| !d.trim().is_empty())
        .unwrap_or_else(|| capitalise(profile))
}

/// The profile a name stands for: lower-cased, so `Carol` and `carol` are one profile
/// (one cached identity), then checked by [`validate_profile_name`].
pub fn profile_name(name: &str) -> Result<String, String> {
    let name = name.to_ascii_lowercase();
    validate_profile_name(&name)?;
    Ok(name)
}

/// Profile names become file names and appear on screen: keep them simple.
pub fn validate_profile_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 32
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "profile name {name:?} must be 1-32 characters of a-z, 0-9, '-' or '_'"
        ))
    }
}

/// The profile when none is named. On the local emulator or with a connection string
/// it is the seed's Alice. With endpoint + token the identity is whoever the token
/// belongs to, so the name (shown as the sender's display name) is the login name
/// rather than a stranger's.
fn default_profile(target: &Target, login: Option<String>) -> String {
    match target {
        Target::EndpointToken { .. } => login
            .map(|l| l.to_lowercase())
            .filter(|l| validate_profile_name(l).is_ok())
            .unwrap_or_else(|| "me".to_owned()),
        Target::LocalDefault | Target::ConnectionString(_) => "alice".to_owned(),
    }
}

/// `s` with its first letter upper-cased (display names, headings).
pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Where to connect, after applying precedence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The built-in local emulator, auto-started when needed.
    LocalDefault,
    /// An ACS resource by connection string: profiles are minted through Identity.
    ConnectionString(String),
    /// One identity: endpoint + user access token.
    EndpointToken { endpoint: String, token: String },
}

/// The resolved connection: target, extra CA and profile name.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub target: Target,
    pub ca_cert: Option<PathBuf>,
    pub profile: String,
}

/// Applies flags > environment > config file > local default. `args` already holds
/// flags merged with the environment (clap's `env`); `COMMUNICATION_SERVICES_CONNECTION_STRING`,
/// the name the official samples use, is read here as the last environment fallback.
pub fn resolve(args: &ConnectionArgs, file: &ConfigFile) -> Result<Resolved, ConfigError> {
    let env_cs = || {
        std::env::var("COMMUNICATION_SERVICES_CONNECTION_STRING")
            .ok()
            .filter(|s| !s.trim().is_empty())
    };
    let target = match (&args.connection_string, &args.endpoint, &args.token) {
        (Some(_), Some(_), _) => {
            return Err(ConfigError::Invalid(
                "give either --connection-string or --endpoint with --token, not both".into(),
            ));
        }
        (Some(cs), None, _) => Target::ConnectionString(cs.clone()),
        (None, Some(endpoint), Some(token)) => Target::EndpointToken {
            endpoint: endpoint.clone(),
            token: token.clone(),
        },
        (None, Some(_), None) => {
            return Err(ConfigError::Invalid(
                "--endpoint needs --token (or ACS_TOKEN)".into(),
            ));
        }
        (None, None, Some(_)) => {
            return Err(ConfigError::Invalid(
                "--token needs --endpoint (or ACS_ENDPOINT)".into(),
            ));
        }
        (None, None, None) => match env_cs() {
            Some(cs) => Target::ConnectionString(cs),
            None => match (&file.connection_string, &file.endpoint, &file.token) {
                (Some(_), Some(_), _) => {
                    return Err(ConfigError::Invalid(
                        "config file: set either connection_string or endpoint + token, not both"
                            .into(),
                    ));
                }
                (Some(cs), None, _) => Target::ConnectionString(cs.clone()),
                (None, Some(e), Some(t)) => Target::EndpointToken {
                    endpoint: e.clone(),
                    token: t.clone(),
                },
                (None, Some(_), None) | (None, None, Some(_)) => {
                    return Err(ConfigError::Invalid(
                        "config file: endpoint and token go together".into(),
                    ));
                }
                (None, None, None) => Target::LocalDefault,
            },
        },
    };
    let profile = args
        .profile
        .clone()
        .or_else(|| file.default_profile.clone())
        .unwrap_or_else(|| default_profile(&target, std::env::var("USER").ok()));
    let profile = profile_name(&profile).map_err(ConfigError::Invalid)?;
    Ok(Resolved {
        target,
        ca_cert: args.ca_cert.clone().or_else(|| file.ca_cert.clone()),
        profile,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_is_default() {
        let c = ConfigFile::parse("").expect("empty is valid");
        assert!(c.ui.bell);
        assert_eq!(c.ui.sort, "unread-first");
    }

    #[test]
    fn unknown_key_is_named() {
        let e = ConfigFile::parse("[ui]\nbel = true\n").expect_err("typo");
        assert!(e.contains("bel"), "{e}");
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn a_wrong_type_names_the_key() {
        let e = ConfigFile::parse("[ui]\nbell = \"loud\"\n").expect_err("wrong type");
        assert!(e.contains("key bell") && e.contains("line 2"), "{e}");
    }

    #[test]
    fn malformed_toml_is_an_error() {
        assert!(ConfigFile::parse("connection_string = ").is_err());
        assert!(
            ConfigFile::parse("[ui]\nsort = \"alphabetical\"")
                .expect_err("bad sort")
                .contains("ui.sort")
        );
    }

    #[test]
    fn precedence_flags_then_file_then_default() {
        let file =
            ConfigFile::parse("connection_string = \"endpoint=https://file/;accesskey=a2V5\"")
                .expect("valid");
        let none = ConnectionArgs::default();
        // The environment could hold COMMUNICATION_SERVICES_CONNECTION_STRING; only assert
        // on the file when it does not.
        if std::env::var_os("COMMUNICATION_SERVICES_CONNECTION_STRING").is_none() {
            let r = resolve(&none, &file).expect("file");
            assert_eq!(
                r.target,
                Target::ConnectionString("endpoint=https://file/;accesskey=a2V5".into())
            );
            let r = resolve(&none, &ConfigFile::default()).expect("default");
            assert_eq!(r.target, Target::LocalDefault);
            assert_eq!(r.profile, "alice");
        }
        let flags = ConnectionArgs {
            endpoint: Some("https://flag/".into()),
            token: Some("t".into()),
            profile: Some("bob".into()),
            ..ConnectionArgs::default()
        };
        let r = resolve(&flags, &file).expect("flags win");
        assert_eq!(
            r.target,
            Target::EndpointToken {
                endpoint: "https://flag/".into(),
                token: "t".into()
            }
        );
        assert_eq!(r.profile, "bob");
    }

    #[test]
    fn profile_names_are_lower_cased_and_keep_their_display_name() {
        let flags = ConnectionArgs {
            profile: Some("Carol".into()),
            ..ConnectionArgs::default()
        };
        let r = resolve(&flags, &ConfigFile::default()).expect("valid");
        assert_eq!(r.profile, "carol");
        let c = ConfigFile::parse("[profiles.Carol]\ndisplay_name = \"Caz\"").expect("valid");
        assert_eq!(c.display_name(&r.profile), "Caz");
        assert_eq!(ConfigFile::default().display_name(&r.profile), "Carol");
    }

    #[test]
    fn endpoint_and_token_without_a_profile_take_the_login_name() {
        let token = Target::EndpointToken {
            endpoint: "https://x/".into(),
            token: "t".into(),
        };
        assert_eq!(default_profile(&token, Some("Dana".into())), "dana");
        assert_eq!(default_profile(&token, Some("not a name".into())), "me");
        assert_eq!(default_profile(&token, None), "me");
        assert_eq!(
            default_profile(&Target::LocalDefault, Some("dana".into())),
            "alice"
        );
    }

    #[test]
    fn half_given_pairs_are_errors() {
        let args = ConnectionArgs {
            endpoint: Some("https://x/".into()),
            ..ConnectionArgs::default()
        };
        assert!(resolve(&args, &ConfigFile::default()).is_err());
        let args = ConnectionArgs {
            profile: Some("../evil".into()),
            ..ConnectionArgs::default()
        };
        assert!(resolve(&args, &ConfigFile::default()).is_err());
    }

    /// The example documents every key: as shipped, and with every commented-out
    /// setting switched on, it must parse.
    #[test]
    fn config_example_parses_with_every_key_on() {
        let example = include_str!("../config.example.toml");
        ConfigFile::parse(example).expect("the example as shipped");
        let all_on: String = example
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest) if rest.contains(" = ") && !rest.starts_with(' ') => rest,
                Some(rest) if rest.starts_with("[profiles.") => rest,
                _ => l,
            })
            .collect::<Vec<_>>()
            .join("\n");
        let c = ConfigFile::parse(&all_on).expect("every key switched on");
        assert!(c.connection_string.is_some() && c.poll.active_ms.is_some());
        assert_eq!(c.display_name("bob"), "Bob");
        assert!(!c.keys.is_empty());
    }

    #[test]
    fn keys_table_accepts_one_or_many_and_names_mistakes() {
        let c = ConfigFile::parse("[keys]\nsend = \"Ctrl-D\"\nnewline = [\"Ctrl-O\", \"F5\"]")
            .expect("valid");
        assert_eq!(c.key_bindings().expect("valid").extra.len(), 3);
        let e = ConfigFile::parse("[keys]\nsned = \"Ctrl-D\"").expect_err("unknown action");
        assert!(e.contains("keys.sned"), "{e}");
        let e = ConfigFile::parse("[keys]\nsend = \"Hyper-D\"").expect_err("unknown key");
        assert!(e.contains("Hyper-D"), "{e}");
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

    #[test]
    fn display_name_defaults_to_capitalised_profile() {
        let c = ConfigFile::parse("[profiles.bob]\ndisplay_name = \"Robert\"").expect("valid");
        assert_eq!(c.display_name("bob"), "Robert");
        assert_eq!(c.display_name("alice"), "Alice");
    }
}
