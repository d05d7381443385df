//! Emulator throughput and latency over HTTPS with keep-alive: sends/s and latency
//! with 1, 16 and 64 concurrent senders (each its own connection, each writing to its
//! own thread), beside a bare axum handler that answers a fixed 201 over the same TLS
//! setup (the ceiling), over HTTP/1.1 (as the official SDKs and acs-chat speak) and
//! over HTTP/2 (`send.h2.*`, `bare.h2.*`); and the latency of a list-messages page
//! (maxPageSize 200) in threads of 10k and 1M messages.
//!
//! The emulator runs as `acs-chat serve` does by default: on disk (SQLite, WAL) in a
//! temporary data directory. The large threads are filled in bulk by writing the
//! database directly (a benchmark-only shortcut; the product has no bulk path).
//!
//! Run: `cargo bench --bench emulator` (add `-- --short` for the quick CI mode, or
//! `-- --sends-only` to skip the list pages, e.g. under a profiler).

mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use acs_chat::emulator::EmulatorConfig;
use axum::Router;
use axum::http::StatusCode;
use axum_server::tls_rustls::RustlsConfig;
use support::{Local, Report, User, ms, short_mode};

const CHAT_API: &str = "api-version=2024-03-07";
const SEND_BODY: &str = r#"{"content":"a benchmark message of ordinary length","senderDisplayName":"Bench","type":"text"}"#;

/// The HTTP version the load is sent with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    Http1,
    Http2,
}

impl Protocol {
    /// The figure name's prefix: HTTP/1.1 figures carry none.
    fn prefix(self) -> &'static str {
        match self {
            Protocol::Http1 => "",
            Protocol::Http2 => "h2.",
        }
    }
}

/// A client with its own keep-alive connection that trusts `ca_pem`.
fn client(ca_pem: &[u8], protocol: Protocol) -> reqwest::Client {
    let cert = reqwest::Certificate::from_pem(ca_pem).expect("certificate");
    let builder = reqwest::Client::builder().tls_certs_only([cert]);
    match protocol {
        Protocol::Http1 => builder.http1_only(),
        // Negotiated by ALPN: both servers offer h2.
        Protocol::Http2 => builder,
    }
    .build()
    .expect("client")
}

/// `senders` tasks each POST `SEND_BODY` to their own URL, back to back, for
/// `duration`; returns (requests per second, latencies in ms).
async fn load(
    urls: &[String],
    token: &str,
    ca_pem: &[u8],
    protocol: Protocol,
    duration: Duration,
) -> (f64, Vec<f64>) {
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for url in urls {
        let (url, token, stop, client) = (
            url.clone(),
            token.to_owned(),
            stop.clone(),
            client(ca_pem, protocol),
        );
        tasks.push(tokio::spawn(async move {
            let post = || {
                client
                    .post(&url)
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(SEND_BODY)
                    .send()
            };
            // Open the connection (TLS handshake) before the clock starts.
            let _ = post().await.expect("warm-up request");
            let mut done = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                let response = post().await.expect("request");
                assert_eq!(response.status(), StatusCode::CREATED, "unexpected answer");
                let _ = response.bytes().await.expect("body");
                done.push((Instant::now(), ms(started.elapsed())));
            }
            done
        }));
    }
    // Measure a window that starts once every sender is warm and stops before any quits.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let from = Instant::now();
    tokio::time::sleep(duration).await;
    let to = Instant::now();
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    for t in tasks {
        let done = t.await.expect("sender task");
        latencies.extend(
            done.into_iter()
                .filter(|(at, _)| *at >= from && *at <= to)
                .map(|(_, l)| l),
        );
    }
    (
        latencies.len() as f64 / (to - from).as_secs_f64(),
        latencies,
    )
}

/// `n` senders of `user`, each to a thread of its own on `local` (made as needed and
/// kept in `threads` for the next, larger round), for `duration`: as [`load`].
async fn send_load(
    local: &Local,
    user: &User,
    threads: &mut Vec<String>,
    n: usize,
    protocol: Protocol,
    duration: Duration,
) -> (f64, Vec<f64>) {
    while threads.len() < n {
        threads.push(local.thread(user, &[], "load").await);
    }
    let base = local.emulator.endpoint.trim_end_matches('/');
    let urls: Vec<String> = threads[..n]
        .iter()
        .map(|t| format!("{base}/chat/threads/{t}/messages?{CHAT_API}"))
        .collect();
    load(&urls, &user.token, &local.ca_pem, protocol, duration).await
}

/// The ceiling: axum over the same rustls setup, answering a fixed 201.
async fn bare_server() -> (SocketAddr, Vec<u8>) {
    let names = vec!["127.0.0.1".to_owned()];
    let ck = rcgen::generate_simple_self_signed(names).expect("certificate");
    let (cert_pem, key_pem) = (ck.cert.pem(), ck.signing_key.serialize_pem());
    let tls = RustlsConfig::from_pem(cert_pem.clone().into_bytes(), key_pem.into_bytes())
        .await
        .expect("tls");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = Router::new().fallback(|| async {
        (
            StatusCode::CREATED,
            [("content-type", "application/json; charset=utf-8")],
            r#"{"id":"1700000000000"}"#,
        )
    });
    // As the emulator: TCP_NODELAY on every accepted connection.
    let server = axum_server::from_tcp_rustls(listener, tls)
        .expect("server")
        .map(|tls| tls.acceptor(axum_server::accept::NoDelayAcceptor));
    tokio::spawn(async move {
        let _ = server.serve(router.into_make_service()).await;
    });
    (addr, cert_pem.into_bytes())
}

/// Appends `count` text messages to `thread` by writing the emulator's database
/// directly, in one transaction, continuing its sequence ids and versions.
fn fill(db: &std::path::Path, thread: &str, sender: &str, count: i64) -> i64 {
    let mut conn = rusqlite::Connection::open(db).expect("open the database");
    conn.busy_timeout(Duration::from_secs(30))
        .expect("busy timeout");
    let tx = conn.transaction().expect("transaction");
    let (last_seq, last_version): (i64, i64) = tx
        .query_row(
            "SELECT last_seq, last_version FROM threads WHERE id = ?1",
            [thread],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("thread row");
    {
        let mut message = tx
            .prepare(
                "INSERT INTO messages (thread_id, id, type, seq, version, created_ms, sender, sender_display_name, content, metadata)
                 VALUES (?1, ?2, 'text', ?3, ?2, ?2, ?4, 'Bench', ?5, '{\"priority\":\"Normal\"}')",
            )
            .expect("prepare");
        let mut seq_row = tx
            .prepare("INSERT INTO message_seq (thread_id, seq, message_id, version) VALUES (?1, ?2, ?3, ?3)")
            .expect("prepare");
        for i in 1..=count {
            let (seq, version) = (last_seq + i, last_version + i);
            let content = format!("message {i}: some ordinary chat text of a typical length");
            message
                .execute(rusqlite::params![thread, version, seq, sender, content])
                .expect("insert message");
            seq_row
                .execute(rusqlite::params![thread, seq, version])
                .expect("insert seq");
        }
    }
    let (seq, version) = (last_seq + count, last_version + count);
    tx.execute(
        "UPDATE threads SET last_seq = ?2, last_version = ?3 WHERE id = ?1",
        rusqlite::params![thread, seq, version],
    )
    .expect("update thread");
    // Activity times increase across all threads (see the store's `next_activity`).
    let last_activity: Option<i64> = tx
        .query_row("SELECT MAX(activity_ms) FROM thread_activity", [], |r| {
            r.get(0)
        })
        .expect("activity");
    let activity = version.max(last_activity.map_or(0, |a| a + 1));
    tx.execute(
        "UPDATE threads SET activity_ms = ?2 WHERE id = ?1",
        rusqlite::params![thread, activity],
    )
    .expect("thread activity");
    tx.execute(
        "INSERT INTO thread_activity (thread_id, activity_ms) VALUES (?1, ?2)",
        rusqlite::params![thread, activity],
    )
    .expect("activity");
    tx.commit().expect("commit");
    version
}

/// Latencies (ms) of `n` GETs of `url`, after one warm-up.
async fn gets(client: &reqwest::Client, url: &str, token: &str, n: usize) -> Vec<f64> {
    let get = || client.get(url).bearer_auth(token).send();
    let _ = get().await.expect("warm-up").bytes().await;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        let response = get().await.expect("request");
        assert_eq!(response.status(), StatusCode::OK);
        let body = response.bytes().await.expect("body");
        out.push(ms(started.elapsed()));
        assert!(body.len() > 100);
    }
    out
}

#[tokio::main]
async fn main() {
    let short = short_mode();
    let window = if short {
        Duration::from_millis(500)
    } else {
        Duration::from_secs(3)
    };
    let sizes: [i64; 2] = if short {
        [1_000, 10_000]
    } else {
        [10_000, 1_000_000]
    };
    let data = tempfile::tempdir().expect("temp dir");
    let config = EmulatorConfig {
        data_dir: Some(data.path().to_owned()),
        ..EmulatorConfig::for_tests()
    };
    let local = Local::start_with(config).await;
    let user = local.user().await;
    let base = local.emulator.endpoint.trim_end_matches('/').to_owned();
    let (bare_addr, bare_ca) = bare_server().await;
    // The same in memory (`serve --in-memory`): no disk write to wait for.
    let memory = Local::start().await;
    let memory_user = memory.user().await;
    let mut memory_threads = Vec::new();
    let mut report = Report::default();

    // Throughput: emulator and ceiling, side by side, at each concurrency.
    let mut threads = Vec::new();
    for protocol in [Protocol::Http1, Protocol::Http2] {
        let p = protocol.prefix();
        for n in [1usize, 16, 64] {
            let (rate, mut lat) = send_load(&local, &user, &mut threads, n, protocol, window).await;
            report.add(format!("send.{p}c{n}.rate"), rate, "req/s");
            report.latencies(&format!("send.{p}c{n}"), &mut lat);
            let (memory_rate, mut lat) = send_load(
                &memory,
                &memory_user,
                &mut memory_threads,
                n,
                protocol,
                window,
            )
            .await;
            report.add(format!("send_in_memory.{p}c{n}.rate"), memory_rate, "req/s");
            report.latencies(&format!("send_in_memory.{p}c{n}"), &mut lat);
            let bare_urls =
                vec![format!("https://{bare_addr}/chat/threads/x/messages?{CHAT_API}"); n];
            let (bare_rate, mut bare_lat) =
                load(&bare_urls, &user.token, &bare_ca, protocol, window).await;
            report.add(format!("bare.{p}c{n}.rate"), bare_rate, "req/s");
            report.latencies(&format!("bare.{p}c{n}"), &mut bare_lat);
            report.add(
                format!("send.{p}c{n}.of_ceiling"),
                100.0 * rate / bare_rate.max(1.0),
                "%",
            );
            report.add(
                format!("send_in_memory.{p}c{n}.of_ceiling"),
                100.0 * memory_rate / bare_rate.max(1.0),
                "%",
            );
        }
    }

    // List pages in big threads.
    if std::env::args().any(|a| a == "--sends-only") {
        finish(&mut report, short, local, memory).await;
        return;
    }
    let http = client(&local.ca_pem, Protocol::Http1);
    let n = if short { 20 } else { 200 };
    for size in sizes {
        let thread = local.thread(&user, &[], "big").await;
        let filled = Instant::now();
        let newest = fill(&data.path().join("emulator.db"), &thread, &user.id, size);
        let label = if size >= 1_000_000 {
            format!("{}M", size / 1_000_000)
        } else {
            format!("{}k", size / 1000)
        };
        report.add(
            format!("fill.{label}.time"),
            filled.elapsed().as_secs_f64(),
            "s",
        );
        let first = format!("{base}/chat/threads/{thread}/messages?maxPageSize=200&{CHAT_API}");
        let mut lat = gets(&http, &first, &user.token, n).await;
        report.latencies(&format!("list.{label}.first_page"), &mut lat);
        // A page from deep in the thread: follow the links halfway down.
        let mut link = first.clone();
        for _ in 0..(size / 200 / 2).min(if short { 5 } else { 50 }) {
            let page: serde_json::Value = http
                .get(&link)
                .bearer_auth(&user.token)
                .send()
                .await
                .expect("page")
                .json()
                .await
                .expect("json");
            link = page["nextLink"].as_str().expect("a next link").to_owned();
        }
        let mut lat = gets(&http, &link, &user.token, n).await;
        report.latencies(&format!("list.{label}.later_page"), &mut lat);
        // A poller's request: what changed since shortly before the newest message
        // (the filled versions are 1 ms apart: the last 100 messages).
        let since =
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(newest - 100) * 1_000_000)
                .expect("time");
        let since = since
            .format(&time::format_description::well_known::Rfc3339)
            .expect("format");
        let poll = format!(
            "{base}/chat/threads/{thread}/messages?maxPageSize=200&startTime={}&{CHAT_API}",
            urlencode(&since)
        );
        let mut lat = gets(&http, &poll, &user.token, n).await;
        report.latencies(&format!("list.{label}.poll_since"), &mut lat);
    }
    finish(&mut report, short, local, memory).await;
}

/// Prints the report and stops both emulators.
async fn finish(report: &mut Report, short: bool, local: Local, memory: Local) {
    report.add("emulator.peak_rss", support::peak_rss_mib(), "MiB");
    report.print_table(if short {
        "Emulator (short mode: figures not meaningful)"
    } else {
        "Emulator throughput and latency"
    });
    local.emulator.shutdown().await;
    memory.emulator.shutdown().await;
}

fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}
