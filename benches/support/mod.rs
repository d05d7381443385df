//! Shared by the benchmarks: short mode, figures, percentiles, and a local emulator
//! with users whose clients count their HTTP requests.
//!
//! Every benchmark prints its figures twice: as `name value unit` lines (easy to grep
//! and compare between runs) and as a table for people.
#![allow(dead_code)]

pub mod serve;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use acs_chat::acs::{
    ChatClient, ConnectionString, HttpConfig, HttpExchange, HttpObserver, IdentityClient,
    TokenCredential, TokenScope, Transport,
};
use acs_chat::emulator::{self, EmulatorConfig, RunningEmulator};
use acs_chat::wire::{ChatParticipant, CommunicationIdentifierModel, CreateChatThreadRequest};

/// `--short` on the command line or `BENCH_SHORT=1`: a quick run that only proves the
/// benchmark still works (CI), with figures that mean little.
pub fn short_mode() -> bool {
    std::env::args().any(|a| a == "--short")
        || std::env::var("BENCH_SHORT").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// One measured figure.
#[derive(Debug, Clone)]
pub struct Figure {
    pub name: String,
    pub value: f64,
    pub unit: String,
}

/// Figures of one benchmark, printed as lines and then as a table.
#[derive(Default)]
pub struct Report {
    figures: Vec<Figure>,
}

impl Report {
    pub fn add(&mut self, name: impl Into<String>, value: f64, unit: &str) {
        let figure = Figure {
            name: name.into(),
            value,
            unit: unit.to_owned(),
        };
        // The line form goes out at once, so a long run shows progress.
        println!(
            "{} {} {}",
            figure.name,
            format_value(figure.value),
            figure.unit
        );
        self.figures.push(figure);
    }

    /// p50/p90/p99/max of `samples` (milliseconds) as four figures.
    pub fn latencies(&mut self, prefix: &str, samples: &mut [f64]) {
        samples.sort_by(f64::total_cmp);
        for (label, q) in [("p50", 0.50), ("p90", 0.90), ("p99", 0.99)] {
            self.add(format!("{prefix}.{label}"), percentile(samples, q), "ms");
        }
        self.add(
            format!("{prefix}.max"),
            samples.last().copied().unwrap_or(0.0),
            "ms",
        );
    }

    /// The table, after all lines.
    pub fn print_table(&self, title: &str) {
        let width = self
            .figures
            .iter()
            .map(|f| f.name.len())
            .max()
            .unwrap_or(4)
            .max(6);
        println!();
        println!("{title}");
        println!("{:<width$}  {:>14}  unit", "figure", "value");
        println!("{}", "-".repeat(width + 24));
        for f in &self.figures {
            println!(
                "{:<width$}  {:>14}  {}",
                f.name,
                format_value(f.value),
                f.unit
            );
        }
    }
}

fn format_value(v: f64) -> String {
    if v.abs() >= 1000.0 || v == v.trunc() {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

/// Nearest-rank percentile of sorted samples.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Counts the HTTP attempts a client makes (the same hook `--http-log` uses), in
/// all and per Chat operation (the scopes of ACS's rate limits).
#[derive(Default)]
pub struct RequestCounter {
    count: AtomicU64,
    by_op: Mutex<BTreeMap<&'static str, u64>>,
}

impl RequestCounter {
    pub fn get(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// Requests per operation so far.
    pub fn by_op(&self) -> BTreeMap<&'static str, u64> {
        self.by_op.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

/// The ACS operation of a request, by method and path.
fn operation(method: &str, url: &str) -> &'static str {
    let path = url.split('?').next().unwrap_or(url);
    let path = path.split_once("://").map_or(path, |(_, rest)| {
        rest.split_once('/').map_or("", |(_, p)| p)
    });
    let get = method == "GET";
    if path.ends_with("/readReceipts") {
        if get {
            "list_read_receipts"
        } else {
            "send_read_receipt"
        }
    } else if path.ends_with("/messages") {
        if get { "list_messages" } else { "send_message" }
    } else if path.ends_with("/participants") {
        "list_participants"
    } else if path == "chat/threads" {
        if get { "list_threads" } else { "create_thread" }
    } else if path.starts_with("chat/threads/") && !path.contains("/messages") && get {
        "get_thread"
    } else {
        "other"
    }
}

impl HttpObserver for RequestCounter {
    fn exchange(&self, e: &HttpExchange) {
        self.count.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut m) = self.by_op.lock() {
            *m.entry(operation(&e.method, &e.url)).or_default() += 1;
        }
    }
}

/// An in-process emulator (https, in memory, free port) and how to reach it.
pub struct Local {
    pub emulator: RunningEmulator,
    pub connection: ConnectionString,
    pub ca_pem: Vec<u8>,
}

/// A user with a chat client whose requests are counted.
pub struct User {
    pub id: String,
    /// The chat token, for benchmarks that speak raw HTTP.
    pub token: String,
    pub chat: ChatClient,
    pub requests: Arc<RequestCounter>,
}

impl Local {
    pub async fn start() -> Self {
        Self::start_with(EmulatorConfig::for_tests()).await
    }

    pub async fn start_with(config: EmulatorConfig) -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let emulator = emulator::start(config).await.expect("the emulator starts");
        let connection = ConnectionString::parse(&emulator.connection_string)
            .expect("its connection string parses");
        let ca_pem = emulator.cert_pem.clone().unwrap_or_default().into_bytes();
        Self {
            emulator,
            connection,
            ca_pem,
        }
    }

    /// HTTP settings of a client of this emulator, with a request counter.
    pub fn http(&self, counter: Option<Arc<RequestCounter>>) -> HttpConfig {
        HttpConfig {
            extra_ca_pem: vec![self.ca_pem.clone()],
            trust_only_extra_ca: true,
            observer: counter.map(|c| c as Arc<dyn HttpObserver>),
            ..HttpConfig::default()
        }
    }

    /// A new user with a chat token, and a counting chat client for it.
    pub async fn user(&self) -> User {
        let identity = IdentityClient::new(
            &self.connection,
            Transport::new(self.http(None)).expect("transport"),
        );
        let (id, token) = identity
            .create_user_and_token(&[TokenScope::Chat], None)
            .await
            .expect("create user");
        let requests = Arc::new(RequestCounter::default());
        let transport = Transport::new(self.http(Some(requests.clone()))).expect("transport");
        let credential = TokenCredential::from_token(token.token.clone()).expect("token");
        let chat = ChatClient::new(self.connection.endpoint.clone(), credential, transport);
        User {
            id,
            token: token.token,
            chat,
            requests,
        }
    }

    /// A thread made by `creator` with `others` in it; returns its id.
    pub async fn thread(&self, creator: &User, others: &[&User], topic: &str) -> String {
        let participants = std::iter::once(creator)
            .chain(others.iter().copied())
            .map(|u| ChatParticipant {
                communication_identifier: CommunicationIdentifierModel::user(u.id.clone()),
                display_name: Some(u.id.chars().rev().take(6).collect()),
                share_history_time: None,
                metadata: None,
            })
            .collect();
        let request = CreateChatThreadRequest {
            topic: topic.to_owned(),
            participants,
            metadata: None,
            retention_policy: None,
        };
        let created = creator
            .chat
            .create_thread(&request, None)
            .await
            .expect("create thread");
        created.chat_thread.map(|t| t.id).expect("a thread id")
    }
}

/// Peak resident set size of this process so far, in MiB (Linux `VmHWM`).
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Current resident set size in MiB (Linux `VmRSS`).
pub fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
