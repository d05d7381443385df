//! `--http-log FILE`: every HTTP request and response the client makes (method, URL,
//! status, timing, headers, bodies), secrets redacted, appended to a file that can be
//! attached to a bug report. Also the text form of one exchange that
//! `quickstart --verbose` prints.
//!
//! The client library hands observers exchanges that are already redacted; this
//! writer still blanks every `Authorization`-like header value it is given, so a
//! future change there cannot leak a key into a log file.

use std::fmt::Write as _;
use std::fs::File;
use std::io::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex};

use time::OffsetDateTime;

use crate::acs::{HttpExchange, HttpObserver, JsonLinesLog};

/// `--http-log-format`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Request and response blocks for people (see [`format_exchange`]).
    #[default]
    Text,
    /// One JSON object per exchange (the client library's JSON Lines log).
    Jsonl,
}

/// Opens the HTTP log at `path` in `format`, appending, mode 0600. The interactive
/// client and the subcommands both open `--http-log` through here.
pub fn open(path: &Path, format: LogFormat) -> std::io::Result<Arc<dyn HttpObserver>> {
    match format {
        LogFormat::Text => FileObserver::create(path),
        LogFormat::Jsonl => Ok(Arc::new(JsonLinesLog::create(path)?)),
    }
}

/// Appends each exchange to a file, one block per attempt.
pub struct FileObserver {
    file: Mutex<File>,
}

impl FileObserver {
    /// Opens (creating with mode 0600, or appending to) `path`.
    pub fn create(path: &Path) -> std::io::Result<Arc<dyn HttpObserver>> {
        let mut options = std::fs::OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let file = options.open(path)?;
        Ok(Arc::new(Self {
            file: Mutex::new(file),
        }))
    }
}

impl HttpObserver for FileObserver {
    fn exchange(&self, e: &HttpExchange) {
        let text = format_exchange(e, OffsetDateTime::now_utc(), true);
        // A poisoned lock only means another thread panicked mid-write: keep logging.
        let mut file = self
            .file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let _ = file.write_all(text.as_bytes());
        let _ = file.flush();
    }
}

/// Sends each exchange to several observers (the log file and the quickstart narrator).
pub struct Tee(pub Vec<Arc<dyn HttpObserver>>);

impl HttpObserver for Tee {
    fn exchange(&self, e: &HttpExchange) {
        for o in &self.0 {
            o.exchange(e);
        }
    }
}

/// Header names whose values never appear in a log, whatever the client passed.
fn is_secret_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "authorization"
        || n == "proxy-authorization"
        || n == "cookie"
        || n == "set-cookie"
        || n.contains("key")
}

fn header_value<'a>(name: &str, value: &'a str) -> std::borrow::Cow<'a, str> {
    if is_secret_header(name) && !value.contains("[redacted]") {
        return "[redacted]".into();
    }
    value.into()
}

/// The exchange as text:
///
/// ```text
/// --- 2026-11-26T01:02:03Z  POST https://host/chat/threads?api-version=2024-03-07
/// > Authorization: Bearer [redacted]
/// >
/// > {"topic":"Quickstart",...}
/// < 201 Created  (12 ms)
/// < Location: ...
/// <
/// < {"chatThread":{...}}
/// ```
pub fn format_exchange(e: &HttpExchange, at: OffsetDateTime, bodies: bool) -> String {
    let mut out = String::new();
    let retry = if e.attempt > 0 {
        format!("  (retry {})", e.attempt)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "--- {}  {} {}{retry}",
        crate::wire::timestamp::format_whole_seconds(at),
        e.method,
        e.url
    );
    for (name, value) in &e.request_headers {
        let _ = writeln!(out, "> {name}: {}", header_value(name, value));
    }
    if bodies && let Some(body) = &e.request_body {
        let _ = writeln!(out, ">\n> {body}");
    }
    let ms = e.elapsed.as_millis();
    match e.status {
        Some(status) => {
            let _ = writeln!(out, "< {status} {}  ({ms} ms)", reason(status));
        }
        None => {
            let _ = writeln!(
                out,
                "< no response: {}  ({ms} ms)",
                e.error.as_deref().unwrap_or("unknown error")
            );
        }
    }
    for (name, value) in &e.response_headers {
        let _ = writeln!(out, "< {name}: {}", header_value(name, value));
    }
    if bodies && let Some(body) = &e.response_body {
        let _ = writeln!(out, "<\n< {body}");
    }
    out.push('\n');
    out
}

/// The reason phrase of a status (`Created`, `Not Found`).
pub fn reason(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange() -> HttpExchange {
        HttpExchange {
            method: "POST".into(),
            url: "https://h/chat/threads?api-version=2024-03-07".into(),
            attempt: 0,
            status: Some(201),
            elapsed: std::time::Duration::from_millis(12),
            request_headers: vec![
                ("authorization".into(), "Bearer eyJsecret".into()),
                ("x-ms-client-request-id".into(), "r1".into()),
            ],
            request_body: Some(r#"{"topic":"t"}"#.into()),
            response_headers: vec![("location".into(), "https://h/chat/threads/19:a".into())],
            response_body: Some(r#"{"chatThread":{}}"#.into()),
            error: None,
        }
    }

    #[test]
    fn formats_request_and_response() {
        let at = OffsetDateTime::from_unix_timestamp(0).expect("epoch");
        let text = format_exchange(&exchange(), at, true);
        assert!(
            text.starts_with(
                "--- 1970-01-01T00:00:00Z  POST https://h/chat/threads?api-version=2024-03-07\n"
            ),
            "{text}"
        );
        assert!(text.contains("< 201 Created  (12 ms)\n"), "{text}");
        assert!(text.contains("> {\"topic\":\"t\"}"), "{text}");
        assert!(text.contains("> x-ms-client-request-id: r1"), "{text}");
    }

    #[test]
    fn authorization_never_reaches_the_log() {
        let at = OffsetDateTime::from_unix_timestamp(0).expect("epoch");
        let text = format_exchange(&exchange(), at, true);
        assert!(!text.contains("eyJsecret"), "{text}");
        assert!(text.contains("> authorization: [redacted]"), "{text}");
    }

    #[test]
    fn file_observer_appends() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("http.log");
        let observer = FileObserver::create(&path).expect("create");
        observer.exchange(&exchange());
        observer.exchange(&exchange());
        let text = std::fs::read_to_string(&path).expect("read");
        assert_eq!(text.matches("--- ").count(), 2);
    }
}
