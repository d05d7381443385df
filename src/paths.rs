//! Where acs-chat keeps its files, per platform (via `directories`): config
//! (`config.toml`), state (cached identities and tokens, outbox, logs) and data (the
//! local emulator's database, certificate and log).
//!
//! `ACS_CHAT_HOME` overrides all three with one directory (config/, state/, data/
//! under it); tests and demos use it to stay out of the user's real directories.

use std::path::PathBuf;

use directories::ProjectDirs;

/// The three directories acs-chat uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dirs {
    pub config: PathBuf,
    pub state: PathBuf,
    pub data: PathBuf,
}

impl Dirs {
    /// The platform's directories, or the ones under `ACS_CHAT_HOME` when it is set.
    pub fn discover() -> Option<Self> {
        if let Some(home) = std::env::var_os("ACS_CHAT_HOME").filter(|h| !h.is_empty()) {
            return Some(Self::under(PathBuf::from(home)));
        }
        let p = ProjectDirs::from("", "", "acs-chat")?;
        let state = p
            .state_dir()
            .map(PathBuf::from)
            .unwrap_or_else(|| p.data_local_dir().join("state"));
        Some(Self {
            config: p.config_dir().to_path_buf(),
            state,
            data: p.data_dir().to_path_buf(),
        })
    }

    /// All three under one root.
    pub fn under(root: PathBuf) -> Self {
        Self {
            config: root.join("config"),
            state: root.join("state"),
            data: root.join("data"),
        }
    }

    /// The local emulator's default data directory.
    pub fn emulator_data(&self) -> PathBuf {
        self.data.join("emulator")
    }

    /// The config file path.
    pub fn config_file(&self) -> PathBuf {
        self.config.join("config.toml")
    }
}
