//! `endpoint=https://<resource>.communication.azure.com/;accesskey=<base64>`, the
//! connection string the Azure portal shows for an ACS resource.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use url::Url;

use super::error::{Error, Result};
use super::urls;

/// A parsed connection string: the resource endpoint and its access key.
/// `Debug` and `Display` never show the key.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectionString {
    /// The resource endpoint, normalised to end with `/`.
    pub endpoint: Url,
    access_key: String,
    key_bytes: Vec<u8>,
}

impl ConnectionString {
    /// Parses `endpoint=...;accesskey=...`: keys are case-insensitive, spaces around
    /// parts and a trailing `;` are ignored, the key must be base64.
    pub fn parse(s: &str) -> Result<Self> {
        let mut endpoint = None;
        let mut access_key = None;
        for part in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((name, value)) = part.split_once('=') else {
                return Err(Error::config(format!(
                    "connection string part {:?} is not name=value",
                    shorten(part)
                )));
            };
            match name.trim().to_ascii_lowercase().as_str() {
                "endpoint" => endpoint = Some(value.trim()),
                "accesskey" => access_key = Some(value.trim()),
                // Unknown parts are ignored, as the SDKs do; the names are not secret.
                _ => {}
            }
        }
        let endpoint = endpoint
            .filter(|e| !e.is_empty())
            .ok_or_else(|| Error::config("connection string has no endpoint= part"))?;
        let access_key = access_key
            .filter(|k| !k.is_empty())
            .ok_or_else(|| Error::config("connection string has no accesskey= part"))?;
        let url = Url::parse(endpoint).map_err(|e| {
            Error::config(format!(
                "connection string endpoint {endpoint:?} is not a URL: {e}"
            ))
        })?;
        Self::new(url, access_key)
    }

    /// Builds one from parts (the access key is base64, as the portal shows it).
    pub fn new(endpoint: Url, access_key: &str) -> Result<Self> {
        let endpoint = urls::normalize_endpoint(endpoint)?;
        let key_bytes = STANDARD
            .decode(access_key.trim())
            .map_err(|_| Error::config("connection string accesskey is not valid base64"))?;
        if key_bytes.is_empty() {
            return Err(Error::config("connection string accesskey is empty"));
        }
        Ok(Self {
            endpoint,
            access_key: access_key.trim().to_owned(),
            key_bytes,
        })
    }

    /// The access key as given (base64). Handle with care: it is the resource's secret.
    pub fn access_key(&self) -> &str {
        &self.access_key
    }

    /// The decoded HMAC key.
    pub(crate) fn key_bytes(&self) -> &[u8] {
        &self.key_bytes
    }
}

impl fmt::Debug for ConnectionString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionString")
            .field("endpoint", &self.endpoint.as_str())
            .field("access_key", &"[redacted]")
            .finish()
    }
}

impl fmt::Display for ConnectionString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "endpoint={};accesskey=[redacted]", self.endpoint)
    }
}

impl std::str::FromStr for ConnectionString {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

/// Error messages quote at most a few characters of input, which may hold a key.
fn shorten(s: &str) -> String {
    let head: String = s.chars().take(12).collect();
    if head.len() < s.len() {
        format!("{head}...")
    } else {
        head
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acs::ErrorKind;

    const KEY: &str = "c2VjcmV0LWtleQ==";

    #[test]
    fn parses_the_portal_form() {
        let cs = ConnectionString::parse(&format!(
            "endpoint=https://x.communication.azure.com/;accesskey={KEY}"
        ))
        .expect("valid");
        assert_eq!(cs.endpoint.as_str(), "https://x.communication.azure.com/");
        assert_eq!(cs.access_key(), KEY);
        assert_eq!(cs.key_bytes(), b"secret-key");
    }

    #[test]
    fn tolerant_of_case_spaces_order_and_trailing_semicolon() {
        let cs = ConnectionString::parse(&format!(
            " AccessKey = {KEY} ; Endpoint=https://127.0.0.1:47443 ;"
        ))
        .expect("valid");
        assert_eq!(cs.endpoint.as_str(), "https://127.0.0.1:47443/");
        let cs = ConnectionString::parse(&format!("ENDPOINT=https://h/base;ACCESSKEY={KEY}"))
            .expect("valid");
        assert_eq!(cs.endpoint.as_str(), "https://h/base/");
    }

    #[test]
    fn clear_errors() {
        let err = |s: &str| ConnectionString::parse(s).expect_err("must fail");
        assert!(
            err(&format!("accesskey={KEY}"))
                .message()
                .contains("no endpoint")
        );
        assert!(
            err("endpoint=https://x/")
                .message()
                .contains("no accesskey")
        );
        assert!(
            err(&format!("endpoint=not a url;accesskey={KEY}"))
                .message()
                .contains("not a URL")
        );
        assert!(
            err("endpoint=https://x/;accesskey=%%%notbase64")
                .message()
                .contains("base64")
        );
        assert!(
            err(&format!("endpoint=ftp://x/;accesskey={KEY}"))
                .message()
                .contains("http")
        );
        assert!(err("just-garbage").message().contains("name=value"));
        assert_eq!(err("").kind(), ErrorKind::Config);
    }

    #[test]
    fn never_shows_the_key() {
        let cs = ConnectionString::parse(&format!("endpoint=https://x/;accesskey={KEY}"))
            .expect("valid");
        assert!(!format!("{cs:?}").contains(KEY));
        assert!(!cs.to_string().contains(KEY));
        // The error for a bad part quotes only its first characters.
        let e = ConnectionString::parse("endpoint=https://x/;c2VjcmV0LWtleQsecretsecret")
            .expect_err("bad part");
        assert!(!e.message().contains("secretsecret"));
    }

    proptest::proptest! {
        #[test]
        fn any_input_gives_a_result_not_a_panic(s in ".{0,120}") {
            if let Err(e) = ConnectionString::parse(&s) {
                proptest::prop_assert_eq!(e.kind(), ErrorKind::Config);
            }
        }
    }
}
