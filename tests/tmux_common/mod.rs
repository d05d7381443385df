//! Shared by the tmux end-to-end tests: an emulator process and a private tmux server.

#![allow(dead_code)]

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Emulator {
    pub port: u16,
    pub child: Child,
    pub connection_string: String,
    pub cert: PathBuf,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `acs-chat serve` on `port` (0 = any) with `data` as its data dir.
pub fn start_emulator(bin: &Path, data: &Path, port: u16) -> Emulator {
    let mut child = Command::new(bin)
        .args(["serve", "--port", &port.to_string(), "--data-dir"])
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
    let connection_string = connection_string.unwrap_or_default();
    let port = connection_string
        .split("127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|p| p.parse().ok())
        .expect("port in the connection string");
    Emulator {
        port,
        child,
        connection_string,
        cert: cert.unwrap_or_default(),
    }
}

pub struct Tmux {
    pub socket: String,
}

impl Tmux {
    pub fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("run tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn capture(&self, pane: &str) -> String {
        self.run(&["capture-pane", "-p", "-t", pane])
    }

    /// Polls the pane until `needle` shows, up to `timeout`; panics with the screen.
    pub fn wait_for(&self, pane: &str, needle: &str, timeout: Duration) {
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

/// The tmux-is-required check: without tmux the tests fail unless ACS_CHAT_SKIP_TMUX says
/// to skip them on purpose. True when they should run.
pub fn tmux_available() -> bool {
    if Command::new("tmux").arg("-V").output().is_ok() {
        return true;
    }
    assert!(
        std::env::var_os("ACS_CHAT_SKIP_TMUX").is_some(),
        "tmux is not installed (set ACS_CHAT_SKIP_TMUX=1 to skip)"
    );
    false
}

/// The shell command running one client as `profile`.
pub fn client_command(bin: &Path, home: &Path, emulator: &Emulator, profile: &str) -> String {
    format!(
        "env ACS_CHAT_HOME='{}' TERM=xterm-256color '{}' --connection-string '{}' --ca-cert '{}' --as {profile}",
        home.display(),
        bin.display(),
        emulator.connection_string,
        emulator.cert.display()
    )
}

/// Types a line into a pane and presses Enter.
pub fn type_line(tmux: &Tmux, pane: &str, text: &str) {
    tmux.run(&["send-keys", "-t", pane, "-l", text]);
    tmux.run(&["send-keys", "-t", pane, "Enter"]);
}
