//! End to end, as a person would: a fresh emulator, two real `acs-chat` processes in
//! tmux as Alice and Bob, a message typed in one pane appearing in the other, and back.
//!
//! Needs tmux (`.ci/run` installs it). Without tmux the test fails, unless
//! `ACS_CHAT_SKIP_TMUX=1` says to skip it on purpose.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Emulator {
    child: Child,
    connection_string: String,
    cert: PathBuf,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_emulator(bin: &Path, data: &Path) -> Emulator {
    let mut child = Command::new(bin)
        .args(["serve", "--port", "0", "--data-dir"])
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the emulator");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut connection_string = None;
    let mut cert = None;
    while connection_string.is_none() || cert.is_none() {
        let line = lines
            .next()
            .expect("emulator printed its connection lines")
            .expect("utf-8 line");
        if let Some(cs) = line.strip_prefix("ACS_CONNECTION_STRING=") {
            connection_string = Some(cs.to_owned());
        } else if let Some(c) = line.strip_prefix("ACS_CA_CERT=") {
            cert = Some(PathBuf::from(c));
        }
    }
    // Keep draining stdout so the emulator never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Emulator {
        child,
        connection_string: connection_string.unwrap_or_default(),
        cert: cert.unwrap_or_default(),
    }
}

struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("run tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn capture(&self, pane: &str) -> String {
        self.run(&["capture-pane", "-p", "-t", pane])
    }

    /// Polls the pane until `needle` shows, up to `timeout`; panics with the screen.
    fn wait_for(&self, pane: &str, needle: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.capture(pane);
            if screen.contains(needle) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{needle:?} did not appear in pane {pane}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}

#[test]
fn alice_and_bob_chat_in_two_terminals() {
    if Command::new("tmux").arg("-V").output().is_err() {
        assert!(
            std::env::var_os("ACS_CHAT_SKIP_TMUX").is_some(),
            "tmux is not installed (set ACS_CHAT_SKIP_TMUX=1 to skip)"
        );
        return;
    }
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_acs-chat"));
    let dir = tempfile::tempdir().expect("tempdir");
    let emulator = start_emulator(&bin, &dir.path().join("emulator"));
    let home = dir.path().join("home");
    let client = |profile: &str| {
        format!(
            "env ACS_CHAT_HOME='{}' TERM=xterm-256color '{}' --connection-string '{}' --ca-cert '{}' --as {profile}",
            home.display(),
            bin.display(),
            emulator.connection_string,
            emulator.cert.display()
        )
    };
    let tmux = Tmux {
        socket: format!("acs-chat-e2e-{}", std::process::id()),
    };
    tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "chat",
        "-x",
        "100",
        "-y",
        "30",
        &client("alice"),
    ]);
    tmux.run(&["split-window", "-h", "-t", "chat", &client("bob")]);
    let (alice, bob) = ("chat:0.0", "chat:0.1");
    tmux.wait_for(alice, "Quickstart", Duration::from_secs(30));
    tmux.wait_for(bob, "Quickstart", Duration::from_secs(30));

    tmux.run(&["send-keys", "-t", alice, "-l", "hello bob, from alice"]);
    tmux.run(&["send-keys", "-t", alice, "Enter"]);
    tmux.wait_for(bob, "hello bob, from alice", Duration::from_secs(15));

    tmux.run(&["send-keys", "-t", bob, "-l", "hi alice, bob here"]);
    tmux.run(&["send-keys", "-t", bob, "Enter"]);
    tmux.wait_for(alice, "hi alice, bob here", Duration::from_secs(15));
    // Each side shows the other's message exactly once.
    assert_eq!(tmux.capture(alice).matches("hi alice, bob here").count(), 1);
    assert_eq!(
        tmux.capture(bob).matches("hello bob, from alice").count(),
        1
    );
}
