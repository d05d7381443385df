//! `acs-chat serve --in-memory --http` in its own process (so its memory and CPU are
//! its own), and plain HTTP calls to it.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use acs_chat::acs::{ConnectionString, HttpConfig, IdentityClient, TokenScope, Transport};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_acs-chat");
pub const CHAT: &str = "api-version=2024-03-07";

pub struct Server {
    child: Child,
    pub base: String,
    pub connection: ConnectionString,
    pub http: reqwest::Client,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts on a free port, with `extra` arguments.
    pub fn start(extra: &[String]) -> Self {
        let mut child = Command::new(BIN)
            .args(["serve", "--in-memory", "--http", "--port", "0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("acs-chat serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let line = BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .find_map(|l| l.strip_prefix("ACS_CONNECTION_STRING=").map(str::to_owned))
            .expect("the connection string");
        let connection = ConnectionString::parse(&line).expect("parses");
        let base = connection
            .endpoint
            .as_str()
            .trim_end_matches('/')
            .to_owned();
        Self {
            child,
            base,
            connection,
            http: reqwest::Client::new(),
        }
    }

    /// The server's resident memory (MiB).
    pub fn rss_mib(&self) -> f64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
            })
            .map_or(0.0, |kb| kb / 1024.0)
    }

    /// `n` users: (raw id, token).
    pub async fn users(&self, n: usize) -> Vec<(String, String)> {
        let identity = IdentityClient::new(
            &self.connection,
            Transport::new(HttpConfig::default()).expect("transport"),
        );
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let (id, token) = identity
                .create_user_and_token(&[TokenScope::Chat], None)
                .await
                .expect("user");
            out.push((id, token.token));
        }
        out
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Value {
        let r = self
            .http
            .post(format!("{}{path}?{CHAT}", self.base))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("sent");
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json().await.unwrap_or(Value::Null)
    }

    /// A thread of `owner` with `members` (added 200 at a time, as the API allows).
    pub async fn thread(&self, owner: &(String, String), members: &[(String, String)]) -> String {
        let created = self
            .post(
                "/chat/threads",
                &owner.1,
                json!({"topic": "bench", "participants": [{"communicationIdentifier": {"rawId": owner.0, "communicationUser": {"id": owner.0}}}]}),
            )
            .await;
        let id = created["chatThread"]["id"].as_str().expect("id").to_owned();
        let path = format!("/chat/threads/{}/participants/:add", enc(&id));
        for batch in members.chunks(200) {
            let list: Vec<Value> = batch
                .iter()
                .map(|(u, _)| json!({"communicationIdentifier": {"rawId": u, "communicationUser": {"id": u}}}))
                .collect();
            self.post(&path, &owner.1, json!({ "participants": list }))
                .await;
        }
        id
    }

    /// Sends one message of ordinary length to `thread`; its id.
    pub async fn send(&self, token: &str, thread: &str) -> String {
        let path = format!("/chat/threads/{}/messages", enc(thread));
        let v = self
            .post(
                &path,
                token,
                json!({"content": "a benchmark message of ordinary length"}),
            )
            .await;
        v["id"].as_str().unwrap_or_default().to_owned()
    }
}

/// Every writer (token, thread id) sends as fast as it can for `window`; the number of sends.
pub async fn load(server: &Arc<Server>, writers: &[(String, String)], window: Duration) -> u64 {
    let sent = Arc::new(AtomicU64::new(0));
    let end = Instant::now() + window;
    let tasks: Vec<_> = writers
        .iter()
        .cloned()
        .map(|(token, thread)| {
            let (server, sent) = (server.clone(), sent.clone());
            tokio::spawn(async move {
                while Instant::now() < end {
                    server.send(&token, &thread).await;
                    sent.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for t in tasks {
        let _ = t.await;
    }
    sent.load(Ordering::Relaxed)
}

pub fn enc(id: &str) -> String {
    percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC).to_string()
}
