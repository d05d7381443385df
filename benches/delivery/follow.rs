//! The `message list --follow` mode of the delivery benchmark: the built binary as a
//! child process, following a thread as Bob (`--output json`, one line per message),
//! against the same in-process emulator. Alice sends through the client library; the
//! figure runs from her send being acknowledged to Bob's line for that message being
//! read from the child's stdout (a pipe, line by line), with push on and with
//! `[push] enabled = false` at the default `--interval` for comparison.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant};

use acs_chat::wire::SendChatMessageRequest;
use rand::RngExt as _;

use super::support::{Local, Report, User, ms};

const BIN: &str = env!("CARGO_BIN_EXE_acs-chat");

/// A running follower and its stdout lines, each with the instant it was read.
struct Follower {
    child: Child,
    lines: std_mpsc::Receiver<(Instant, String)>,
}

impl Drop for Follower {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Follower {
    /// `acs-chat message list --follow` as `bob`, push on or off, its home in `dir`.
    fn start(
        local: &Local,
        bob: &User,
        thread_id: &str,
        push: bool,
        dir: &std::path::Path,
    ) -> Self {
        let ca = dir.join("emulator-ca.pem");
        std::fs::write(&ca, &local.ca_pem).expect("CA certificate written");
        let config = dir.join("config.toml");
        std::fs::write(&config, format!("[push]\nenabled = {push}\n")).expect("config written");
        // Nothing from this environment may point the child elsewhere (ACS_*, a config).
        let mut child = Command::new(BIN)
            .env_clear()
            .env("ACS_CHAT_HOME", dir)
            .arg("--endpoint")
            .arg(local.connection.endpoint.as_str())
            .arg("--token")
            .arg(&bob.token)
            .arg("--ca-cert")
            .arg(&ca)
            .arg("--config")
            .arg(&config)
            .args(["--output", "json", "message", "list", "--thread", thread_id])
            .arg("--follow")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the follower starts");
        let stdout = child.stdout.take().expect("its stdout");
        let (tx, lines) = std_mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send((Instant::now(), line)).is_err() {
                    return;
                }
            }
        });
        Self { child, lines }
    }

    /// The instant of the line whose message text is `text` (earlier lines skipped).
    fn wait_for(&self, text: &str, within: Duration) -> Option<Instant> {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            let (at, line) = self.lines.recv_timeout(left).ok()?;
            let v: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
            if v["content"]["message"] == text {
                return Some(at);
            }
        }
    }
}

/// `count` messages from Alice at human pace (gaps of 100-400 ms), each timed from
/// her send acknowledged to Bob's line; push on or off.
async fn phase(local: &Local, count: usize, push: bool) -> Vec<f64> {
    let alice = local.user().await;
    let bob = local.user().await;
    let label = if push {
        "follow push"
    } else {
        "follow polling"
    };
    let thread_id = local.thread(&alice, &[&bob], label).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let follower = Follower::start(local, &bob, &thread_id, push, dir.path());
    let client = alice.chat.thread(&thread_id);
    // Following has begun once a first message shows (and, with push, push has had
    // the same time to go live as a person starting it would give it).
    let send = |text: String| {
        let request = SendChatMessageRequest {
            content: text,
            ..SendChatMessageRequest::default()
        };
        let client = client.clone();
        async move { client.send_message(&request).await.expect("sent") }
    };
    send(format!("{label}: warm-up")).await;
    let started = tokio::task::block_in_place(|| {
        follower.wait_for(&format!("{label}: warm-up"), Duration::from_secs(20))
    });
    started.expect("the follower printed the warm-up message within 20 s");
    tokio::time::sleep(Duration::from_secs(1)).await;

    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let text = format!("{label}: {i}");
        send(text.clone()).await;
        let acked = Instant::now();
        let seen =
            tokio::task::block_in_place(|| follower.wait_for(&text, Duration::from_secs(20)));
        let seen = seen.unwrap_or_else(|| panic!("{label}: message {i} not printed within 20 s"));
        // A line read before Alice's answer arrived counts as 0.
        out.push(ms(seen.saturating_duration_since(acked)));
        let gap = rand::rng().random_range(100..=400);
        tokio::time::sleep(Duration::from_millis(gap)).await;
    }
    out
}

pub async fn run(local: &Local, report: &mut Report, short: bool) {
    let count = if short { 10 } else { 200 };
    for (push, prefix) in [(true, "follow.push"), (false, "follow.polling")] {
        let mut latencies = phase(local, count, push).await;
        report.add(
            format!("{prefix}.messages"),
            latencies.len() as f64,
            "count",
        );
        report.latencies(prefix, &mut latencies);
    }
}
