//! A scripted HTTP server on 127.0.0.1:0 for the client library's tests: it records
//! every request exactly as received and answers as each test scripts it, including
//! faults (hang forever, drop the connection).

#![allow(dead_code)]

pub mod recorded;
#[path = "../serve_common/mod.rs"]
mod serve_common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use acs_chat::acs::{
    HttpConfig, HttpExchange, HttpObserver, RetryPolicy, TokenCredential, Transport,
};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use url::Url;

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// The request target exactly as sent (percent-encoding untouched).
    pub path_and_query: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn path(&self) -> &str {
        self.path_and_query.split('?').next().unwrap_or_default()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }
}

/// What the server does with a request.
pub enum Reply {
    /// Status, extra headers, body (JSON content type when non-empty).
    With(u16, Vec<(&'static str, String)>, String),
    /// Never answer (the client's timeout must fire).
    Hang,
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Self {
        Self::With(status, Vec::new(), body.to_owned())
    }

    pub fn empty(status: u16) -> Self {
        Self::With(status, Vec::new(), String::new())
    }
}

type Script = dyn Fn(&Recorded, usize) -> Reply + Send + Sync;

#[derive(Clone)]
struct Shared {
    log: Arc<Mutex<Vec<Recorded>>>,
    script: Arc<Script>,
}

pub struct MockServer {
    pub url: Url,
    log: Arc<Mutex<Vec<Recorded>>>,
}

impl MockServer {
    /// Starts a server whose answers come from `script(request, index)`, where `index`
    /// counts all requests so far (0-based).
    pub async fn start(script: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static) -> Self {
        let log = Arc::new(Mutex::new(Vec::new()));
        let shared = Shared {
            log: log.clone(),
            script: Arc::new(script),
        };
        let app = axum::Router::new().fallback(handle).with_state(shared);
        let addr = serve_common::serve(app).await;
        Self {
            url: Url::parse(&format!("http://{addr}/")).expect("url"),
            log,
        }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.log.lock().expect("log").clone()
    }
}

async fn handle(State(shared): State<Shared>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .map(|b| b.to_vec())
        .unwrap_or_default();
    let recorded = Recorded {
        method: parts.method.to_string(),
        path_and_query: parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default(),
        headers: parts.headers,
        body,
    };
    let index = {
        let mut log = shared.log.lock().expect("log");
        log.push(recorded.clone());
        log.len() - 1
    };
    match (shared.script)(&recorded, index) {
        Reply::Hang => std::future::pending().await,
        Reply::With(status, headers, body) => {
            let mut response =
                Response::builder().status(StatusCode::from_u16(status).expect("status"));
            if !body.is_empty() {
                response = response.header("content-type", "application/json; charset=utf-8");
            }
            for (k, v) in headers {
                response = response.header(k, v);
            }
            response
                .body(Body::from(body))
                .expect("response")
                .into_response()
        }
    }
}

/// A raw TCP server that reads each request fully, then drops the first `drops`
/// connections without a byte of answer, and answers the rest with `200 body`.
pub async fn dropping_server(drops: usize, body: &'static str) -> (Url, Arc<Mutex<usize>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr: SocketAddr = listener.local_addr().expect("addr");
    let seen = Arc::new(Mutex::new(0usize));
    let counter = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let counter = counter.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                // Read the head, then the body by Content-Length.
                let head_end = loop {
                    let Ok(n) = socket.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                while buf.len() < head_end + length {
                    let Ok(n) = socket.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                let index = {
                    let mut c = counter.lock().expect("count");
                    *c += 1;
                    *c - 1
                };
                if index < drops {
                    return; // dropped: the socket closes with no answer
                }
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    (Url::parse(&format!("http://{addr}/")).expect("url"), seen)
}

/// Collects what the observer sees.
#[derive(Default)]
pub struct Recorder(pub Mutex<Vec<HttpExchange>>);

impl HttpObserver for Recorder {
    fn exchange(&self, e: &HttpExchange) {
        self.0.lock().expect("recorder").push(e.clone());
    }
}

impl Recorder {
    pub fn all(&self) -> Vec<HttpExchange> {
        self.0.lock().expect("recorder").clone()
    }
}

/// Fast retries, so fault tests finish quickly; a generous timeout, so a busy machine
/// does not turn a normal answer into a timeout (timeout tests set their own).
pub fn fast_config() -> HttpConfig {
    HttpConfig {
        timeout: Duration::from_secs(10),
        retry: RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(40),
            max_retry_after: Duration::from_secs(5),
        },
        ..HttpConfig::default()
    }
}

pub fn transport(config: HttpConfig) -> Transport {
    Transport::new(config).expect("transport")
}

/// An unsigned JWT valid for an hour, shaped like an ACS user token.
pub fn test_jwt() -> String {
    let exp = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","kid":"1","typ":"JWT"}"#);
    let payload =
        URL_SAFE_NO_PAD.encode(format!(r#"{{"skypeid":"acs:r_u","scp":1792,"exp":{exp}}}"#));
    format!("{header}.{payload}.c2lnbmF0dXJl")
}

pub fn credential() -> TokenCredential {
    TokenCredential::from_token(test_jwt()).expect("token")
}

/// The thread id of the recordings.
pub const THREAD: &str = "19:xpMEpgs_hSMB1QtAjq509RZGi76SaME0glQ98ZX34MA1@thread.v2";
pub const THREAD_ENCODED: &str = "19%3AxpMEpgs_hSMB1QtAjq509RZGi76SaME0glQ98ZX34MA1%40thread.v2";
pub const USER: &str =
    "8:acs:a5ba7870-ef05-4e2b-9901-7751faa29e20_0000001b-e76c-cf3c-1985-0948220072ec";
pub const USER_ENCODED: &str =
    "8%3Aacs%3Aa5ba7870-ef05-4e2b-9901-7751faa29e20_0000001b-e76c-cf3c-1985-0948220072ec";

pub fn is_uuid(s: Option<&str>) -> bool {
    s.is_some_and(|s| uuid::Uuid::parse_str(s).is_ok())
}
