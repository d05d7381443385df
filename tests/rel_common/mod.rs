//! Reliability test helpers: the real `acs-chat serve` process (killed with SIGKILL
//! and restarted on the same port and data directory), signed Identity calls and
//! bearer Chat calls against it over plain http, and the short/full mode switch.
#![allow(dead_code)]

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use acs_chat::local;
use acs_chat::wire::http_date;
use acs_chat::wire::signing;
use base64::Engine as _;
use reqwest::Method;
use serde_json::{Value, json};

pub const CHAT: &str = "api-version=2024-03-07";
pub const IDENTITY: &str = "api-version=2023-10-01";

#[path = "../soak/mod.rs"]
mod soak;
pub use soak::full_mode;

/// Picks the short or the full figure.
pub fn scale(short: usize, full: usize) -> usize {
    if full_mode() { full } else { short }
}

pub fn install_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// One `acs-chat serve --http` process on a fixed data directory.
pub struct ServeProcess {
    child: Option<Child>,
    pub data_dir: PathBuf,
    pub port: u16,
    pub extra: Vec<String>,
    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub base: String,
    pub connection_string: String,
}

impl ServeProcess {
    /// Starts on any free port with `extra` arguments (e.g. `--faults SPEC`).
    pub fn start(data_dir: &Path, extra: &[&str]) -> Self {
        let mut p = Self {
            child: None,
            data_dir: data_dir.to_owned(),
            port: 0,
            extra: extra.iter().map(|s| (*s).to_owned()).collect(),
            base: String::new(),
            connection_string: String::new(),
        };
        p.spawn();
        p
    }

    fn spawn(&mut self) {
        // A port just released may take a moment to be bindable again, and the
        // previous process's lock is released only once the kernel reaped it.
        for attempt in 0..100 {
            let mut child = Command::new(env!("CARGO_BIN_EXE_acs-chat"))
                .args([
                    "serve",
                    "--http",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    &self.port.to_string(),
                    "--data-dir",
                ])
                .arg(&self.data_dir)
                .args(&self.extra)
                .stdout(Stdio::piped())
                .stderr(match std::env::var_os("ACS_CHAT_SERVE_LOG") {
                    // Debugging aid: append the emulator's log to this file.
                    Some(f) => std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(f)
                        .map(Stdio::from)
                        .unwrap_or_else(|_| Stdio::null()),
                    None => Stdio::null(),
                })
                .spawn()
                .expect("serve starts");
            let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
            let first = lines.next().and_then(Result::ok).unwrap_or_default();
            if let Some(conn) = first.strip_prefix("ACS_CONNECTION_STRING=") {
                let endpoint = conn
                    .strip_prefix("endpoint=")
                    .and_then(|r| r.split(';').next())
                    .expect("endpoint");
                self.base = endpoint.trim_end_matches('/').to_owned();
                self.connection_string = conn.to_owned();
                let port = self
                    .base
                    .rsplit(':')
                    .next()
                    .and_then(|p| p.parse().ok())
                    .expect("port");
                assert!(
                    self.port == 0 || self.port == port,
                    "restarted on another port"
                );
                self.port = port;
                // Keep draining stdout so the child never blocks on a full pipe.
                std::thread::spawn(move || for _ in lines {});
                self.child = Some(child);
                return;
            }
            let _ = child.wait();
            assert!(attempt < 99, "serve did not start on port {}", self.port);
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGKILL, then wait until the kernel reaped the process.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Kill -9 and start again on the same port and data directory.
    pub fn crash_and_restart(&mut self) {
        self.kill9();
        self.spawn();
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join("emulator.db")
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// An http client with a request timeout, and the signing key.
#[derive(Clone)]
pub struct Api {
    pub client: reqwest::Client,
    pub base: String,
    pub key: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub token: String,
}

pub fn ident(id: &str) -> Value {
    json!({"rawId": id, "communicationUser": {"id": id}})
}

pub fn enc(id: &str) -> String {
    percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC).to_string()
}

impl Api {
    pub fn new(base: &str) -> Self {
        install_provider();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .pool_max_idle_per_host(0)
            .build()
            .expect("client");
        let key = base64::engine::general_purpose::STANDARD
            .decode(local::DEV_ACCESS_KEY)
            .expect("key");
        Self {
            client,
            base: base.to_owned(),
            key,
        }
    }

    fn host(&self) -> String {
        self.base.split("://").nth(1).unwrap_or_default().to_owned()
    }

    pub async fn signed(
        &self,
        method: Method,
        path_and_query: &str,
        body: &[u8],
    ) -> reqwest::Result<reqwest::Response> {
        let date = http_date::format(time::OffsetDateTime::now_utc());
        let hash = signing::content_hash(body);
        let s =
            signing::string_to_sign(method.as_str(), path_and_query, &date, &self.host(), &hash);
        self.client
            .request(method, format!("{}{path_and_query}", self.base))
            .header("x-ms-date", date)
            .header("x-ms-content-sha256", hash)
            .header(
                "authorization",
                signing::authorization_header(&signing::signature(&self.key, &s)),
            )
            .header("content-type", "application/json")
            .body(body.to_vec())
            .send()
            .await
    }

    /// A chat request; the api-version is appended.
    pub async fn chat(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<&Value>,
    ) -> reqwest::Result<reqwest::Response> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut r = self
            .client
            .request(method, format!("{}{path}{sep}{CHAT}", self.base))
            .bearer_auth(token);
        if let Some(b) = body {
            r = r
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        r.send().await
    }

    /// One send of `body` to `thread`: the message id when acknowledged (201 with its
    /// body); otherwise, after a short pause, `None`. Only a server error, 429 or no
    /// answer at all are expected.
    pub async fn try_send(&self, user: &User, thread: &str, body: &Value) -> Option<String> {
        let path = format!("/chat/threads/{}/messages", enc(thread));
        match self
            .chat(Method::POST, &path, &user.token, Some(body))
            .await
        {
            // A response cut after the status line is not an acknowledgement.
            Ok(r) if r.status() == 201 => match r.json::<Value>().await {
                Ok(v) => Some(v["id"].as_str().expect("message id").to_owned()),
                Err(_) => None,
            },
            Ok(r) => {
                let st = r.status();
                assert!(
                    st.is_server_error() || st == 429,
                    "unexpected {st}: {}",
                    r.text().await.unwrap_or_default()
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
                None
            }
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
                None
            }
        }
    }

    /// A new user with a chat token, retried until the emulator answers.
    pub async fn user(&self) -> User {
        for _ in 0..200 {
            let body = json!({"createTokenWithScopes": ["chat"]}).to_string();
            if let Ok(r) = self
                .signed(
                    Method::POST,
                    &format!("/identities?{IDENTITY}"),
                    body.as_bytes(),
                )
                .await
                && r.status() == 201
                && let Ok(v) = r.json::<Value>().await
            {
                return User {
                    id: v["identity"]["id"].as_str().expect("id").to_owned(),
                    token: v["accessToken"]["token"]
                        .as_str()
                        .expect("token")
                        .to_owned(),
                };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("could not create a user");
    }

    /// Creates a thread owned by `owner` with `others` (retried through faults; the
    /// repeatability id makes the retries one thread).
    pub async fn thread(&self, owner: &User, topic: &str, others: &[&User]) -> String {
        let participants: Vec<Value> = std::iter::once(owner)
            .chain(others.iter().copied())
            .map(|u| json!({"communicationIdentifier": ident(&u.id), "displayName": "p"}))
            .collect();
        let body = json!({"topic": topic, "participants": participants}).to_string();
        let repeat = uuid::Uuid::new_v4().to_string();
        for _ in 0..200 {
            let r = self
                .client
                .post(format!("{}/chat/threads?{CHAT}", self.base))
                .bearer_auth(&owner.token)
                .header("content-type", "application/json")
                .header("repeatability-request-id", &repeat)
                .body(body.clone())
                .send()
                .await;
            if let Ok(r) = r
                && r.status() == 201
                && let Ok(v) = r.json::<Value>().await
            {
                return v["chatThread"]["id"]
                    .as_str()
                    .expect("thread id")
                    .to_owned();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("could not create a thread");
    }

    /// Every message of a thread, following nextLinks.
    pub async fn all_messages(&self, user: &User, thread: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut url = format!(
            "{}/chat/threads/{}/messages?maxPageSize=200&{CHAT}",
            self.base,
            enc(thread)
        );
        loop {
            let mut tries = 0;
            let v: Value = loop {
                tries += 1;
                assert!(tries < 200, "listing messages keeps failing");
                if let Ok(r) = self.client.get(&url).bearer_auth(&user.token).send().await
                    && r.status() == 200
                    && let Ok(v) = r.json::<Value>().await
                {
                    break v;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            };
            out.extend(v["value"].as_array().cloned().unwrap_or_default());
            match v["nextLink"].as_str() {
                Some(next) => url = next.to_owned(),
                None => return out,
            }
        }
    }
}

/// Kills `serve` with SIGKILL and restarts it `kills` times at random points of a
/// load that acknowledges `total` requests (by the `acked` count, not by the clock),
/// waits for the load's `tasks`, checks every kill came before the load finished, and
/// kills and restarts once more: what was acknowledged last must survive too. The
/// number of kills during the load.
pub async fn kill_during_load(
    serve: &mut ServeProcess,
    rng: &mut Rng,
    total: usize,
    kills: usize,
    acked: &AtomicUsize,
    tasks: Vec<tokio::task::JoinHandle<()>>,
) -> usize {
    let mut marks: Vec<usize> = (0..kills)
        .map(|k| (total * (k + 1)) / (kills + 2) + rng.below(total / (kills + 2) / 2))
        .collect();
    marks.sort_unstable();
    let mut kills_done = 0;
    for mark in marks {
        while acked.load(Ordering::SeqCst) < mark && !tasks.iter().all(|t| t.is_finished()) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        if tasks.iter().all(|t| t.is_finished()) {
            break;
        }
        tokio::task::block_in_place(|| serve.crash_and_restart());
        kills_done += 1;
    }
    for t in tasks {
        t.await.expect("load task");
    }
    assert_eq!(kills_done, kills, "the load finished before every kill");
    tokio::task::block_in_place(|| serve.crash_and_restart());
    kills_done
}

/// A small deterministic generator (splitmix64), so a failing run is replayed
/// with the seed it prints (`ACS_CHAT_SEED`).
pub struct Rng(u64);

impl Rng {
    pub fn from_env(default: u64) -> (Self, u64) {
        let seed = std::env::var("ACS_CHAT_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default);
        (Self(seed), seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform-ish in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
}
