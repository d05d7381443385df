//! Reading a request body within [`limits::MAX_BODY_BYTES`].
//!
//! An over-limit body is still read (and thrown away) up to a bound before the 413
//! goes out. Answering while the client is still sending makes the server close a
//! connection with unread data in it: over TLS the client then sees the connection cut
//! ("EOF occurred in violation of protocol") instead of the 413, and over HTTP/2 the
//! stream is reset. Draining lets the client finish sending and read the answer, and
//! keeps the connection usable. Past the bound (or the time limit) the connection is
//! given up: a client sending that much gets cut, as from any server.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, header};
use futures::StreamExt as _;

use super::api_error::ApiError;
use super::limits::{MAX_BODY_BYTES, MAX_DRAIN_BYTES};

/// How long draining an over-limit body may take.
const DRAIN_TIME: Duration = Duration::from_secs(10);

/// The whole body, or a 413 once it is known to be over the limit.
pub async fn read(headers: &HeaderMap, body: Body) -> Result<Bytes, ApiError> {
    let too_large = || ApiError::payload_too_large(MAX_BODY_BYTES);
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    match declared {
        Some(n) if n > MAX_BODY_BYTES as u64 => {
            // A client waiting for `100 Continue` has sent nothing yet: reading would
            // only make it send what is refused anyway.
            if !expects_continue(headers) {
                drain(body.into_data_stream(), 0).await;
            }
            Err(too_large())
        }
        // The length is declared and within the limit (hyper holds the client to it).
        Some(_) => axum::body::to_bytes(body, MAX_BODY_BYTES)
            .await
            .map_err(|_| too_large()),
        None => read_chunked(body).await,
    }
}

/// A body without a declared length: the limit shows only while reading.
async fn read_chunked(body: Body) -> Result<Bytes, ApiError> {
    let mut stream = body.into_data_stream();
    let mut whole = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| ApiError::bad_request("The request body was cut off."))?;
        if whole.len().saturating_add(chunk.len()) > MAX_BODY_BYTES {
            drain(stream, whole.len().saturating_add(chunk.len())).await;
            return Err(ApiError::payload_too_large(MAX_BODY_BYTES));
        }
        whole.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(whole))
}

fn expects_continue(headers: &HeaderMap) -> bool {
    headers
        .get(header::EXPECT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
}

/// Reads and drops the rest of a body, up to [`MAX_DRAIN_BYTES`] in all (`read` of
/// them already read) and [`DRAIN_TIME`].
async fn drain(mut stream: axum::body::BodyDataStream, read: usize) {
    let mut total = read;
    let _ = tokio::time::timeout(DRAIN_TIME, async {
        while total <= MAX_DRAIN_BYTES {
            match stream.next().await {
                Some(Ok(chunk)) => total = total.saturating_add(chunk.len()),
                Some(Err(_)) | None => return,
            }
        }
    })
    .await;
}
