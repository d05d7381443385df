//! CORS, so that browser apps (the official JS SDK, the ACS UI library) can call the
//! emulator from their own origin. Chat and real-time calls carry user tokens as bearer
//! / `X-Skypetoken` headers, never cookies, so any origin may make them by default; the
//! routes signed with the (public) development key serve loopback pages only (see
//! [`preflights_only`]). `serve --cors-origin` narrows both to a list.
//!
//! Preflights ask for `authorization`, `content-type`, `x-ms-client-request-id`,
//! `x-ms-useragent` (the REST SDK) and `x-skypetoken` (the Trouter client); rather than
//! chase every `x-ms-*` an SDK version may add, a preflight is granted the headers it
//! asks for.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer, ExposeHeaders};

use super::api_error::{ApiError, Family};
use super::app::App;
use super::{dispatch, respond};

/// How long a browser may cache a preflight (Chromium caps it at two hours).
const MAX_AGE: Duration = Duration::from_secs(7200);

/// Response headers the SDKs read and a page may see.
const EXPOSED: &[&str] = &[
    "location",
    "retry-after",
    "x-ms-request-id",
    "x-ms-client-request-id",
    "ms-cv",
    "api-supported-versions",
    "x-processing-time",
    "repeatability-result",
];

/// Why a `--cors-origin` value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{0}' is not an origin: expected scheme://host[:port] with no path, e.g. http://localhost:5173"
)]
pub struct BadOrigin(pub String);

/// Parses one `--cors-origin` value into the form browsers send in `Origin`.
pub fn parse_origin(raw: &str) -> Result<String, BadOrigin> {
    let bad = || BadOrigin(raw.to_owned());
    let url = url::Url::parse(raw.trim()).map_err(|_| bad())?;
    let origin = url.origin();
    if !origin.is_tuple()
        || !matches!(url.path(), "" | "/")
        || url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
    {
        return Err(bad());
    }
    Ok(origin.ascii_serialization())
}

/// The CORS layer: any origin when `origins` is empty, else exactly those.
pub fn layer(origins: &[String]) -> CorsLayer {
    let allow_origin = if origins.is_empty() {
        AllowOrigin::mirror_request()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers(ExposeHeaders::list(
            EXPOSED.iter().map(|h| HeaderName::from_static(h)),
        ))
        .max_age(MAX_AGE)
}

/// Runs outside the CORS layer, which takes every `OPTIONS` for a preflight. A real
/// preflight (an `Access-Control-Request-Method` header) is answered `204 No Content`
/// (the layer says 200 with an empty body; browsers accept both, 204 says what it is).
/// Any other `OPTIONS` is no browser's and goes straight to the API, which answers it
/// as the service does any unsupported method (405 in the service's error shape).
///
/// The routes signed with the access key (Identity, `/emulator/*`) are another matter:
/// the development key is public, so a page of any origin could sign with it and mint
/// tokens or subscribe a webhook to every message. Without `--cors-origin` those routes
/// serve only pages of loopback origins (a local web app's dev server); a foreign
/// origin's request or preflight there gets 403 and no CORS grant.
pub async fn preflights_only(
    State(app): State<Arc<App>>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(family) = signed_with_the_key(request.uri().path())
        && let Some(origin) = request.headers().get(header::ORIGIN)
        && !key_routes_allow(&app.cors_origins, origin)
    {
        let refused = ApiError::forbidden(
            "Pages of this origin may not call the routes signed with the access key; \
             serve --cors-origin lists the origins that may.",
        );
        return respond::finish(Err(refused), family, false, Instant::now(), None);
    }
    if request.method() != Method::OPTIONS {
        return next.run(request).await;
    }
    if !request
        .headers()
        .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
    {
        return dispatch::dispatch(State(app), request).await;
    }
    let mut response = next.run(request).await;
    if response.status() == StatusCode::OK {
        *response.status_mut() = StatusCode::NO_CONTENT;
    }
    response
}

/// The API family of a path signed with the access key, or `None` for the Chat and
/// real-time routes (bearer tokens, which a foreign page does not have).
fn signed_with_the_key(path: &str) -> Option<Family> {
    let path = path.trim_start_matches('/');
    if path == "identities" || path.starts_with("identities/") {
        Some(Family::Identity)
    } else if path.starts_with("emulator/") {
        Some(Family::Emulator)
    } else {
        None
    }
}

/// Whether a page of `origin` may call the key's routes: one of `--cors-origin`'s when
/// given, else any loopback origin (`http://localhost:5173`, `https://127.0.0.1:8080`).
fn key_routes_allow(configured: &[String], origin: &HeaderValue) -> bool {
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    if !configured.is_empty() {
        return configured.iter().any(|o| o == origin);
    }
    url::Url::parse(origin).is_ok_and(|u| crate::local::is_loopback(&u))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_parse_to_what_browsers_send() {
        assert_eq!(
            parse_origin("http://localhost:5173/"),
            Ok("http://localhost:5173".to_owned())
        );
        assert_eq!(
            parse_origin("https://App.Example.com"),
            Ok("https://app.example.com".to_owned())
        );
        assert_eq!(
            parse_origin("https://example.com:443"),
            Ok("https://example.com".to_owned())
        );
        for bad in [
            "localhost:5173",
            "http://x/app",
            "http://x/?a",
            "*",
            "",
            "file:///tmp",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad} should be refused");
        }
    }
}
