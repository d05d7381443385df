//! Resource-key (HMAC-SHA256) request signing for the Identity API, computed from the
//! very `Url` that goes on the wire so the signed path, query and host match it.

use time::OffsetDateTime;
use url::Url;

use crate::wire::http_date;
use crate::wire::signing;

/// The three headers of a signed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SignedHeaders {
    /// `x-ms-date`
    pub date: String,
    /// `x-ms-content-sha256`
    pub content_hash: String,
    /// `Authorization`
    pub authorization: String,
}

/// Signs `method url` with `body` at time `now` under the decoded access key.
pub(crate) fn sign(
    key: &[u8],
    method: &str,
    url: &Url,
    body: &[u8],
    now: OffsetDateTime,
) -> SignedHeaders {
    let date = http_date::format(now);
    let content_hash = signing::content_hash(body);
    let to_sign = signing::string_to_sign(
        method,
        &path_and_query(url),
        &date,
        &host(url),
        &content_hash,
    );
    let authorization = signing::authorization_header(&signing::signature(key, &to_sign));
    SignedHeaders {
        date,
        content_hash,
        authorization,
    }
}

/// The `Host` header the HTTP stack derives from `url`: the host, plus `:port` only
/// when it is not the scheme's default (`Url::port` is `None` for default ports).
pub(crate) fn host(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

/// The request target as sent: path and `?query`, percent-encoding untouched.
pub(crate) fn path_and_query(url: &Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values computed independently (Python hmac/hashlib) for this input.
    #[test]
    fn fixed_vector() {
        let key = b"acs-chat test key";
        let url = Url::parse("https://127.0.0.1:47443/identities/8%3Aacs%3Ar_u/:issueAccessToken?api-version=2023-10-01")
            .expect("url");
        let now = http_date::parse("Thu, 26 May 2022 07:59:25 GMT").expect("date");
        let h = sign(key, "post", &url, br#"{"scopes":["chat"]}"#, now);
        assert_eq!(h.date, "Thu, 26 May 2022 07:59:25 GMT");
        assert_eq!(
            h.content_hash,
            "J+doRQjtFVYLx3qOvzptwBLjQWqy6OEWEEk1TY1+rT4="
        );
        assert_eq!(
            h.authorization,
            "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=V6X0q5BMKyC5pdqWmtAT0tSyuL2/Y/vYssUZOaDy+T4="
        );
    }

    #[test]
    fn host_includes_only_non_default_ports() {
        let h = |s: &str| host(&Url::parse(s).expect("url"));
        assert_eq!(
            h("https://x.communication.azure.com/"),
            "x.communication.azure.com"
        );
        assert_eq!(h("https://x:443/"), "x");
        assert_eq!(h("http://127.0.0.1:80/"), "127.0.0.1");
        assert_eq!(h("https://127.0.0.1:47443/"), "127.0.0.1:47443");
        assert_eq!(h("http://[::1]:8080/"), "[::1]:8080");
    }

    #[test]
    fn path_and_query_keeps_encoding() {
        let u = Url::parse("https://h/identities/8%3Aacs%3Ax?api-version=2023-10-01").expect("url");
        assert_eq!(
            path_and_query(&u),
            "/identities/8%3Aacs%3Ax?api-version=2023-10-01"
        );
        assert_eq!(
            path_and_query(&Url::parse("https://h/identities").expect("url")),
            "/identities"
        );
    }
}
