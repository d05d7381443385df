//! How an attempt failed below HTTP: the transport error mapped onto the retry
//! table's terms, with a one-line message that names the host and the cause.

use url::Url;

use super::error::{Error, ErrorKind};
use super::retry::Failure;
use super::transport::MAX_BODY;

/// How one attempt ended, when it did not produce a response.
pub(crate) enum AttemptError {
    /// Retrying cannot help (bad credential, bad header, TLS refusal).
    Fatal(Error),
    Failed(Failure, Error),
}

/// Why reading an answer failed.
pub(crate) enum ReadError {
    Http(reqwest::Error),
    TooLarge,
}

pub(crate) fn host_of(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// Maps a transport error to the retry table's terms. TLS refusals (unknown CA, wrong
/// name) are fatal: retrying a certificate problem only delays the message.
pub(crate) fn classify(e: ReadError, url: &Url) -> AttemptError {
    let e = match e {
        ReadError::TooLarge => {
            return AttemptError::Fatal(Error::invalid_response(format!(
                "the answer is larger than {MAX_BODY} bytes"
            )));
        }
        ReadError::Http(e) => e,
    };
    let host = host_of(url);
    if is_tls_error(&e) {
        return AttemptError::Fatal(Error::new(
            ErrorKind::Connect,
            format!("TLS with {host} failed: {}", chain(&e)),
        ));
    }
    if e.is_connect() {
        return AttemptError::Failed(
            Failure::Connect,
            Error::new(
                ErrorKind::Connect,
                format!("could not connect to {host}: {}", chain(&e)),
            ),
        );
    }
    if e.is_timeout() {
        return AttemptError::Failed(
            Failure::Timeout,
            Error::new(ErrorKind::Timeout, format!("{host} did not answer in time")),
        );
    }
    if e.is_builder() {
        return AttemptError::Fatal(Error::config(format!(
            "could not build the request: {}",
            chain(&e)
        )));
    }
    AttemptError::Failed(
        Failure::Dropped,
        Error::new(
            ErrorKind::Connect,
            format!("the connection to {host} broke: {}", chain(&e)),
        ),
    )
}

fn is_tls_error(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = current {
        // `io::Error::source` skips the error it wraps, so look inside explicitly
        // (the TLS stack nests a rustls error two `io::Error`s deep).
        let mut inner = err;
        loop {
            if inner.downcast_ref::<rustls::Error>().is_some() {
                return true;
            }
            match inner
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
            {
                Some(wrapped) => inner = wrapped,
                None => break,
            }
        }
        current = err.source();
    }
    false
}

/// The error and its causes on one line, without repeats.
pub(crate) fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = current {
        let text = err.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = err.source();
    }
    parts.join(": ")
}
