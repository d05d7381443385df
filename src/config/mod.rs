//! The config file (`config.toml` in the platform config dir, or `--config FILE`) and
//! how the connection is chosen: flags > environment > config file > local default.
//!
//! Every key is documented in `config.example.toml`. Unknown keys are errors, so a
//! typo is reported instead of silently ignored.

mod names;
mod poll;
mod resolve;
mod ui;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use names::{ProfileConfig, capitalise, display_name, profile_name, validate_profile_name};
pub use poll::{PollConfig, PollIntervals, PushConfig};
pub use resolve::{ConnectionFlags, Resolved, Target, resolve};
pub use ui::{KeyList, ThreadSort, TimeFormat, UiConfig};

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
    #[serde(default)]
    pub push: PushConfig,
    /// Per-profile settings, keyed by profile name.
    #[serde(default)]
    pub profiles: BTreeMap<String, ProfileConfig>,
    /// Extra key bindings: action name = key or list of keys (`send = "Ctrl-D"`).
    #[serde(default)]
    pub keys: BTreeMap<String, KeyList>,
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
        self.poll.validate()?;
        if let Some(name) = &self.default_profile {
            validate_profile_name(name)?;
        }
        for name in self.profiles.keys() {
            validate_profile_name(name)?;
        }
        Ok(())
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

/// `config.example.toml`, as shipped.
#[cfg(test)]
pub(crate) const EXAMPLE: &str = include_str!("../../config.example.toml");

/// `config.example.toml` with every commented-out setting switched on, for the tests
/// of each part that reads the file.
#[cfg(test)]
pub(crate) fn example_with_every_key_on() -> String {
    EXAMPLE
        .lines()
        .map(|l| match l.strip_prefix("# ") {
            Some(rest) if rest.contains(" = ") && !rest.starts_with(' ') => rest,
            Some(rest) if rest.starts_with("[profiles.") => rest,
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_is_default() {
        let c = ConfigFile::parse("").expect("empty is valid");
        assert!(c.ui.bell);
        assert_eq!(c.ui.sort, ThreadSort::UnreadFirst);
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

    /// The example documents every key: as shipped, and with every commented-out
    /// setting switched on, it must parse.
    #[test]
    fn config_example_parses_with_every_key_on() {
        ConfigFile::parse(EXAMPLE).expect("the example as shipped");
        let c = ConfigFile::parse(&example_with_every_key_on()).expect("every key switched on");
        assert!(c.connection_string.is_some() && c.poll.active_ms.is_some());
        assert_eq!(c.display_name("bob"), "Bob");
        assert!(!c.keys.is_empty());
    }

    #[test]
    fn display_name_defaults_to_capitalised_profile() {
        let c = ConfigFile::parse("[profiles.bob]\ndisplay_name = \"Robert\"").expect("valid");
        assert_eq!(c.display_name("bob"), "Robert");
        assert_eq!(c.display_name("alice"), "Alice");
    }
}
