//! The single axum handler: route, inject faults (`--faults`), check api-version,
//! read the body (with a size limit), pass the gate (`gate`: auth, throttle), run the
//! endpoint (`endpoints`) and dress the answer (`respond`). Every failure becomes an [`ApiError`] rendered for its API
//! family, so no input can produce a panic, a 5xx or a plain-text rejection.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::Response;

use super::api_error::{ApiError, Family};
use super::app::App;
use super::endpoints::{chat_endpoint, emulator_endpoint, identity_endpoint};
use super::faults::{Fault, Faults};
use super::gate::{bearer_caller, check_hmac, check_host, request_host, throttle};
use super::request::{Reply, Req};
use super::respond::{self, cut_connection, identifiers_carry_kind};
use super::routes::{self, Endpoint, RouteError};
use super::{api_version, body};

/// The axum fallback handler that serves everything.
pub async fn dispatch(State(app): State<Arc<App>>, request: Request) -> Response {
    let started = Instant::now();
    app.touch();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let client_request_id = request.headers().get("x-ms-client-request-id").cloned();
    let with_kind = identifiers_carry_kind(request.uri().query());
    let host = request_host(&request);
    let route = routes::resolve(&method, &path);
    if let Err(e) = check_host(&app, host.as_deref()) {
        let family = match &route {
            Ok(endpoint) => endpoint.family(),
            Err(
                RouteError::NotFound(f)
                | RouteError::MethodNotAllowed(f)
                | RouteError::BadEncoding(f),
            ) => *f,
        };
        return respond::finish(Err(e), family, with_kind, started, client_request_id);
    }
    let (family, result) = match route {
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
    let response = respond::finish(result, family, with_kind, started, client_request_id);
    let (status, ms) = (
        response.status().as_u16(),
        started.elapsed().as_millis() as u64,
    );
    if app.quiet_requests {
        tracing::debug!(%method, %path, status, ms, "request");
    } else {
        tracing::info!(%method, %path, status, ms, "request");
    }
    response
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
    let body = body::read(&parts.headers, body).await?;
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
        Family::Emulator => emulator_endpoint(app, &req, endpoint).await,
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
