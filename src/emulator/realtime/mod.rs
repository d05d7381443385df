//! The push half of ACS Chat: what the official signaling client
//! (`@azure/communication-signaling`, inside the JS chat SDK in a browser) needs to
//! receive chat events. `docs/realtime.md` is the protocol as its sources show it.
//!
//! - `config`: `GET /chat/config/realTimeNotifications`, which names the Trouter service
//!   and the registrar; both are this emulator, at the origin the client reached.
//! - `trouter` + `socket` + `frames`: allocation, the socket.io handshake and WebSocket
//!   (the frame grammar is `wire::socketio`'s).
//! - `registrar`: registrations with a TTL.
//! - `hub` + `events`: who is connected, and the events writes produce for them.
//!
//! These routes sit beside the REST dispatcher; they share its authentication
//! (`auth::user_token`) and error shapes.

mod config;
pub mod events;
mod frames;
pub mod hub;
mod registrar;
mod socket;
mod trouter;

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::Uri;
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{delete, get, post};

use super::api_error::{ApiError, Family};
use super::app::App;
use super::{gate, respond};

/// Path of the configuration route.
pub const CONFIG_PATH: &str = "/chat/config/realTimeNotifications";

/// Everything the real-time routes share, held by [`App`].
pub struct Realtime {
    pub hub: Arc<hub::Hub>,
    sessions: trouter::Sessions,
    registrations: registrar::Registrations,
}

impl Realtime {
    /// Starts the event publisher on the current runtime.
    pub fn start() -> Self {
        Self {
            hub: hub::Hub::start(),
            sessions: Default::default(),
            registrations: Default::default(),
        }
    }
}

/// The real-time routes; everything else falls through to the REST dispatcher.
pub fn router(app: Arc<App>) -> Router<Arc<App>> {
    Router::new()
        .route(CONFIG_PATH, get(config::get))
        .route("/v4/a", post(trouter::allocate))
        .route("/socket.io/1/", get(trouter::handshake))
        .route("/socket.io/1/websocket/{sid}", get(trouter::websocket))
        .route("/v3/registrations", post(registrar::register))
        .route("/v3/registrations/{id}", delete(registrar::unregister))
        // Only on the routes above: the dispatcher does the same for the rest.
        .route_layer(axum::middleware::from_fn_with_state(app, gate))
}

/// What the dispatcher does around every REST request, for the real-time routes:
/// refuse a foreign `Host` (DNS rebinding) before anything runs, and put the
/// service's headers on every answer, errors included.
async fn gate(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let response = match gate::check_host(&app, gate::request_host(&request).as_deref()) {
        Ok(()) => next.run(request).await,
        Err(e) => respond::error(e, Family::Chat),
    };
    respond::dress(response, Family::Chat, started, None)
}

/// An endpoint pasted with its trailing slash makes the signaling client ask for
/// `//chat/config/…`: collapse repeated slashes before routing, for these routes only
/// (REST paths are resolved, and HMAC-signed, exactly as sent).
pub async fn collapse_slashes(mut request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.contains("//") {
        let collapsed = collapse(path);
        if is_realtime_path(&collapsed) {
            let rebuilt = match request.uri().query() {
                Some(q) => format!("{collapsed}?{q}"),
                None => collapsed,
            };
            if let Ok(uri) = rebuilt.parse::<Uri>() {
                *request.uri_mut() = uri;
            }
        }
    }
    next.run(request).await
}

fn collapse(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if !(c == '/' && out.ends_with('/')) {
            out.push(c);
        }
    }
    out
}

fn is_realtime_path(path: &str) -> bool {
    path == CONFIG_PATH
        || path == "/v4/a"
        || path.starts_with("/socket.io/1/")
        || path.starts_with("/v3/registrations")
}

/// An error of a real-time route, in the emulator's one error shape (Chat's: the
/// routes belong to the Chat gateway). The signaling client reads only the status
/// (401: fetch a fresh token; 5xx: retry) and logs the registrar's JSON and `ms-cv`.
fn error_response(e: ApiError) -> Response {
    respond::error(e, Family::Chat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_repeated_slashes_collapse() {
        assert_eq!(collapse("//chat/config/x"), "/chat/config/x");
        assert_eq!(collapse("/a///b/"), "/a/b/");
        assert_eq!(collapse("/plain"), "/plain");
    }
}
