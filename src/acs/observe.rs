//! What the [`HttpObserver`](super::HttpObserver) gets: one [`HttpExchange`] per
//! attempt, built from the request and its outcome with every secret redacted.

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use super::config::HttpExchange;
use super::failures::AttemptError;
use super::redact;
use super::transport::Call;

pub(crate) fn exchange(
    call: &Call<'_>,
    attempt: u32,
    elapsed: std::time::Duration,
    sent: &HeaderMap,
    result: &std::result::Result<(StatusCode, HeaderMap, Vec<u8>), AttemptError>,
) -> HttpExchange {
    let headers = |h: &HeaderMap| {
        h.iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    redact::header(k.as_str(), &String::from_utf8_lossy(v.as_bytes())),
                )
            })
            .collect()
    };
    let (status, response_headers, response_body, error) = match result {
        Ok((s, h, b)) => (Some(s.as_u16()), headers(h), redact::body(b), None),
        Err(AttemptError::Fatal(e) | AttemptError::Failed(_, e)) => {
            (None, Vec::new(), None, Some(e.to_string()))
        }
    };
    HttpExchange {
        method: call.method.to_string(),
        url: redact::url(&call.url),
        attempt,
        status,
        elapsed,
        request_headers: headers(sent),
        request_body: redact::body(&call.body),
        response_headers,
        response_body,
        error,
    }
}
