//! The identity cache: for each endpoint and profile name, the ACS user id and its
//! latest access token, so `--as alice` is the same user every time.
//!
//! One small JSON file per profile (`<state>/identities/<endpoint>/<profile>.json`,
//! mode 0600 because it holds a token), written atomically (temp file + rename), so
//! two clients starting at once never see half a file. A lock file per endpoint
//! serialises the read-check-create sequence across processes.

use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// One cached profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CachedIdentity {
    pub user_id: String,
    pub token: String,
    /// RFC 3339.
    pub expires_on: String,
    /// For an endpoint trusted through its own CA (a local emulator): a digest of that
    /// CA when the token was cached. A new CA means a new emulator data directory,
    /// whose database has never heard of this user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_ca: Option<String>,
}

/// The cache directory of one endpoint.
#[derive(Debug, Clone)]
pub struct IdentityCache {
    dir: PathBuf,
    /// Problems worth telling the user (not only the log): files open to others.
    warnings: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

/// Errors of the cache: always name the file.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct CacheError {
    pub path: PathBuf,
    pub message: String,
}

impl CacheError {
    fn io(path: &Path, e: std::io::Error) -> Self {
        Self {
            path: path.to_owned(),
            message: e.to_string(),
        }
    }
}

impl IdentityCache {
    /// The cache for `endpoint` under `state_dir`.
    pub fn new(state_dir: &Path, endpoint: &url::Url) -> Self {
        Self {
            dir: state_dir.join("identities").join(endpoint_key(endpoint)),
            warnings: Default::default(),
        }
    }

    /// The directory (per endpoint) where per-profile state lives: identities, outbox.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, profile: &str) -> PathBuf {
        self.dir.join(format!("{profile}.json"))
    }

    /// Reads a profile; a missing or unreadable-as-JSON file is `None` (it will be
    /// re-created), an IO error other than not-found is an error.
    pub fn load(&self, profile: &str) -> Result<Option<CachedIdentity>, CacheError> {
        let path = self.path(profile);
        match fs::read(&path) {
            Ok(bytes) => {
                if let Some(warning) = too_open_warning(&path) {
                    // Close it at once: a reused token may never be written again.
                    set_private_file(&path);
                    if let Ok(mut w) = self.warnings.lock() {
                        w.push(warning);
                    }
                }
                Ok(serde_json::from_slice(&bytes).ok())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(CacheError::io(&path, e)),
        }
    }

    /// Writes a profile atomically with mode 0600.
    pub fn store(&self, profile: &str, identity: &CachedIdentity) -> Result<(), CacheError> {
        let path = self.path(profile);
        let json = serde_json::to_vec_pretty(identity).map_err(|e| CacheError {
            path: path.clone(),
            message: e.to_string(),
        })?;
        write_private(&path, &json)
    }

    /// Removes a profile (the endpoint no longer knows its user); a missing file is fine.
    pub fn forget(&self, profile: &str) -> Result<(), CacheError> {
        let path = self.path(profile);
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(CacheError::io(&path, e)),
        }
    }

    /// Holds an exclusive lock on this endpoint's cache until the guard is dropped.
    /// Blocks while another acs-chat process holds it (they hold it for seconds at most).
    pub fn lock(&self) -> Result<CacheLock, CacheError> {
        fs::create_dir_all(&self.dir).map_err(|e| CacheError::io(&self.dir, e))?;
        set_private_dir(&self.dir);
        let path = self.dir.join(".lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| CacheError::io(&path, e))?;
        file.lock().map_err(|e| CacheError::io(&path, e))?;
        Ok(CacheLock { _file: file })
    }

    /// Takes the warnings gathered so far (each is also logged).
    pub fn take_warnings(&self) -> Vec<String> {
        self.warnings
            .lock()
            .map(|mut w| std::mem::take(&mut *w))
            .unwrap_or_default()
    }

    /// Reads a small named value (e.g. the quickstart thread id) kept beside the identities.
    pub fn read_note(&self, name: &str) -> Option<String> {
        fs::read_to_string(self.dir.join(name))
            .ok()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    }

    /// Writes a small named value atomically.
    pub fn write_note(&self, name: &str, value: &str) -> Result<(), CacheError> {
        write_private(&self.dir.join(name), value.as_bytes())
    }
}

/// Releases the lock when dropped (closing the file releases it).
pub struct CacheLock {
    _file: File,
}

/// A file-name-safe key for an endpoint: `host_port`.
pub fn endpoint_key(endpoint: &url::Url) -> String {
    let host = endpoint.host_str().unwrap_or("unknown");
    let port = endpoint.port_or_known_default().unwrap_or(0);
    let key: String = format!("{host}_{port}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    key
}

/// Writes `bytes` to `path` via a temp file in the same directory, mode 0600.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), CacheError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| CacheError::io(dir, e))?;
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let result = options.open(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    if let Err(e) = result.and_then(|()| fs::rename(&tmp, path)) {
        let _ = fs::remove_file(&tmp);
        return Err(CacheError::io(path, e));
    }
    Ok(())
}

fn set_private_file(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let _ = fs::set_permissions(path, fs::Permissions::from_mode(0o600));
    }
}

fn set_private_dir(dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let _ = fs::set_permissions(dir, fs::Permissions::from_mode(0o700));
    }
}

/// Files holding tokens must not be readable by others: a warning (also logged) when
/// one is (the caller makes it mode 0600).
pub fn too_open_warning(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = fs::metadata(path).ok()?.permissions().mode();
        if mode & 0o077 != 0 {
            tracing::warn!(path = %path.display(), "file holding a token is readable by others");
            return Some(format!(
                "{} holds a token but was readable by others (mode {:o}); it is now mode 600",
                path.display(),
                mode & 0o777
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache() -> (tempfile::TempDir, IdentityCache) {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = url::Url::parse("https://127.0.0.1:47443/").expect("url");
        let c = IdentityCache::new(dir.path(), &url);
        (dir, c)
    }

    #[test]
    fn store_then_load_round_trips_with_private_mode() {
        let (_dir, c) = cache();
        assert_eq!(c.load("alice").expect("load"), None);
        let id = CachedIdentity {
            user_id: "8:acs:x_1".into(),
            token: "t".into(),
            expires_on: "2030-01-01T00:00:00Z".into(),
            endpoint_ca: None,
        };
        c.store("alice", &id).expect("store");
        assert_eq!(c.load("alice").expect("load"), Some(id));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(c.path("alice"))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn corrupt_file_is_treated_as_absent() {
        let (_dir, c) = cache();
        write_private(&c.path("bob"), b"{not json").expect("write");
        assert_eq!(c.load("bob").expect("load"), None);
    }

    #[test]
    fn endpoint_key_is_file_safe() {
        let u = url::Url::parse("https://my-res.communication.azure.com/").expect("url");
        assert_eq!(endpoint_key(&u), "my-res.communication.azure.com_443");
        let u = url::Url::parse("https://[::1]:8443/").expect("url");
        assert_eq!(endpoint_key(&u), "___1__8443");
    }

    #[test]
    fn notes_round_trip() {
        let (_dir, c) = cache();
        assert_eq!(c.read_note("quickstart"), None);
        let _lock = c.lock().expect("lock");
        c.write_note("quickstart", "19:abc@thread.v2")
            .expect("write");
        assert_eq!(
            c.read_note("quickstart").as_deref(),
            Some("19:abc@thread.v2")
        );
    }
}
