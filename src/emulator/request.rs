//! One request as the handlers see it (decoded query, headers, the whole body, the
//! base URL it was addressed to) and one successful reply.

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode};
use serde::de::DeserializeOwned;

use super::api_error::ApiError;

/// A request whose route, api-version and auth were already checked.
#[derive(Debug)]
pub struct Req {
    pub method: Method,
    /// The path as received (still percent-encoded).
    pub path: String,
    pub raw_query: Option<String>,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// `scheme://authority` the client used: nextLinks and `Location`s point back to it.
    pub base: String,
}

impl Req {
    /// The first value of query parameter `name`.
    pub fn q(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn api_version(&self) -> String {
        self.q("api-version").unwrap_or_default().to_owned()
    }

    /// The body as JSON `T`; a missing, malformed or mistyped body is a 400.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::bad_request("The request body is required."));
        }
        serde_json::from_slice(&self.body)
            .map_err(|e| ApiError::bad_request(format!("The request body is invalid: {e}.")))
    }

    /// Like [`Req::json`], but an empty body means `T::default()`.
    pub fn json_or_default<T: DeserializeOwned + Default>(&self) -> Result<T, ApiError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            Ok(T::default())
        } else {
            self.json()
        }
    }

    /// A timestamp query parameter (`startTime`) in epoch ms; 0 when absent.
    pub fn time_param(&self, name: &str) -> Result<i64, ApiError> {
        let Some(raw) = self.q(name) else {
            return Ok(0);
        };
        // A literal `+` in the offset arrives as a space after form decoding.
        let t = crate::wire::timestamp::parse(raw)
            .or_else(|| crate::wire::timestamp::parse(&raw.replace(' ', "+")))
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "Value for {name} ({raw}) is not a valid RFC 3339 timestamp."
                ))
            })?;
        Ok(((t.unix_timestamp_nanos() / 1_000_000) as i64).max(0))
    }
}

/// A successful answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Option<String>,
    pub location: Option<String>,
}

impl Reply {
    pub fn json<T: serde::Serialize>(status: StatusCode, value: &T) -> Result<Self, ApiError> {
        let body = serde_json::to_string(value).map_err(|_| ApiError::unavailable())?;
        Ok(Self {
            status,
            body: Some(body),
            location: None,
        })
    }

    pub fn raw_json(status: StatusCode, body: String) -> Self {
        Self {
            status,
            body: Some(body),
            location: None,
        }
    }

    pub fn empty(status: StatusCode) -> Self {
        Self {
            status,
            body: None,
            location: None,
        }
    }

    pub fn with_location(mut self, location: String) -> Self {
        self.location = Some(location);
        self
    }
}

/// Encodes an id for a URL path the way the service writes `Location`: `:` as
/// `%3A`, other reserved characters too, but `@` kept.
pub fn path_id(id: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'@')
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(id, SET).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_encoding_matches_service() {
        assert_eq!(path_id("19:abc@thread.v2"), "19%3Aabc@thread.v2");
        assert_eq!(path_id("8:acs:r_u-1"), "8%3Aacs%3Ar_u-1");
    }
}
