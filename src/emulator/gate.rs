//! Who may call: HMAC for Identity (and the shutdown endpoint), bearer tokens for
//! Chat, and the documented rate limits (`--throttle`).

use std::time::Instant;

use super::api_error::ApiError;
use super::app::App;
use super::auth::{hmac, user_token};
use super::request::Req;
use super::routes::Endpoint;
use super::throttle::Op;

/// Refuses a request whose `Host` names something other than loopback, when the
/// emulator serves plain http on loopback ([`App::loopback_hosts_only`]). A page of
/// `evil.example` that rebinds its name to 127.0.0.1 sends `Host: evil.example:…`;
/// a client that means the emulator names it by a loopback address or `localhost`.
/// A request with no `Host` (HTTP/1.0 tools) comes from no browser and passes.
pub(super) fn check_host(app: &App, host: Option<&str>) -> Result<(), ApiError> {
    if !app.loopback_hosts_only {
        return Ok(());
    }
    match host {
        None => Ok(()),
        Some(h) if names_loopback(h) => Ok(()),
        Some(_) => Err(ApiError::new(
            axum::http::StatusCode::MISDIRECTED_REQUEST,
            "MisdirectedRequest",
            Some(
                "This emulator serves plain http on loopback and answers only requests for \
                 127.0.0.1, [::1] or localhost."
                    .to_owned(),
            ),
        )),
    }
}

/// The host a request names: its `Host` header, or for HTTP/2 the URI's authority.
/// A Host that is not text names no loopback address.
pub(super) fn request_host(request: &axum::extract::Request) -> Option<String> {
    match request.headers().get(axum::http::header::HOST) {
        Some(h) => Some(h.to_str().unwrap_or_default().to_owned()),
        None => request.uri().authority().map(|a| a.to_string()),
    }
}

/// Whether a `Host` value (`name[:port]`, `[v6][:port]`) names a loopback address.
fn names_loopback(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(name, _port)| name),
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

pub(super) fn check_hmac(app: &App, req: &Req) -> Result<(), ApiError> {
    let signed = hmac::SignedRequest {
        method: req.method.as_str(),
        path: &req.path,
        query: req.raw_query.as_deref(),
        host: req.header("host").or_else(|| req.base.split("://").nth(1)),
        date: req.header("x-ms-date"),
        content_sha256: req.header("x-ms-content-sha256"),
        authorization: req.header("authorization"),
        body: &req.body,
    };
    hmac::verify(&signed, &app.access_key, time::OffsetDateTime::now_utc()).map_err(|e| {
        tracing::debug!(reason = %e, "HMAC authentication failed");
        ApiError::unauthorized()
    })
}

/// The raw id of the user a valid, live, chat-scoped bearer token belongs to.
pub(super) async fn bearer_caller(app: &App, req: &Req) -> Result<String, ApiError> {
    let token = user_token::bearer(&req.headers).ok_or_else(ApiError::unauthorized)?;
    user_token::live_user(app, token).await.map(|t| t.user)
}

pub(super) fn throttle(app: &App, endpoint: &Endpoint, caller: &str) -> Result<(), ApiError> {
    let Some(t) = &app.throttle else {
        return Ok(());
    };
    use Endpoint::*;
    let (op, thread) = match endpoint {
        CreateThread => (Op::CreateThread, None),
        ListThreads => (Op::GetOrListThreads, None),
        GetThread(t) => (Op::GetOrListThreads, Some(t)),
        DeleteThread(_) => (Op::DeleteThread, None),
        UpdateThread(t) => (Op::UpdateThread, Some(t)),
        AddParticipants(t) | RemoveParticipant(t) => (Op::ChangeParticipants, Some(t)),
        ListParticipants(t) => (Op::ListParticipants, Some(t)),
        GetMessage(t, _) => (Op::GetMessage, Some(t)),
        ListMessages(t) => (Op::ListMessages, Some(t)),
        SendMessage(t) | UpdateMessage(t, _) | DeleteMessage(t, _) => (Op::ChangeMessage, Some(t)),
        ListReadReceipts(t) => (Op::ListReadReceipts, Some(t)),
        SendReadReceipt(t) => (Op::SendReadReceipt, Some(t)),
        Typing(t) => (Op::Typing, Some(t)),
        CreateIdentity => (Op::CreateIdentity, None),
        DeleteIdentity(_) => (Op::DeleteIdentity, None),
        IssueToken(_) => (Op::IssueToken, None),
        RevokeTokens(_) => (Op::RevokeTokens, None),
        _ => return Ok(()),
    };
    t.check(op, caller, thread.map(String::as_str), Instant::now())
        .map_err(ApiError::too_many_requests)
}
