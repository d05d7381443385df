//! `acs-chat serve --stop`, the documented way to stop a background emulator.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn serve_stop_stops_a_running_emulator_and_says_when_none_runs() {
    let bin = env!("CARGO_BIN_EXE_acs-chat");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(bin)
        .args(["serve", "--port", "0", "--data-dir"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the emulator");
    let stdout = child.stdout.take().expect("piped");
    let first = BufReader::new(stdout)
        .lines()
        .next()
        .expect("a line")
        .expect("utf-8");
    let port = first
        .split("127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("port in the connection string")
        .to_owned();

    let out = Command::new(bin)
        .args(["serve", "--stop", "--port", &port, "--data-dir"])
        .arg(dir.path())
        .output()
        .expect("run serve --stop");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("stopped the emulator"));

    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the emulator did not exit after --stop"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success());

    let again = Command::new(bin)
        .args(["serve", "--stop", "--port", &port, "--data-dir"])
        .arg(dir.path())
        .output()
        .expect("run serve --stop again");
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("no emulator listens"));
}
