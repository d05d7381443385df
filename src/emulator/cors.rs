//! CORS, so that browser apps (the official JS SDK, the ACS UI library) can call the
//! emulator from their own origin. Tokens travel as bearer / `X-Skypetoken` headers,
//! never as cookies, so any origin may be allowed by default; `serve --cors-origin`
//! narrows it to a list.
//!
//! Preflights ask for `authorization`, `content-type`, `x-ms-client-request-id`,
//! `x-ms-useragent` (the REST SDK) and `x-skypetoken` (the Trouter client); rather than
//! chase every `x-ms-*` an SDK version may add, a preflight is granted the headers it
//! asks for (what a page may send is not what protects this API: the token is).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// How long a browser may cache a preflight (Chromium caps it at two hours).
const MAX_AGE: Duration = Duration::from_secs(7200);

const METHODS: &str = "GET, POST, PUT, PATCH, DELETE, OPTIONS";

/// Response headers the SDKs read and a page may see.
const EXPOSED: &str = "location, retry-after, x-ms-request-id, x-ms-client-request-id, ms-cv, \
api-supported-versions, x-processing-time, repeatability-result";

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

/// Which origins may call: all (`None`) or those listed.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    origins: Option<Vec<String>>,
}

impl Policy {
    /// Any origin when `origins` is empty, else exactly those (as [`parse_origin`] gives).
    pub fn new(origins: &[String]) -> Arc<Self> {
        Arc::new(Self {
            origins: (!origins.is_empty()).then(|| origins.to_vec()),
        })
    }

    /// The request's `Origin`, if it may call.
    fn allowed<'a>(&self, headers: &'a HeaderMap) -> Option<&'a HeaderValue> {
        let origin = headers.get(header::ORIGIN)?;
        match &self.origins {
            None => Some(origin),
            Some(list) => {
                let o = origin.to_str().ok()?;
                list.iter().any(|l| l == o).then_some(origin)
            }
        }
    }
}

/// The middleware. A preflight (`OPTIONS` with `Origin` and
/// `Access-Control-Request-Method`) is answered here with `204`; any other request goes
/// on, and its answer (errors too) gets the CORS headers. A plain `OPTIONS` is no
/// preflight and gets the API's own answer. (tower-http's layer answers every `OPTIONS`
/// itself, with 200.)
pub async fn cors(State(policy): State<Arc<Policy>>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let allowed = policy.allowed(headers).cloned();
    let preflight = request.method() == Method::OPTIONS
        && headers.contains_key(header::ORIGIN)
        && headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if preflight {
        let asked = headers.get(header::ACCESS_CONTROL_REQUEST_HEADERS).cloned();
        let mut response = StatusCode::NO_CONTENT.into_response();
        let out = response.headers_mut();
        out.insert(
            header::VARY,
            HeaderValue::from_static(
                "origin, access-control-request-method, access-control-request-headers",
            ),
        );
        if let Some(origin) = allowed {
            out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            out.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static(METHODS),
            );
            if let Some(asked) = asked {
                out.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, asked);
            }
            out.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from(MAX_AGE.as_secs()),
            );
        }
        return response;
    }
    let mut response = next.run(request).await;
    let out = response.headers_mut();
    out.append(header::VARY, HeaderValue::from_static("origin"));
    if let Some(origin) = allowed {
        out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        out.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED),
        );
    }
    response
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
