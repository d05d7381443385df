//! Start-up: the time from launching `acs-chat --as alice` in a terminal to its first
//! frame, and to a connected client showing the Quickstart thread, with the local
//! emulator already running (warm) and with the client starting it itself
//! (auto-start); and `acs-chat serve` from launch to ready (its connection lines on
//! stdout, printed once it listens).
//!
//! Method: the client runs in a detached tmux pane (200x50) on a private tmux server;
//! the harness polls `tmux capture-pane` in a tight loop and timestamps the first
//! capture that shows the marker (`F1 help`, on every frame, for the first frame;
//! the `Quickstart` topic for ready). The same loop timing a pane that prints the
//! marker from a shell gives the harness's own delay (tmux spawn + polling), which
//! is reported and subtracted. The auto-start runs use the documented local port,
//! so they need it free; each uses a fresh `ACS_CHAT_HOME`.
//!
//! Run: `cargo bench --bench startup` (add `-- --short` for the quick CI mode).

mod support;

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use acs_chat::local;
use acs_chat::paths::Dirs;
use acs_chat::wire::http_date;
use acs_chat::wire::signing;
use base64::Engine as _;
use support::{Report, ms, short_mode};

const BIN: &str = env!("CARGO_BIN_EXE_acs-chat");
const FRAME_MARKER: &str = "F1 help";
const READY_MARKER: &str = "Quickstart";

struct Tmux {
    socket: String,
    sessions: std::cell::Cell<u32>,
}

impl Tmux {
    /// A private tmux server, kept alive between measurements by an idle session (a
    /// server that exits with its last session can race the next `new-session`).
    fn start() -> Self {
        let tmux = Self {
            socket: format!("acs-chat-bench-{}", std::process::id()),
            sessions: std::cell::Cell::new(0),
        };
        tmux.run(&["new-session", "-d", "-s", "keep", "sleep 3600"]);
        tmux
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("run tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Starts `command` in a new 200x50 session and returns the times (from just
    /// before the launch) at which each marker first showed.
    fn time_markers(&self, command: &str, markers: &[&str], timeout: Duration) -> Vec<Duration> {
        self.sessions.set(self.sessions.get() + 1);
        let name = format!("bench{}", self.sessions.get());
        let started = Instant::now();
        self.run(&[
            "new-session",
            "-d",
            "-s",
            &name,
            "-x",
            "200",
            "-y",
            "50",
            command,
        ]);
        let mut seen: Vec<Option<Duration>> = vec![None; markers.len()];
        while seen.iter().any(Option::is_none) {
            let screen = self.run(&["capture-pane", "-p", "-t", &name]);
            let at = started.elapsed();
            for (i, m) in markers.iter().enumerate() {
                if seen[i].is_none() && screen.contains(m) {
                    seen[i] = Some(at);
                }
            }
            assert!(
                at < timeout,
                "{markers:?} did not all appear within {timeout:?}; the screen:\n{screen}"
            );
        }
        self.run(&["kill-session", "-t", &name]);
        seen.into_iter().map(|s| s.unwrap_or_default()).collect()
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

fn client_command(home: &Path, extra: &str) -> String {
    format!(
        "env ACS_CHAT_HOME='{}' TERM=xterm-256color '{BIN}' {extra} --as alice",
        home.display()
    )
}

/// Launches `acs-chat serve` and returns the time until its connection lines are out.
fn serve_to_ready(args: &[&str]) -> Duration {
    let started = Instant::now();
    let mut child = Command::new(BIN)
        .arg("serve")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the emulator");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut ready = None;
    while let Some(Ok(line)) = lines.next() {
        if line.starts_with("ACS_CONNECTION_STRING=") {
            ready = Some(started.elapsed());
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    ready.expect("the emulator printed its connection string")
}

/// Stops the background emulator of `home` (HMAC-signed `POST /emulator/shutdown`)
/// and waits until its port is free.
fn stop_local_emulator(home: &Path) {
    let cert = Dirs::under(home.to_owned())
        .emulator_data()
        .join("cert.pem");
    let Ok(pem) = std::fs::read(&cert) else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(&pem).expect("certificate")])
            .build()
            .expect("client");
        let key = base64::engine::general_purpose::STANDARD
            .decode(local::DEV_ACCESS_KEY)
            .expect("key");
        let path = "/emulator/shutdown";
        let host = format!("{}:{}", local::DEFAULT_HOST, local::DEFAULT_PORT);
        let date = http_date::format(time::OffsetDateTime::now_utc());
        let hash = signing::content_hash(b"");
        let auth = signing::authorization_header(&signing::signature(
            &key,
            &signing::string_to_sign("POST", path, &date, &host, &hash),
        ));
        let response = client
            .post(format!("https://{host}{path}"))
            .header("x-ms-date", date)
            .header("x-ms-content-sha256", hash)
            .header("authorization", auth)
            .header("content-length", "0")
            .send()
            .await;
        assert!(
            response.is_ok_and(|r| r.status().is_success()),
            "the local emulator did not accept the shutdown"
        );
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    while port_in_use() {
        assert!(Instant::now() < deadline, "the local emulator did not stop");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn port_in_use() -> bool {
    std::net::TcpStream::connect((local::DEFAULT_HOST, local::DEFAULT_PORT)).is_ok()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    support::percentile(&v, 0.5)
}

fn main() {
    let short = short_mode();
    let runs = if short { 2 } else { 7 };
    if Command::new("tmux").arg("-V").output().is_err() {
        println!("startup: tmux is not installed; nothing measured");
        return;
    }
    let tmux = Tmux::start();
    let timeout = Duration::from_secs(30);
    let mut report = Report::default();

    // The harness's own delay: a shell printing the marker at once.
    let mut harness = Vec::new();
    for _ in 0..runs {
        let t = tmux.time_markers(
            &format!("sh -c 'printf \"{FRAME_MARKER}\"; exec sleep 60'"),
            &[FRAME_MARKER],
            timeout,
        );
        harness.push(ms(t[0]));
    }
    let harness = median(harness);
    report.add("startup.harness_delay", harness, "ms");

    // Emulator cold start to ready.
    let scratch = tempfile::tempdir().expect("temp dir");
    let mut disk = Vec::new();
    let mut memory = Vec::new();
    for i in 0..runs {
        let dir = scratch.path().join(format!("serve-{i}"));
        disk.push(ms(serve_to_ready(&[
            "--port",
            "0",
            "--data-dir",
            &dir.display().to_string(),
        ])));
        memory.push(ms(serve_to_ready(&["--port", "0", "--in-memory"])));
    }
    report.add("startup.serve_new_data_dir_to_ready", median(disk), "ms");
    report.add("startup.serve_in_memory_to_ready", median(memory), "ms");

    // The client on the local default: auto-start (fresh home, nothing on the port),
    // then warm (the emulator it started is still running).
    if port_in_use() {
        println!(
            "startup: port {} is in use; stop that emulator first (auto-start not measured)",
            local::DEFAULT_PORT
        );
    } else {
        let (mut auto_frame, mut auto_ready, mut warm_frame, mut warm_ready) =
            (vec![], vec![], vec![], vec![]);
        for i in 0..runs {
            let home: PathBuf = scratch.path().join(format!("home-{i}"));
            let t = tmux.time_markers(
                &client_command(&home, ""),
                &[FRAME_MARKER, READY_MARKER],
                timeout,
            );
            auto_frame.push(ms(t[0]) - harness);
            auto_ready.push(ms(t[1]) - harness);
            let t = tmux.time_markers(
                &client_command(&home, ""),
                &[FRAME_MARKER, READY_MARKER],
                timeout,
            );
            warm_frame.push(ms(t[0]) - harness);
            warm_ready.push(ms(t[1]) - harness);
            stop_local_emulator(&home);
        }
        report.add("startup.warm.first_frame", median(warm_frame), "ms");
        report.add("startup.warm.quickstart_shown", median(warm_ready), "ms");
        report.add("startup.autostart.first_frame", median(auto_frame), "ms");
        report.add(
            "startup.autostart.quickstart_shown",
            median(auto_ready),
            "ms",
        );
    }
    report.print_table(if short {
        "Start-up (short mode: figures not meaningful)"
    } else {
        "Start-up (medians, harness delay subtracted)"
    });
}
