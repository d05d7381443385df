//! The registrar: `POST /v3/registrations` records where a client's events go
//! (its Trouter `surl`) for a TTL; the client re-registers before it runs out and
//! `DELETE /v3/registrations/{registrationId}` on stop. Registrations are kept in
//! memory and expire; delivery follows the live sockets (decided: the real service's
//! routing through the registration cannot be observed, and the signaling client
//! reports "connected" before it registers).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::super::api_error::ApiError;
use super::super::app::App;
use super::super::store::now_ms;
use super::error_response;
use super::trouter::{skype_caller, skype_token};

/// The longest TTL granted (the client asks for at most 7200 s).
const MAX_TTL_S: i64 = 86_400;
/// Registrations kept at most (expired ones go first).
const MAX_REGISTRATIONS: usize = 100_000;

struct Registration {
    user: String,
    expires_ms: i64,
}

/// Live registrations by registration id.
#[derive(Default)]
pub struct Registrations {
    by_id: Mutex<HashMap<String, Registration>>,
}

impl Registrations {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Registration>> {
        self.by_id.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether `id` is registered and unexpired at `now_ms`.
    #[cfg(test)]
    pub fn is_live(&self, id: &str, now_ms: i64) -> bool {
        self.lock().get(id).is_some_and(|r| r.expires_ms > now_ms)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Register {
    registration_id: String,
    transports: Transports,
}

#[derive(Deserialize)]
#[serde(rename_all = "UPPERCASE")]
struct Transports {
    trouter: Vec<TrouterTransport>,
}

/// One TROUTER transport; its `path` (the socket's `surl`) is not needed, as events
/// follow the live sockets.
#[derive(Deserialize)]
struct TrouterTransport {
    ttl: i64,
}

pub async fn register(State(app): State<Arc<App>>, request: Request) -> Response {
    app.touch();
    let token = skype_token(request.headers());
    let body = axum::body::to_bytes(request.into_body(), 64 * 1024).await;
    let caller = match skype_caller(&app, token).await {
        Ok(c) => c,
        Err(e) => return error_response(e),
    };
    let parsed = body
        .ok()
        .and_then(|b| serde_json::from_slice::<Register>(&b).ok())
        .filter(|r| !r.registration_id.is_empty() && r.registration_id.len() <= 128);
    let Some(reg) = parsed else {
        return error_response(ApiError::bad_request("The registration body is not valid."));
    };
    let Some(t) = reg.transports.trouter.into_iter().next() else {
        return error_response(ApiError::bad_request(
            "The registration names no TROUTER transport.",
        ));
    };
    let now = now_ms();
    let expires_ms = now.saturating_add(t.ttl.clamp(1, MAX_TTL_S) * 1000);
    let mut all = app.realtime.registrations.lock();
    if let Some(existing) = all.get(&reg.registration_id)
        && existing.user != caller.user
        && existing.expires_ms > now
    {
        return error_response(ApiError::forbidden(
            "The registration belongs to another user.",
        ));
    }
    if all.len() >= MAX_REGISTRATIONS {
        all.retain(|_, r| r.expires_ms > now);
    }
    if all.len() >= MAX_REGISTRATIONS && !all.contains_key(&reg.registration_id) {
        return error_response(ApiError::unavailable());
    }
    all.insert(
        reg.registration_id,
        Registration {
            user: caller.user,
            expires_ms,
        },
    );
    StatusCode::ACCEPTED.into_response()
}

pub async fn unregister(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    app.touch();
    let caller = match skype_caller(&app, skype_token(request.headers())).await {
        Ok(c) => c,
        Err(e) => return error_response(e),
    };
    let mut all = app.realtime.registrations.lock();
    match all.get(&id) {
        Some(r) if r.user == caller.user && r.expires_ms > now_ms() => {
            all.remove(&id);
            StatusCode::NO_CONTENT.into_response()
        }
        _ => error_response(ApiError::not_found("No such registration.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrations_expire() {
        let r = Registrations::default();
        r.lock().insert(
            "id".to_owned(),
            Registration {
                user: "8:acs:u".to_owned(),
                expires_ms: 1_000,
            },
        );
        assert!(r.is_live("id", 999));
        assert!(!r.is_live("id", 1_000));
        assert!(!r.is_live("other", 0));
    }
}
