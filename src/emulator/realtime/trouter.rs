//! Trouter: allocation (`POST /v4/a`), the socket.io handshake
//! (`GET /socket.io/1/`) and the WebSocket (`/socket.io/1/websocket/{sid}`).
//!
//! The token (`X-Skypetoken`) is checked at allocation and at the handshake; a
//! browser cannot send headers on a WebSocket, so the handshake's one-time session id
//! authorizes the socket. The allocation's `connectparams` are signed, so a client
//! reconnecting with them keeps its connection id (and Trouter URL).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::super::api_error::ApiError;
use super::super::app::App;
use super::super::auth::user_token::{self, TokenUser};
use super::super::dispatch;
use super::super::store::now_ms;
use super::{error_response, socket};

/// Seconds an allocation is good for. The client drops cached connect parameters
/// that expire within an hour, so this must be well beyond that.
const ALLOCATION_TTL_S: i64 = 86_400;
/// What the handshake announces: the client closes a socket silent for this + 2 s,
/// and the server sends a heartbeat well within it.
pub const HEARTBEAT_TIMEOUT_S: u64 = 60;
/// Sockets one user may hold at once (browser tabs, devices); a bound, so that one
/// token cannot hold the server's memory.
pub const MAX_SOCKETS_PER_USER: usize = 100;
/// The largest frame a client may send (its frames are acks and answers).
const CLIENT_FRAME_MAX: usize = 16 * 1024;
/// Handshakes whose socket never came are forgotten after this long.
const SESSION_LIFETIME_MS: i64 = 30_000;
/// At most this many handshakes wait for their socket.
const MAX_PENDING: usize = 10_000;

/// A handshake waiting for its WebSocket.
struct Pending {
    caller: TokenUser,
    connection: String,
    created_ms: i64,
}

/// State of the Trouter routes.
#[derive(Default)]
pub struct Sessions {
    pending: Mutex<HashMap<String, Pending>>,
}

impl Sessions {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Pending>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The token of the `X-Skypetoken` header, checked like a Chat bearer token.
pub async fn skype_caller(app: &App, token: Option<String>) -> Result<TokenUser, ApiError> {
    user_token::live_user(app, token.as_deref().ok_or_else(ApiError::unauthorized)?).await
}

pub fn skype_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-skypetoken")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_owned())
}

fn sign(app: &App, connection: &str, expires_ms: i64) -> String {
    let mut mac = match <Hmac<Sha256> as KeyInit>::new_from_slice(&app.token_secret) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(format!("trouter:{connection}:{expires_ms}").as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// The connection id named by validly signed, unexpired connect parameters.
fn signed_connection(app: &App, query: &HashMap<String, String>) -> Option<String> {
    let (sr, se, sig) = (query.get("sr")?, query.get("se")?, query.get("sig")?);
    let expires: i64 = se.parse().ok()?;
    let good = expires > now_ms()
        && !sr.is_empty()
        && sr.len() <= 64
        && subtle::ConstantTimeEq::ct_eq(sign(app, sr, expires).as_bytes(), sig.as_bytes()).into();
    good.then(|| sr.clone())
}

fn query_map(request: &Request) -> HashMap<String, String> {
    request
        .uri()
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default()
}

/// `POST /v4/a`: allocate (or, with signed connect parameters, re-allocate) a
/// connection.
pub async fn allocate(State(app): State<Arc<App>>, request: Request) -> Response {
    app.touch();
    let token = skype_token(request.headers());
    let query = query_map(&request);
    let origin = dispatch::base_url(&app, &request);
    if let Err(e) = skype_caller(&app, token).await {
        return error_response(e);
    }
    let connection = signed_connection(&app, &query)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let expires_ms = now_ms().saturating_add(ALLOCATION_TTL_S * 1000);
    let url = format!("{origin}/v4/f/{connection}/");
    let body = serde_json::json!({
        "socketio": format!("{origin}/"),
        "url": url,
        "surl": url,
        "curlb": "",
        "id": connection,
        "ccid": connection.get(..8).unwrap_or(&connection),
        "connectparams": {
            "sr": connection,
            "se": expires_ms.to_string(),
            "sig": sign(&app, &connection, expires_ms),
        },
        "ttl": ALLOCATION_TTL_S.to_string(),
    });
    (StatusCode::OK, axum::Json(body)).into_response()
}

/// `GET /socket.io/1/`: the socket.io handshake; answers `sid:heartbeat:close:transports`.
pub async fn handshake(State(app): State<Arc<App>>, request: Request) -> Response {
    app.touch();
    let token = skype_token(request.headers());
    let query = query_map(&request);
    let caller = match skype_caller(&app, token).await {
        Ok(c) => c,
        Err(e) => return error_response(e),
    };
    let Some(connection) = signed_connection(&app, &query) else {
        return error_response(ApiError::bad_request(
            "The connect parameters of an allocation are missing or invalid.",
        ));
    };
    let sid = uuid::Uuid::new_v4().simple().to_string();
    let now = now_ms();
    {
        let mut pending = app.realtime.sessions.lock();
        pending.retain(|_, p| now - p.created_ms < SESSION_LIFETIME_MS);
        if pending.len() >= MAX_PENDING {
            return error_response(ApiError::unavailable());
        }
        pending.insert(
            sid.clone(),
            Pending {
                caller,
                connection,
                created_ms: now,
            },
        );
    }
    (
        [(header::CONTENT_TYPE, "text/plain")],
        format!("{sid}:{HEARTBEAT_TIMEOUT_S}:{HEARTBEAT_TIMEOUT_S}:websocket"),
    )
        .into_response()
}

/// `GET /socket.io/1/websocket/{sid}`: the socket of a handshake.
pub async fn websocket(
    State(app): State<Arc<App>>,
    Path(sid): Path<String>,
    ws: WebSocketUpgrade,
) -> Response {
    app.touch();
    let Some(p) = app.realtime.sessions.lock().remove(&sid) else {
        return error_response(ApiError::not_found("No such socket.io session."));
    };
    if app.realtime.hub.connections_of(&p.caller.user) >= MAX_SOCKETS_PER_USER {
        return error_response(ApiError::too_many_requests(60));
    }
    if now_ms() - p.created_ms >= SESSION_LIFETIME_MS {
        return error_response(ApiError::not_found("No such socket.io session."));
    }
    // The client only sends small frames (acks, answers): the default 128 KiB buffers
    // per socket would be most of a socket's memory.
    ws.read_buffer_size(CLIENT_FRAME_MAX)
        .write_buffer_size(0)
        .max_message_size(CLIENT_FRAME_MAX)
        .on_upgrade(move |socket| socket::serve(app, socket, p.caller, p.connection))
}
