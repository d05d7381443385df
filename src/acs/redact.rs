//! Removes secrets from what the HTTP observer sees: `Authorization` values, secret
//! query parameters, token and key fields in JSON bodies, and anything that looks
//! like a JWT in text.

use serde_json::Value;
use url::Url;

pub(crate) const REDACTED: &str = "[redacted]";

/// Field and parameter names whose values are secrets (compared lower-case, without
/// `-` and `_`).
fn is_secret_name(name: &str) -> bool {
    let n: String = name
        .chars()
        .filter(|c| *c != '-' && *c != '_')
        .collect::<String>()
        .to_ascii_lowercase();
    matches!(
        n.as_str(),
        "token" | "accesskey" | "key" | "secret" | "password" | "signature" | "sig" | "accesstoken"
    ) || n.ends_with("token")
        || n.ends_with("secret")
        || n.ends_with("apikey")
        || n.ends_with("accesskey")
}

/// A header value safe to log. `Authorization` keeps its scheme (and HMAC's
/// `SignedHeaders`), so a log still shows which auth was used.
pub(crate) fn header(name: &str, value: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if lower == "authorization" || lower == "proxy-authorization" {
        return match value.split_once(' ') {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("HMAC-SHA256") => {
                let signed = rest
                    .split('&')
                    .find(|p| p.starts_with("SignedHeaders="))
                    .unwrap_or("");
                format!("{scheme} {signed}&Signature={REDACTED}")
            }
            Some((scheme, _)) => format!("{scheme} {REDACTED}"),
            None => REDACTED.to_owned(),
        };
    }
    if lower == "cookie" || lower == "set-cookie" || is_secret_name(&lower) {
        return REDACTED.to_owned();
    }
    scrub_jwts(value)
}

/// The URL with secret query parameter values replaced.
pub(crate) fn url(url: &Url) -> String {
    if !url.query_pairs().any(|(k, _)| is_secret_name(&k)) {
        return url.to_string();
    }
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if is_secret_name(&k) {
                REDACTED.to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    let mut out = url.clone();
    out.query_pairs_mut().clear().extend_pairs(pairs);
    out.to_string()
}

/// A body safe to log (`None` when empty). JSON has secret fields replaced and JWTs
/// scrubbed from every string; other text only has JWTs scrubbed. Long bodies are cut.
pub(crate) fn body(bytes: &[u8]) -> Option<String> {
    const MAX: usize = 1 << 20;
    if bytes.is_empty() {
        return None;
    }
    let text = match serde_json::from_slice::<Value>(bytes) {
        Ok(mut v) => {
            scrub_json(&mut v);
            v.to_string()
        }
        Err(_) => scrub_jwts(&String::from_utf8_lossy(bytes)),
    };
    if text.len() <= MAX {
        return Some(text);
    }
    let mut cut = MAX;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    Some(format!(
        "{}... ({} bytes in all)",
        &text[..cut],
        bytes.len()
    ))
}

fn scrub_json(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if is_secret_name(k) && child.is_string() {
                    *child = Value::String(REDACTED.to_owned());
                } else {
                    scrub_json(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(scrub_json),
        Value::String(s) if s.contains("eyJ") => *s = scrub_jwts(s),
        _ => {}
    }
}

/// Replaces every `eyJ<b64>.<b64>.<b64>` (a JWT: its header always starts `{"`).
pub(crate) fn scrub_jwts(text: &str) -> String {
    let is_b64 = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '/' | '=');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("eyJ") {
        out.push_str(&rest[..start]);
        let candidate = &rest[start..];
        // Three base64 runs separated by dots.
        let mut end = 0;
        let mut runs = 0;
        let mut chars = candidate.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if is_b64(c) {
                end = i + c.len_utf8();
                continue;
            }
            if c == '.' && runs < 2 && chars.peek().is_some_and(|&(_, n)| is_b64(n)) {
                runs += 1;
                continue;
            }
            break;
        }
        if runs == 2 {
            out.push_str("[redacted token]");
            rest = &candidate[end..];
        } else {
            out.push_str("eyJ");
            rest = &candidate[3..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE2NTM1NTU1NjQuODg4fQ==.adM-ddBZZlQ1WlN3";

    #[test]
    fn authorization_keeps_scheme_only() {
        assert_eq!(
            header("Authorization", &format!("Bearer {JWT}")),
            "Bearer [redacted]"
        );
        assert_eq!(
            header(
                "authorization",
                "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=abc="
            ),
            "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=[redacted]"
        );
        assert_eq!(
            header("x-ms-date", "Thu, 26 May 2022 07:59:25 GMT"),
            "Thu, 26 May 2022 07:59:25 GMT"
        );
        assert_eq!(header("x-api-key", "k"), "[redacted]");
    }

    #[test]
    fn json_bodies_lose_tokens_but_keep_shape() {
        let b = format!(
            r#"{{"identity":{{"id":"8:acs:x"}},"accessToken":{{"token":"{JWT}","expiresOn":"2022-05-27T07:59:25Z"}}}}"#
        );
        let out = body(b.as_bytes()).expect("body");
        assert!(!out.contains("eyJ"), "{out}");
        assert!(
            out.contains(r#""token":"[redacted]""#)
                && out.contains("8:acs:x")
                && out.contains("expiresOn")
        );
        let msg = format!(r#"{{"content":"my token is {JWT} ok"}}"#);
        assert_eq!(
            body(msg.as_bytes()).expect("body"),
            r#"{"content":"my token is [redacted token] ok"}"#
        );
        assert_eq!(body(b""), None);
    }

    #[test]
    fn text_and_urls() {
        assert_eq!(scrub_jwts(&format!("a {JWT}, b")), "a [redacted token], b");
        assert_eq!(scrub_jwts("eyJ alone and eyJa.b"), "eyJ alone and eyJa.b");
        let u = Url::parse("https://h/x?accesskey=abc&maxPageSize=5").expect("url");
        assert_eq!(
            url(&u),
            "https://h/x?accesskey=%5Bredacted%5D&maxPageSize=5"
        );
        let u = Url::parse("https://h/x?syncState=ab&api-version=1").expect("url");
        assert_eq!(url(&u), "https://h/x?syncState=ab&api-version=1");
    }

    proptest::proptest! {
        #[test]
        fn scrubbing_never_panics_and_removes_every_jwt(prefix in ".{0,40}", suffix in ".{0,40}") {
            let text = format!("{prefix}{JWT}{suffix}");
            let out = scrub_jwts(&text);
            proptest::prop_assert!(!out.contains("eyJleHAi"), "{}", out);
            let _ = body(text.as_bytes());
        }
    }
}
