//! Test harness for the scripting subcommands: an emulator started as a child process
//! (`acs-chat serve --port 0`) in a temp dir, and `acs-chat` commands pointed at it
//! with `ACS_CHAT_HOME` in the same temp dir, so nothing touches real directories and
//! tests run in parallel.

#![allow(dead_code)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use base64::Engine as _;

/// The contents of the text messages of a `message list` JSON array, in its order
/// (system messages left out).
pub fn texts(list: &serde_json::Value) -> Vec<String> {
    list.as_array()
        .expect("a JSON array of messages")
        .iter()
        .filter(|m| m["type"] == "text")
        .filter_map(|m| m["content"]["message"].as_str().map(str::to_owned))
        .collect()
}

/// The binary under test.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_acs-chat"))
}

/// Environment variables that would redirect a command away from the test's setup.
const CLEARED_ENV: [&str; 8] = [
    "ACS_CONNECTION_STRING",
    "COMMUNICATION_SERVICES_CONNECTION_STRING",
    "ACS_ENDPOINT",
    "ACS_TOKEN",
    "ACS_CA_CERT",
    "ACS_CHAT_CONFIG",
    "ACS_CHAT_HTTP_LOG",
    "ACS_CHAT_HOME",
];

/// A running emulator and a home directory for the client.
pub struct Emulator {
    child: Child,
    pub dir: tempfile::TempDir,
    pub connection_string: String,
    pub ca_cert: PathBuf,
}

impl Emulator {
    /// Starts `acs-chat serve --port 0 --data-dir TMP/data` (plus `extra` flags, which
    /// may name another port) and reads the connection string and certificate path it
    /// prints.
    pub fn start_with(extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let (child, connection_string, ca_cert) = serve(dir.path(), extra);
        Self {
            child,
            dir,
            connection_string,
            ca_cert,
        }
    }

    /// Kills the emulator with SIGKILL (no shutdown of any kind), then starts it again
    /// on the same port and data directory.
    pub fn kill_and_restart(&mut self) {
        self.child.kill().expect("kill -9");
        let _ = self.child.wait();
        let port = self
            .connection_string
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split(['/', ';']).next())
            .and_then(|host| host.rsplit(':').next())
            .expect("a port in the connection string")
            .to_owned();
        let (child, connection_string, _) = serve(self.dir.path(), &["--port", &port]);
        self.child = child;
        assert_eq!(
            connection_string, self.connection_string,
            "the same emulator again"
        );
    }

    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// The client's home (config, state) for this test.
    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// `acs-chat --connection-string .. --ca-cert .. [--as profile]`, clean environment.
    pub fn cmd(&self, profile: &str) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::new(bin());
        for var in CLEARED_ENV {
            cmd.env_remove(var);
        }
        cmd.env("ACS_CHAT_HOME", self.home())
            .arg("--connection-string")
            .arg(&self.connection_string)
            .arg("--ca-cert")
            .arg(&self.ca_cert)
            .arg("--as")
            .arg(profile);
        cmd
    }

    /// The same as [`Emulator::cmd`] as a std command, for long-running children.
    pub fn std_cmd(&self, profile: &str) -> Command {
        let mut cmd = Command::new(bin());
        for var in CLEARED_ENV {
            cmd.env_remove(var);
        }
        cmd.env("ACS_CHAT_HOME", self.home())
            .arg("--connection-string")
            .arg(&self.connection_string)
            .arg("--ca-cert")
            .arg(&self.ca_cert)
            .arg("--as")
            .arg(profile);
        cmd
    }

    /// Runs a command that must succeed with `--output json` and parses its stdout.
    pub fn json(&self, profile: &str, args: &[&str]) -> serde_json::Value {
        let out = self
            .cmd(profile)
            .args(["--output", "json"])
            .args(args)
            .output()
            .expect("run acs-chat");
        assert!(
            out.status.success(),
            "acs-chat {args:?} failed ({:?}): {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout of {args:?} is not JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }

    /// The display names of a thread's participants, as `profile` lists them.
    pub fn participant_names(&self, profile: &str, thread: &str) -> Vec<String> {
        let list = self.json(profile, &["participant", "list", "--thread", thread]);
        list.as_array()
            .expect("a JSON array of participants")
            .iter()
            .filter_map(|p| p["displayName"].as_str().map(str::to_owned))
            .collect()
    }

    /// Creates a thread as `profile` with `others` and returns its id.
    pub fn thread(&self, profile: &str, topic: &str, others: &[&str]) -> String {
        let mut args = vec!["thread", "create", "--topic", topic];
        for o in others {
            args.extend(["--user", o]);
        }
        let v = self.json(profile, &args);
        v["chatThread"]["id"]
            .as_str()
            .expect("thread id")
            .to_owned()
    }
}

/// Starts `acs-chat serve --port 0 --data-dir DIR/data` (plus `extra` flags, which may
/// name another port); returns it with the connection string and certificate path it
/// prints.
fn serve(dir: &Path, extra: &[&str]) -> (Child, String, PathBuf) {
    let mut cmd = Command::new(bin());
    cmd.arg("serve");
    if !extra.contains(&"--port") {
        cmd.args(["--port", "0"]);
    }
    cmd.arg("--data-dir").arg(dir.join("data")).args(extra);
    for var in CLEARED_ENV {
        cmd.env_remove(var);
    }
    let mut child = cmd
        .env("ACS_CHAT_HOME", dir.join("serve-home"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start acs-chat serve");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let (mut cs, mut ca) = (None, None);
    while cs.is_none() || ca.is_none() {
        let line = match lines.next() {
            Some(Ok(line)) => line,
            _ => {
                let _ = child.kill();
                panic!("acs-chat serve exited before printing its connection string");
            }
        };
        if let Some(v) = line.strip_prefix("ACS_CONNECTION_STRING=") {
            cs = Some(v.to_owned());
        } else if let Some(v) = line.strip_prefix("ACS_CA_CERT=") {
            ca = Some(PathBuf::from(v));
        }
    }
    // Keep draining stdout so the emulator never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, cs.unwrap_or_default(), ca.unwrap_or_default())
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A token-shaped string (`header.payload.signature`) with a far expiry, accepted by
/// the client as a bearer token but by no real service.
pub fn fake_token() -> String {
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!(
        "{}.{}.{}",
        b64(r#"{"alg":"HS256","typ":"JWT"}"#),
        b64(r#"{"skypeid":"acs:x_y","exp":4102444800}"#),
        b64("sig")
    )
}

/// One request as a [`scripted_server`] saw it.
#[derive(Debug, Clone)]
pub struct SeenRequest {
    pub method: String,
    pub path: String,
    pub body: String,
}

/// A plain-http server on 127.0.0.1 that answers each request with what `handler`
/// returns (status, JSON body); `Retry-After: 0` on every answer. Returns its endpoint.
pub fn scripted_server<F>(handler: F) -> String
where
    F: Fn(&SeenRequest) -> (u16, String) + Send + Sync + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let handler = std::sync::Arc::new(handler);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let handler = handler.clone();
            std::thread::spawn(move || {
                let Some(request) = read_request(&mut stream) else {
                    return;
                };
                let (status, body) = handler(&request);
                let response = format!(
                    "HTTP/1.1 {status} Scripted\r\ncontent-type: application/json\r\nretry-after: 0\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes());
            });
        }
    });
    format!("http://{addr}/")
}

fn read_request(stream: &mut std::net::TcpStream) -> Option<SeenRequest> {
    let mut buf = [0u8; 8192];
    let mut seen = Vec::new();
    let header_end = loop {
        if let Some(i) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return None,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    };
    let head = String::from_utf8_lossy(&seen[..header_end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap_or(0))
        })
        .unwrap_or(0);
    while seen.len() < header_end + length {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return None,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
    let mut first = head.lines().next().unwrap_or_default().split(' ');
    Some(SeenRequest {
        method: first.next().unwrap_or_default().to_owned(),
        path: first.next().unwrap_or_default().to_owned(),
        body: String::from_utf8_lossy(&seen[header_end..header_end + length]).into_owned(),
    })
}

/// A [`scripted_server`] answering every request with `status` and an ACS-shaped
/// error body, for error classes the emulator does not produce on demand.
pub fn canned_server(status: u16, code: &str) -> String {
    let body = format!(
        r#"{{"CommunicationError":{{"Code":"{code}","Message":"canned {status}","Details":[]}}}}"#
    );
    scripted_server(move |_| (status, body.clone()))
}

/// A loopback port with nothing listening (bound, then released).
pub fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// The text of a file, or "" when missing.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// A finished command: exit code and output as text.
pub struct Ran {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    /// Asserts success and returns stdout.
    pub fn ok(self) -> String {
        assert_eq!(
            self.code,
            Some(0),
            "expected success; stderr: {}\nstdout: {}",
            self.stderr,
            self.stdout
        );
        self.stdout
    }

    /// Asserts the exit code and returns stderr.
    pub fn fails_with(self, code: i32) -> String {
        assert_eq!(
            self.code,
            Some(code),
            "expected exit {code}; stderr: {}\nstdout: {}",
            self.stderr,
            self.stdout
        );
        self.stderr
    }
}

/// Runs a command to completion.
pub fn run(cmd: &mut assert_cmd::Command) -> Ran {
    let out = cmd.output().expect("run acs-chat");
    Ran {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
