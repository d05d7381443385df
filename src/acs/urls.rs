//! Building request URLs: the endpoint base, percent-encoded ids in paths, the
//! `api-version` query, following `nextLink`s safely, and the plain-http guard.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use url::Url;

use super::error::{Error, ErrorKind, Result};

/// Everything but RFC 3986 unreserved characters is encoded, so `19:x@thread.v2`
/// becomes `19%3Ax%40thread.v2` and `8:acs:...` becomes `8%3Aacs%3A...`, as the SDKs send.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Checks that an endpoint is usable and gives it a trailing `/`, so relative paths
/// join below it rather than replacing its last segment.
pub(crate) fn normalize_endpoint(mut url: Url) -> Result<Url> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::config(format!(
            "endpoint {url} must use https:// (or http:// on loopback)"
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::config(format!("endpoint {url} has no host")));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::config(
            "endpoint must not contain a user name or password",
        ));
    }
    url.set_query(None);
    url.set_fragment(None);
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// One path segment holding an id, percent-encoded. Empty ids are refused: they would
/// silently address the collection instead of the item.
pub(crate) fn segment(what: &str, id: &str) -> Result<String> {
    if id.is_empty() {
        return Err(Error::config(format!("{what} is empty")));
    }
    // A segment of only dots is resolved away by URL parsing (`%2E` too, per the URL
    // standard), so it would address another resource: no ACS id looks like that.
    if id.bytes().all(|b| b == b'.') {
        return Err(Error::config(format!("{what} {id:?} is not a valid id")));
    }
    Ok(utf8_percent_encode(id, SEGMENT).to_string())
}

/// `endpoint` + `path` (already encoded) + `?api-version=...` + `query`.
pub(crate) fn build(
    endpoint: &Url,
    path: &str,
    api_version: &str,
    query: &[(&str, String)],
) -> Result<Url> {
    let mut url = endpoint.join(path).map_err(|e| {
        Error::config(format!(
            "cannot build a URL from {endpoint} and {path:?}: {e}"
        ))
    })?;
    {
        let mut pairs = url.query_pairs_mut();
        for (name, value) in query {
            pairs.append_pair(name, value);
        }
        pairs.append_pair("api-version", api_version);
    }
    Ok(url)
}

/// A `nextLink` from a list response, followed as-is: it must point at the same scheme,
/// host and port as the endpoint (a link elsewhere would carry our credential there).
/// A relative link is resolved against the endpoint; a link without `api-version` gets ours.
pub(crate) fn next_link(endpoint: &Url, link: &str, api_version: &str) -> Result<Url> {
    let url = endpoint.join(link.trim()).map_err(|e| {
        Error::invalid_response(format!("the service sent an unusable nextLink: {e}"))
    })?;
    if url.origin() != endpoint.origin() {
        return Err(Error::invalid_response(format!(
            "refusing to follow a nextLink to {} (the endpoint is {})",
            origin_text(&url),
            origin_text(endpoint)
        )));
    }
    if url.query_pairs().any(|(k, _)| k == "api-version") {
        return Ok(url);
    }
    let mut url = url;
    url.query_pairs_mut()
        .append_pair("api-version", api_version);
    Ok(url)
}

fn origin_text(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// Refuses to send a credential over plain http except to this machine
/// ([`crate::local::is_loopback`]: the one loopback rule).
pub(crate) fn check_secure(url: &Url, credential: &str) -> Result<()> {
    if url.scheme() == "https" || crate::local::is_loopback(url) {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::InsecureTransport,
        format!(
            "refusing to send {credential} over plain http to {}; use https:// (plain http is allowed only on loopback)",
            origin_text(url)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("test URL")
    }

    #[test]
    fn encodes_ids_like_the_sdks() {
        assert_eq!(
            segment("thread id", "19:abc_-x@thread.v2").expect("ok"),
            "19%3Aabc_-x%40thread.v2"
        );
        assert_eq!(
            segment("user id", "8:acs:r_u").expect("ok"),
            "8%3Aacs%3Ar_u"
        );
        assert_eq!(segment("id", "a/b?c#d e").expect("ok"), "a%2Fb%3Fc%23d%20e");
        assert!(
            segment("id", "..").is_err(),
            "a dot segment would address the parent"
        );
        assert!(segment("thread id", "").is_err());
    }

    #[test]
    fn builds_paths_under_the_endpoint() {
        let base = normalize_endpoint(url("https://h:8443/sub")).expect("ok");
        let id = segment("thread id", "19:a@thread.v2").expect("ok");
        let u = build(
            &base,
            &format!("chat/threads/{id}/participants/:add"),
            "2025-03-15",
            &[],
        )
        .expect("ok");
        assert_eq!(
            u.as_str(),
            "https://h:8443/sub/chat/threads/19%3Aa%40thread.v2/participants/:add?api-version=2025-03-15"
        );
        let u = build(
            &base,
            "chat/threads",
            "v",
            &[("startTime", "2024-01-01T00:00:00.000Z".into())],
        )
        .expect("ok");
        assert_eq!(
            u.query(),
            Some("startTime=2024-01-01T00%3A00%3A00.000Z&api-version=v")
        );
    }

    #[test]
    fn follows_next_links_on_the_same_origin_only() {
        let base = url("https://endpoint/");
        let raw = "https://endpoint/chat/threads/19:x@thread.v2/messages?syncState=3e39&maxPageSize=3&api-version=2021-09-07";
        let u = next_link(&base, raw, "2025-03-15").expect("same host");
        assert_eq!(u.as_str(), raw, "followed as-is, api-version kept");
        let u = next_link(&base, "/chat/threads?syncState=abc", "2025-03-15").expect("relative");
        assert_eq!(
            u.as_str(),
            "https://endpoint/chat/threads?syncState=abc&api-version=2025-03-15"
        );
        let e = next_link(&base, "https://evil.example/chat/threads", "v").expect_err("other host");
        assert!(e.message().contains("evil.example"));
        assert!(
            next_link(&base, "http://endpoint/chat/threads", "v").is_err(),
            "downgrade to http"
        );
        assert!(
            next_link(&url("https://endpoint:1/"), "https://endpoint:2/x", "v").is_err(),
            "other port"
        );
    }

    #[test]
    fn plain_http_only_on_loopback() {
        for ok in [
            "http://127.0.0.1:1/",
            "http://127.9.9.9/",
            "http://[::1]:5/",
            "http://localhost/",
            "http://LocalHost./",
            "http://[::ffff:127.0.0.1]/",
            "http://app.localhost/",
            "https://example.com/",
        ] {
            assert!(check_secure(&url(ok), "a token").is_ok(), "{ok}");
        }
        for bad in [
            "http://example.com/",
            "http://10.0.0.1/",
            "http://localhost.example.com/",
            "http://[::2]/",
        ] {
            let e = check_secure(&url(bad), "a token").expect_err(bad);
            assert_eq!(e.kind(), ErrorKind::InsecureTransport);
        }
    }

    #[test]
    fn endpoint_validation() {
        assert!(normalize_endpoint(url("ftp://h/")).is_err());
        assert!(normalize_endpoint(url("https://u:p@h/")).is_err());
        assert_eq!(
            normalize_endpoint(url("https://h/?x=1#f"))
                .expect("ok")
                .as_str(),
            "https://h/"
        );
    }

    proptest::proptest! {
        #[test]
        fn encoded_ids_decode_back_and_stay_one_segment(id in ".{1,60}") {
            if id.bytes().all(|b| b == b'.') {
                proptest::prop_assert!(segment("id", &id).is_err());
                return Ok(());
            }
            let encoded = segment("id", &id).expect("non-empty");
            proptest::prop_assert!(!encoded.contains('/') && !encoded.contains('?') && !encoded.contains('#'));
            let base = url("https://h/");
            let built = build(&base, &format!("chat/threads/{encoded}"), "v", &[]).expect("url");
            let last = built.path_segments().and_then(|mut s| s.nth(2)).expect("third segment");
            let decoded = percent_encoding::percent_decode_str(last).decode_utf8().expect("utf8");
            proptest::prop_assert_eq!(decoded.as_ref(), id.as_str());
        }
    }
}
