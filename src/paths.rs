//! Where acs-chat keeps its files, per platform (via `directories`): config
//! (`config.toml`), state (cached identities and tokens, outbox, logs) and data (the
//! local emulator's database, certificate and log).
//!
//! `ACS_CHAT_HOME` overrides all three with one directory (config/, state/, data/
//! under it); tests and demos use it to stay out of the user's real directories.

use std::path::{Path, PathBuf};

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

/// Creates `dir` (and missing parents) and makes it private to its user (0700 on
/// Unix), whoever created it first: the emulator's data dir holds the token-signing
/// secret, and the client may create it before the emulator does.
pub fn ensure_private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        // The mode above yields to the umask and leaves an existing dir alone.
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)
}

/// Makes an existing file readable and writable by its user only (0600 on Unix); a
/// missing file is left missing.
pub fn make_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        match std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).expect("exists").permissions().mode() & 0o777
    }

    #[test]
    fn an_existing_open_dir_and_file_are_made_private() {
        let root = tempfile::tempdir().expect("tempdir");
        let dir = root.path().join("data");
        std::fs::create_dir(&dir).expect("mkdir");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let file = dir.join("emulator.db");
        std::fs::write(&file, b"x").expect("write");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        ensure_private_dir(&dir).expect("private dir");
        make_private(&file).expect("private file");
        make_private(&dir.join("missing")).expect("a missing file is fine");
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&file), 0o600);
        let fresh = root.path().join("a/b");
        ensure_private_dir(&fresh).expect("created");
        assert_eq!(mode(&fresh), 0o700);
    }
}
