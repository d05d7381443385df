//! Dressing an answer as the service does: the error or reply body for its API
//! family, the `kind` of identifiers in newer Chat api-versions, and the headers every
//! response carries (`api-supported-versions`, `ms-cv`, `x-processing-time`).

use std::time::Instant;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use rand::RngExt as _;

use super::api_error::{ApiError, Family};
use super::api_version;
use super::request::Reply;

/// Chat api-versions from 2023-11-07 on write `"kind"` in identifier models.
pub(super) fn identifiers_carry_kind(query: Option<&str>) -> bool {
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
pub(super) fn cut_connection() -> Response {
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

/// The response for `result`, with the headers the service puts on every answer.
pub(super) fn finish(
    result: Result<Reply, ApiError>,
    family: Family,
    with_kind: bool,
    started: Instant,
    client_request_id: Option<HeaderValue>,
) -> Response {
    let result = match result {
        Ok(reply) if family == Family::Chat && with_kind => Ok(add_identifier_kinds(reply)),
        other => other,
    };
    dress(render(result, family), family, started, client_request_id)
}

/// An error answer for `family`, without the per-answer headers ([`dress`] adds them).
pub(super) fn error(e: ApiError, family: Family) -> Response {
    render(Err(e), family)
}

/// Adds the headers the service puts on every answer of `family`.
pub(super) fn dress(
    mut response: Response,
    family: Family,
    started: Instant,
    client_request_id: Option<HeaderValue>,
) -> Response {
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
    response
}
