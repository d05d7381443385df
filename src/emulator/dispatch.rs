//! The single axum handler: route, check api-version, read the body (with a size
//! limit), authenticate, throttle, run the endpoint, and dress the answer with the
//! service's headers. Every failure becomes an [`ApiError`] rendered for its API
//! family, so no input can produce a panic, a 5xx or a plain-text rejection.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use rand::RngExt as _;

use super::api_error::{ApiError, Family};
use super::app::App;
use super::auth::{hmac, user_token};
use super::faults::{Fault, Faults};
use super::handlers::{identity, messages, participants, threads};
use super::request::{Reply, Req};
use super::routes::{self, Endpoint, RouteError};
use super::throttle::Op;
use super::{api_version, limits};

/// The axum fallback handler that serves everything.
pub async fn dispatch(State(app): State<Arc<App>>, request: Request) -> Response {
    let started = Instant::now();
    app.touch();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let client_request_id = request.headers().get("x-ms-client-request-id").cloned();
    let with_kind = identifiers_carry_kind(request.uri().query());
    let (family, result) = match routes::resolve(&method, &path) {
        Ok(endpoint) if endpoint.family() != Family::Emulator && app.faults.is_some() => {
            let family = endpoint.family();
            let fault = app.faults.as_ref().and_then(Faults::next);
            if let Some(f) = fault {
                tracing::info!(%method, %path, fault = ?f, "injecting a fault");
            }
            match fault {
                None => (family, handle(&app, endpoint, request).await),
                Some(Fault::TooManyRequests) => {
                    let mut e = ApiError::new(
                        StatusCode::TOO_MANY_REQUESTS,
                        "TooManyRequests",
                        Some("Injected fault.".to_owned()),
                    );
                    e.retry_after = app.faults.as_ref().map(Faults::retry_after_secs);
                    (family, Err(e))
                }
                Some(Fault::Internal) => (
                    family,
                    Err(ApiError::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "InternalError",
                        Some("Injected fault.".to_owned()),
                    )),
                ),
                Some(Fault::Unavailable) => (
                    family,
                    Err(ApiError::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "ServiceUnavailable",
                        Some("Injected fault.".to_owned()),
                    )),
                ),
                Some(Fault::Drop) => return cut_connection(),
                Some(Fault::Lost) => {
                    let _ = handle(&app, endpoint, request).await;
                    return cut_connection();
                }
                Some(Fault::Delay(d)) => {
                    let r = handle(&app, endpoint, request).await;
                    tokio::time::sleep(d).await;
                    (family, r)
                }
            }
        }
        Ok(endpoint) => (endpoint.family(), handle(&app, endpoint, request).await),
        Err(RouteError::NotFound(f)) => (
            f,
            Err(ApiError::not_found("The requested resource was not found.")),
        ),
        Err(RouteError::MethodNotAllowed(f)) => (
            f,
            Err(ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                Some(format!("Method {method} is not allowed here.")),
            )),
        ),
        Err(RouteError::BadEncoding(f)) => (
            f,
            Err(ApiError::bad_request(
                "The request path is not validly percent-encoded.",
            )),
        ),
    };
    let result = match result {
        Ok(reply) if family == Family::Chat && with_kind => Ok(add_identifier_kinds(reply)),
        other => other,
    };
    let mut response = render(result, family);
    let headers = response.headers_mut();
    if let Some(v) =
        api_version::supported_header(family).and_then(|v| HeaderValue::from_str(&v).ok())
    {
        headers.insert("api-supported-versions", v);
    }
    if let Ok(v) = HeaderValue::from_str(&ms_cv()) {
        headers.insert("ms-cv", v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("{}ms", started.elapsed().as_millis())) {
        headers.insert("x-processing-time", v);
    }
    if family == Family::Identity
        && let Some(id) = client_request_id
    {
        headers.insert("x-ms-client-request-id", id);
    }
    tracing::info!(%method, %path, status = response.status().as_u16(), ms = started.elapsed().as_millis() as u64, "request");
    response
}

/// Chat api-versions from 2023-11-07 on write `"kind"` in identifier models.
fn identifiers_carry_kind(query: Option<&str>) -> bool {
    let version = query.and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "api-version")
            .map(|(_, v)| v.into_owned())
    });
    version.is_some_and(|v| v.as_str() >= "2023-11-07")
}

/// Adds `"kind":"communicationUser"` to every identifier model in a reply body.
fn add_identifier_kinds(mut reply: Reply) -> Reply {
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                if map.contains_key("rawId")
                    && map.contains_key("communicationUser")
                    && !map.contains_key("kind")
                {
                    map.insert(
                        "kind".to_owned(),
                        serde_json::Value::String("communicationUser".to_owned()),
                    );
                }
                map.values_mut().for_each(walk);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    if let Some(body) = &reply.body
        && let Ok(mut value) = serde_json::from_str::<serde_json::Value>(body)
    {
        walk(&mut value);
        reply.body = Some(value.to_string());
    }
    reply
}

/// A correlation vector like the service's: 22 base64 characters and `.0`.
fn ms_cv() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill(&mut bytes[..]);
    format!(
        "{}.0",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes)
    )
}

/// A response whose body fails at once: hyper aborts the connection, so the client
/// sees it cut before a complete answer (the `drop` and `lost` faults).
fn cut_connection() -> Response {
    let failing = futures::stream::once(async {
        Err::<axum::body::Bytes, _>(std::io::Error::other("injected fault: connection cut"))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_LENGTH, "64")
        .body(Body::from_stream(failing))
        .unwrap_or_else(|_| Response::new(Body::empty()))
}

fn render(result: Result<Reply, ApiError>, family: Family) -> Response {
    let (status, body, content_type, location, retry_after) = match result {
        Ok(r) => (
            r.status,
            r.body,
            "application/json; charset=utf-8",
            r.location,
            None,
        ),
        Err(e) => (
            e.status,
            e.body(family),
            "application/json",
            None,
            e.retry_after,
        ),
    };
    let mut builder = Response::builder().status(status);
    if body.is_some() {
        builder = builder.header(header::CONTENT_TYPE, content_type);
    }
    if let Some(l) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        builder = builder.header(header::LOCATION, l);
    }
    if let Some(s) = retry_after {
        builder = builder.header(header::RETRY_AFTER, s.to_string());
    }
    let body = match body {
        Some(b) => Body::from(b),
        None => Body::empty(),
    };
    builder
        .body(body)
        .unwrap_or_else(|_| Response::new(Body::empty()))
}

pub(super) fn base_url(app: &App, request: &Request) -> String {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| request.uri().authority().map(|a| a.to_string()))
        .filter(|h| {
            !h.is_empty()
                && h.len() < 256
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".:-[]".contains(&b))
        });
    format!(
        "{}://{}",
        app.scheme,
        host.unwrap_or_else(|| app.fallback_authority.clone())
    )
}

async fn handle(app: &App, endpoint: Endpoint, request: Request) -> Result<Reply, ApiError> {
    let family = endpoint.family();
    let raw_query = request.uri().query().map(str::to_owned);
    let query: Vec<(String, String)> = raw_query
        .as_deref()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let api_version = query
        .iter()
        .find(|(k, _)| k == "api-version")
        .map(|(_, v)| v.as_str());
    api_version::check(family, api_version)?;
    let base = base_url(app, &request);
    let (parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limits::MAX_BODY_BYTES) {
        return Err(ApiError::payload_too_large(limits::MAX_BODY_BYTES));
    }
    let body = axum::body::to_bytes(body, limits::MAX_BODY_BYTES)
        .await
        .map_err(|_| ApiError::payload_too_large(limits::MAX_BODY_BYTES))?;
    let req = Req {
        method: parts.method,
        path: parts.uri.path().to_owned(),
        raw_query,
        query,
        headers: parts.headers,
        body,
        base,
    };
    match family {
        Family::Emulator => emulator_endpoint(app, &req, endpoint),
        Family::Identity => {
            check_hmac(app, &req)?;
            throttle(app, &endpoint, "")?;
            identity_endpoint(app, &req, endpoint).await
        }
        Family::Chat => {
            let caller = bearer_caller(app, &req).await?;
            throttle(app, &endpoint, &caller)?;
            chat_endpoint(app, &req, endpoint, caller).await
        }
    }
}

fn check_hmac(app: &App, req: &Req) -> Result<(), ApiError> {
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
async fn bearer_caller(app: &App, req: &Req) -> Result<String, ApiError> {
    let token = user_token::bearer(&req.headers).ok_or_else(ApiError::unauthorized)?;
    user_token::live_user(app, token).await.map(|t| t.user)
}

fn throttle(app: &App, endpoint: &Endpoint, caller: &str) -> Result<(), ApiError> {
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

fn emulator_endpoint(app: &App, req: &Req, endpoint: Endpoint) -> Result<Reply, ApiError> {
    match endpoint {
        Endpoint::Health => Reply::json(
            StatusCode::OK,
            &serde_json::json!({ "status": "ok", "name": "acs-chat-emulator", "version": env!("CARGO_PKG_VERSION") }),
        ),
        Endpoint::Shutdown => {
            check_hmac(app, req)?;
            tracing::info!("shutdown requested over HTTP");
            app.request_shutdown();
            Ok(Reply::empty(StatusCode::NO_CONTENT))
        }
        _ => Err(ApiError::not_found("The requested resource was not found.")),
    }
}

async fn identity_endpoint(app: &App, req: &Req, endpoint: Endpoint) -> Result<Reply, ApiError> {
    match endpoint {
        Endpoint::CreateIdentity => identity::create(app, req).await,
        Endpoint::IssueToken(u) => identity::issue(app, req, &u).await,
        Endpoint::RevokeTokens(u) => identity::revoke(app, &u).await,
        Endpoint::DeleteIdentity(u) => identity::delete(app, &u).await,
        Endpoint::GetIdentity(u) => identity::get(app, &u).await,
        _ => Err(ApiError::not_found("The requested resource was not found.")),
    }
}

async fn chat_endpoint(
    app: &App,
    req: &Req,
    endpoint: Endpoint,
    caller: String,
) -> Result<Reply, ApiError> {
    use Endpoint::*;
    match endpoint {
        ListThreads => threads::list(app, req, caller).await,
        CreateThread => threads::create(app, req, caller).await,
        GetThread(t) => threads::get(app, caller, &t).await,
        UpdateThread(t) => threads::update(app, req, caller, &t).await,
        DeleteThread(t) => threads::delete(app, caller, &t).await,
        ListMessages(t) => messages::list(app, req, caller, &t).await,
        SendMessage(t) => messages::send(app, req, caller, &t).await,
        GetMessage(t, m) => messages::get(app, caller, &t, &m).await,
        UpdateMessage(t, m) => messages::update(app, req, caller, &t, &m).await,
        DeleteMessage(t, m) => messages::delete(app, caller, &t, &m).await,
        ListParticipants(t) => participants::list(app, req, caller, &t).await,
        AddParticipants(t) => participants::add(app, req, caller, &t).await,
        RemoveParticipant(t) => participants::remove(app, req, caller, &t).await,
        Typing(t) => participants::typing(app, req, caller, &t).await,
        ListReadReceipts(t) => participants::list_receipts(app, req, caller, &t).await,
        SendReadReceipt(t) => participants::send_receipt(app, req, caller, &t).await,
        _ => Err(ApiError::not_found("The requested resource was not found.")),
    }
}
