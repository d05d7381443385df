//! Which outbox file a client owns. Two clients on one profile must never share a file:
//! each rewrites it whole, and a second one would send the first one's messages again.
//!
//! So each outbox file has a lock file beside it, held with an OS file lock for as long
//! as the sender runs. The first client of a profile takes `<profile>.outbox.json`; a
//! second one, finding it locked, takes `<profile>.outbox-1.json`, and so on. The lock
//! dies with its process (a pid file would outlive a killed client), so a file whose
//! lock is free belongs to no running client: the next client to start adopts its
//! messages and removes it, so nothing left by a crash waits for a second instance.

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};

/// Outbox files per profile: the clients that may run on one profile at once.
const SLOTS: usize = 16;

/// An outbox file this process holds the lock of (released on drop).
#[derive(Debug)]
pub struct Claim {
    /// The outbox file.
    pub path: PathBuf,
    /// 0 for the profile's main outbox; more when another client holds it.
    pub slot: usize,
    _lock: File,
}

/// The outbox files of one profile, named after the main one (`<dir>/<profile>.outbox.json`).
pub struct Slots {
    dir: PathBuf,
    stem: String,
}

impl Slots {
    pub fn new(main: &Path) -> Self {
        let dir = main.parent().unwrap_or(Path::new(".")).to_path_buf();
        let name = main
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = name.strip_suffix(".json").unwrap_or(&name).to_owned();
        Self { dir, stem }
    }

    fn name(&self, slot: usize, ext: &str) -> PathBuf {
        match slot {
            0 => self.dir.join(format!("{}.{ext}", self.stem)),
            n => self.dir.join(format!("{}-{n}.{ext}", self.stem)),
        }
    }

    /// Locks `slot`; `None` when another process holds it.
    fn try_claim(&self, slot: usize) -> io::Result<Option<Claim>> {
        let mut options = OpenOptions::new();
        options.write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let lock = options.open(self.name(slot, "lock"))?;
        match lock.try_lock() {
            Ok(()) => Ok(Some(Claim {
                path: self.name(slot, "json"),
                slot,
                _lock: lock,
            })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(e),
        }
    }

    /// The first free outbox file, locked.
    pub fn claim(&self) -> io::Result<Claim> {
        std::fs::create_dir_all(&self.dir)?;
        for slot in 0..SLOTS {
            if let Some(claim) = self.try_claim(slot)? {
                return Ok(claim);
            }
        }
        Err(io::Error::other(format!(
            "{SLOTS} clients already use this profile's outbox"
        )))
    }

    /// Outbox files of no running client (their lock was free), locked so that no other
    /// client adopts them at the same time. `own` is skipped.
    pub fn orphans(&self, own: &Claim) -> Vec<Claim> {
        (0..SLOTS)
            .filter(|slot| *slot != own.slot)
            .filter(|slot| self.name(*slot, "json").exists())
            .filter_map(|slot| self.try_claim(slot).ok().flatten())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_gets_its_own_file_and_the_first_comes_back_free() {
        let dir = tempfile::tempdir().expect("temp dir");
        let slots = Slots::new(&dir.path().join("alice.outbox.json"));
        let first = slots.claim().expect("claim");
        assert_eq!(first.path, dir.path().join("alice.outbox.json"));
        let second = slots.claim().expect("claim");
        assert_eq!(second.path, dir.path().join("alice.outbox-1.json"));
        drop(first);
        let third = slots.claim().expect("claim");
        assert_eq!(third.slot, 0, "the lock went with its holder");
        assert!(
            slots.orphans(&third).is_empty(),
            "no file, nothing to adopt"
        );
    }

    #[test]
    fn only_files_whose_lock_is_free_are_orphans() {
        let dir = tempfile::tempdir().expect("temp dir");
        let slots = Slots::new(&dir.path().join("bob.outbox.json"));
        let main = slots.claim().expect("claim");
        let live = slots.claim().expect("claim");
        let dead = slots.claim().expect("claim");
        for c in [&live, &dead] {
            std::fs::write(&c.path, "[]").expect("write");
        }
        let dead_slot = dead.slot;
        drop(dead);
        let orphans = slots.orphans(&main);
        let found: Vec<usize> = orphans.iter().map(|c| c.slot).collect();
        assert_eq!(found, vec![dead_slot], "the live one is not taken");
        // While one client adopts it, nobody else can.
        assert!(slots.orphans(&live).iter().all(|c| c.slot != dead_slot));
    }
}
