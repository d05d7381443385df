//! Ready-made [`HttpObserver`]s: a JSON Lines file for `--http-log FILE`, and a
//! one-line summary of an exchange for `--verbose`. What they write is already
//! redacted (see [`HttpExchange`]), but bodies still hold chat content, so the log
//! file is created readable by its owner only.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use serde::Serialize;

use super::config::{HttpExchange, HttpObserver};

impl HttpExchange {
    /// `GET https://host/chat/threads?api-version=... -> 200 in 42 ms`, or
    /// `... -> failed after 30000 ms: <why>`; retries are marked.
    pub fn summary(&self) -> String {
        let retry = if self.attempt > 0 {
            format!(" (retry {})", self.attempt)
        } else {
            String::new()
        };
        let ms = self.elapsed.as_millis();
        match (self.status, &self.error) {
            (Some(status), _) => {
                format!("{} {}{retry} -> {status} in {ms} ms", self.method, self.url)
            }
            (None, Some(error)) => format!(
                "{} {}{retry} -> failed after {ms} ms: {error}",
                self.method, self.url
            ),
            (None, None) => format!(
                "{} {}{retry} -> no answer after {ms} ms",
                self.method, self.url
            ),
        }
    }
}

/// The JSON form of one exchange (one line of the log).
#[derive(Serialize)]
struct Line<'a> {
    time: String,
    method: &'a str,
    url: &'a str,
    attempt: u32,
    status: Option<u16>,
    elapsed_ms: u64,
    request_headers: &'a [(String, String)],
    #[serde(skip_serializing_if = "Option::is_none")]
    request_body: Option<&'a str>,
    response_headers: &'a [(String, String)],
    #[serde(skip_serializing_if = "Option::is_none")]
    response_body: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

/// Writes every exchange as one JSON object per line. Write failures never fail a
/// call: they are reported once through `tracing` and logging stops.
pub struct JsonLinesLog {
    out: Mutex<Option<Box<dyn Write + Send>>>,
}

impl JsonLinesLog {
    /// Logs to any writer (a file, a buffer in tests).
    pub fn new(out: impl Write + Send + 'static) -> Self {
        Self {
            out: Mutex::new(Some(Box::new(out))),
        }
    }

    /// Appends to `path`, creating it with mode 0600 on Unix.
    pub fn create(path: &Path) -> std::io::Result<Self> {
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        Ok(Self::new(options.open(path)?))
    }
}

impl HttpObserver for JsonLinesLog {
    fn exchange(&self, e: &HttpExchange) {
        let line = Line {
            time: crate::wire::timestamp::format_whole_seconds(time::OffsetDateTime::now_utc()),
            method: &e.method,
            url: &e.url,
            attempt: e.attempt,
            status: e.status,
            elapsed_ms: u64::try_from(e.elapsed.as_millis()).unwrap_or(u64::MAX),
            request_headers: &e.request_headers,
            request_body: e.request_body.as_deref(),
            response_headers: &e.response_headers,
            response_body: e.response_body.as_deref(),
            error: e.error.as_deref(),
        };
        let Ok(mut text) = serde_json::to_string(&line) else {
            return;
        };
        text.push('\n');
        let mut out = self.out.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(w) = out.as_mut()
            && let Err(err) = w.write_all(text.as_bytes()).and_then(|()| w.flush())
        {
            tracing::warn!(error = %err, "cannot write the HTTP log; HTTP logging stops");
            *out = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;

    fn exchange(status: Option<u16>, error: Option<&str>, attempt: u32) -> HttpExchange {
        HttpExchange {
            method: "GET".into(),
            url: "https://h/chat/threads?api-version=2025-03-15".into(),
            attempt,
            status,
            elapsed: Duration::from_millis(42),
            request_headers: vec![("authorization".into(), "Bearer [redacted]".into())],
            request_body: None,
            response_headers: Vec::new(),
            response_body: Some(r#"{"value":[]}"#.into()),
            error: error.map(str::to_owned),
        }
    }

    #[test]
    fn summaries() {
        assert_eq!(
            exchange(Some(200), None, 0).summary(),
            "GET https://h/chat/threads?api-version=2025-03-15 -> 200 in 42 ms"
        );
        assert_eq!(
            exchange(None, Some("timeout: no answer"), 2).summary(),
            "GET https://h/chat/threads?api-version=2025-03-15 (retry 2) -> failed after 42 ms: timeout: no answer"
        );
    }

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| std::io::ErrorKind::Other)?
                .extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn writes_one_json_object_per_line() {
        let buf = Shared::default();
        let log = JsonLinesLog::new(buf.clone());
        log.exchange(&exchange(Some(200), None, 0));
        log.exchange(&exchange(None, Some("boom"), 1));
        let text = String::from_utf8(buf.0.lock().expect("buf").clone()).expect("utf8");
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("json line"))
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["status"], 200);
        assert_eq!(lines[0]["elapsed_ms"], 42);
        assert_eq!(lines[0]["request_headers"][0][1], "Bearer [redacted]");
        assert_eq!(lines[1]["error"], "boom");
        assert!(lines[1]["status"].is_null());
    }

    #[cfg(unix)]
    #[test]
    fn log_file_is_private() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("http.log");
        let log = JsonLinesLog::create(&path).expect("create");
        log.exchange(&exchange(Some(204), None, 0));
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(
            std::fs::read_to_string(&path)
                .expect("read")
                .lines()
                .count(),
            1
        );
    }
}
