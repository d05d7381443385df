//! Verifies ACS resource-key auth (HMAC-SHA256), used by the Identity API and by the
//! emulator's own shutdown endpoint.
//!
//! The two SDKs differ in what they sign: Python signs the path and query exactly as
//! sent, JS re-encodes the query through `URLSearchParams`; Python's host has the
//! port, JS's `URL.host` drops a default one. So a few candidate strings-to-sign are
//! tried, each compared in constant time.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use time::OffsetDateTime;

use crate::wire::{http_date, signing};

/// How far `x-ms-date` may be from the emulator's clock.
pub const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// The parts of a request the signature covers.
#[derive(Debug, Clone, Copy)]
pub struct SignedRequest<'a> {
    pub method: &'a str,
    /// The path as received (percent-encoding preserved).
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub host: Option<&'a str>,
    pub date: Option<&'a str>,
    pub content_sha256: Option<&'a str>,
    pub authorization: Option<&'a str>,
    pub body: &'a [u8],
}

/// Why a signed request was refused (all become 401; the reason is only logged).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HmacError {
    #[error("missing or malformed {0} header")]
    Header(&'static str),
    #[error("x-ms-date is too far from the current time")]
    StaleDate,
    #[error("x-ms-content-sha256 does not match the body")]
    BodyHash,
    #[error("signature mismatch")]
    Signature,
}

/// Checks `req` against `key` (the decoded access key) at time `now`.
pub fn verify(req: &SignedRequest<'_>, key: &[u8], now: OffsetDateTime) -> Result<(), HmacError> {
    let date = req.date.ok_or(HmacError::Header("x-ms-date"))?;
    let when = http_date::parse(date).ok_or(HmacError::Header("x-ms-date"))?;
    if (now - when).unsigned_abs() > MAX_SKEW {
        return Err(HmacError::StaleDate);
    }
    let hash = req
        .content_sha256
        .ok_or(HmacError::Header("x-ms-content-sha256"))?;
    if hash != signing::content_hash(req.body) {
        return Err(HmacError::BodyHash);
    }
    let signature = parse_authorization(
        req.authorization
            .ok_or(HmacError::Header("authorization"))?,
    )
    .ok_or(HmacError::Header("authorization"))?;
    let host = req.host.ok_or(HmacError::Header("host"))?;
    for path_and_query in path_candidates(req.path, req.query) {
        for host in host_candidates(host) {
            let s = signing::string_to_sign(req.method, &path_and_query, date, host, hash);
            let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(key) else {
                return Err(HmacError::Signature);
            };
            mac.update(s.as_bytes());
            if mac.verify_slice(&signature).is_ok() {
                return Ok(());
            }
        }
    }
    Err(HmacError::Signature)
}

/// `HMAC-SHA256 SignedHeaders=...&Signature=<b64>` -> the decoded signature bytes.
fn parse_authorization(value: &str) -> Option<Vec<u8>> {
    let rest = value.trim().strip_prefix("HMAC-SHA256")?.trim_start();
    let signature = rest
        .split('&')
        .find_map(|part| part.trim().strip_prefix("Signature="))?;
    STANDARD.decode(signature.trim()).ok()
}

/// The query as sent, then re-encoded the way `URLSearchParams.toString()` writes it.
fn path_candidates(path: &str, query: Option<&str>) -> Vec<String> {
    let Some(query) = query.filter(|q| !q.is_empty()) else {
        return vec![path.to_owned()];
    };
    let mut out = vec![format!("{path}?{query}")];
    let reencoded: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(url::form_urlencoded::parse(query.as_bytes()))
        .finish();
    if reencoded != query {
        out.push(format!("{path}?{reencoded}"));
    }
    out
}

/// The Host header, and the same without its port.
fn host_candidates(host: &str) -> Vec<&str> {
    let mut out = vec![host];
    if let Some((name, port)) = host.rsplit_once(':')
        && !name.is_empty()
        && port.bytes().all(|b| b.is_ascii_digit())
        && !name.ends_with(':')
    {
        out.push(name);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"secret key";

    fn signed(method: &str, pq: &str, host: &str, date: &str, body: &[u8]) -> String {
        let s = signing::string_to_sign(method, pq, date, host, &signing::content_hash(body));
        signing::authorization_header(&signing::signature(KEY, &s))
    }

    fn check(
        auth: &str,
        path: &str,
        query: Option<&str>,
        host: &str,
        date: &str,
        body: &[u8],
        hash: &str,
    ) -> Result<(), HmacError> {
        let req = SignedRequest {
            method: "POST",
            path,
            query,
            host: Some(host),
            date: Some(date),
            content_sha256: Some(hash),
            authorization: Some(auth),
            body,
        };
        verify(
            &req,
            KEY,
            http_date::parse(date).unwrap_or(OffsetDateTime::UNIX_EPOCH),
        )
    }

    /// The recorded get-token request of each SDK, as the emulator receives it, with
    /// the signature that SDK would send. The signatures were computed outside this
    /// crate (Python's `hmac` module, key `secret key`) over each SDK's own
    /// string-to-sign, so they pin the variants rather than agree with the signer.
    #[test]
    fn accepts_python_and_js_variants() {
        const PATH: &str = "/identities/8%3Aacs%3A00000000-0000-0000-0000-000000000000_00000000-0000-0000-0000-00000000000a/:issueAccessToken";
        const AUTH: &str =
            "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=";
        let py_body = br#"{"scopes": ["chat"]}"#;
        let js_body = br#"{"scopes":["chat"]}"#;
        // Body hashes as recorded from the SDKs.
        let py_hash = "sZHRO4JkAmw3HcI1PyxrC5twHvkHIWjyMLVIkauXKRA=";
        let js_hash = "J+doRQjtFVYLx3qOvzptwBLjQWqy6OEWEEk1TY1+rT4=";
        let (py_date, js_date) = (
            "Wed, 25 Nov 2026 23:55:42 GMT",
            "Wed, 25 Nov 2026 23:56:00 GMT",
        );
        // Python: path and query as sent, host with its port.
        let python = format!("{AUTH}ykcdkzN8EGnOb71oueszP8XA9r2qcE5N8rQ9V0WiIwc=");
        assert_eq!(
            check(
                &python,
                PATH,
                Some("api-version=2023-10-01"),
                "127.0.0.1:8443",
                py_date,
                py_body,
                py_hash
            ),
            Ok(())
        );
        // JS on the default port: `URL.host` leaves the port out of what it signs.
        let js_host = format!("{AUTH}F7XRNYUeij0Z1pEzA4eQJwP0tjr5bgso1uIo1PECOPU=");
        assert_eq!(
            check(
                &js_host,
                PATH,
                Some("api-version=2023-10-01"),
                "127.0.0.1:443",
                js_date,
                js_body,
                js_hash
            ),
            Ok(())
        );
        // JS signs the query as `URLSearchParams` re-encodes it (`:` as `%3A`).
        let js_query = format!("{AUTH}Cq31FPQcgNQoQrjakj+vNaHZidP9WWvM+z0AyP8LbXg=");
        assert_eq!(
            check(
                &js_query,
                PATH,
                Some("a=x:y&api-version=2023-10-01"),
                "127.0.0.1:8443",
                js_date,
                js_body,
                js_hash
            ),
            Ok(())
        );
        // The signed host counts: another port is another request.
        assert_eq!(
            check(
                &python,
                PATH,
                Some("api-version=2023-10-01"),
                "127.0.0.1:9999",
                py_date,
                py_body,
                py_hash
            ),
            Err(HmacError::Signature)
        );
    }

    #[test]
    fn rejections() {
        let date = "Thu, 26 May 2022 07:59:25 GMT";
        let hash = signing::content_hash(b"");
        let good = signed("POST", "/identities?api-version=1", "h", date, b"");
        assert_eq!(
            check(
                &good,
                "/identities",
                Some("api-version=1"),
                "h",
                date,
                b"",
                &hash
            ),
            Ok(())
        );
        assert_eq!(
            check(
                &good,
                "/other",
                Some("api-version=1"),
                "h",
                date,
                b"",
                &hash
            ),
            Err(HmacError::Signature)
        );
        assert_eq!(
            check(
                &good,
                "/identities",
                Some("api-version=1"),
                "h",
                date,
                b"x",
                &hash
            ),
            Err(HmacError::BodyHash)
        );
        let bad_key = {
            let s = signing::string_to_sign("POST", "/identities?api-version=1", date, "h", &hash);
            signing::authorization_header(&signing::signature(b"other", &s))
        };
        assert_eq!(
            check(
                &bad_key,
                "/identities",
                Some("api-version=1"),
                "h",
                date,
                b"",
                &hash
            ),
            Err(HmacError::Signature)
        );
        assert_eq!(
            check("Bearer x", "/identities", None, "h", date, b"", &hash),
            Err(HmacError::Header("authorization"))
        );
        let req = SignedRequest {
            method: "POST",
            path: "/identities",
            query: Some("api-version=1"),
            host: Some("h"),
            date: Some(date),
            content_sha256: Some(&hash),
            authorization: Some(&good),
            body: b"",
        };
        let later = http_date::parse(date)
            .map(|t| t + Duration::from_secs(16 * 60))
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        assert_eq!(verify(&req, KEY, later), Err(HmacError::StaleDate));
    }
}
