//! User access tokens for Chat: the token itself, its expiry read from the JWT
//! payload (without verifying the signature, as the SDKs do), and a credential that
//! refreshes it before it expires.

use std::fmt;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use futures::future::BoxFuture;
use time::{Duration as TimeDuration, OffsetDateTime};

use super::error::{Error, Result};

/// Refresh this long before expiry, as the SDKs do.
const REFRESH_MARGIN: TimeDuration = TimeDuration::minutes(5);

/// An issued user access token and when it expires. `Debug` never shows the token.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken {
    pub token: String,
    pub expires_on: OffsetDateTime,
}

impl AccessToken {
    /// Wraps a token, reading its expiry from the JWT `exp` claim.
    pub fn from_jwt(token: impl Into<String>) -> Result<Self> {
        let token = token.into();
        let expires_on = jwt_expiry(&token)?;
        Ok(Self { token, expires_on })
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &"[redacted]")
            .field("expires_on", &self.expires_on)
            .finish()
    }
}

/// The claims of a JWT, read without verifying it. The payload may use the url-safe or
/// the standard base64 alphabet, with or without `=` padding.
pub fn jwt_claims(token: &str) -> Result<serde_json::Value> {
    let parts: Vec<&str> = token.trim().split('.').collect();
    if parts.len() != 3 {
        return Err(Error::credential(format!(
            "the access token is not a JWT (expected 3 dot-separated parts, found {})",
            parts.len()
        )));
    }
    let payload: String = parts[1]
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    let bytes = STANDARD_NO_PAD
        .decode(payload.as_bytes())
        .map_err(|_| Error::credential("the access token's payload is not base64"))?;
    serde_json::from_slice(&bytes)
        .map_err(|_| Error::credential("the access token's payload is not JSON"))
}

/// Reads `exp` from a JWT without verifying it. The payload may use the url-safe or
/// the standard base64 alphabet, with or without `=` padding, and `exp` may be
/// fractional (the SDK test tokens are all of these).
pub fn jwt_expiry(token: &str) -> Result<OffsetDateTime> {
    let claims = jwt_claims(token)?;
    let exp = match claims.get("exp") {
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|v| v.is_finite())
    .ok_or_else(|| Error::credential("the access token has no numeric exp claim"))?;
    let nanos = (exp * 1e9) as i128;
    OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(|_| {
        Error::credential(format!(
            "the access token's exp claim {exp} is out of range"
        ))
    })
}

type RefreshFn = dyn Fn() -> BoxFuture<'static, Result<AccessToken>> + Send + Sync;

struct Inner {
    current: Mutex<Option<AccessToken>>,
    refresh: Option<Box<RefreshFn>>,
    /// Held while a refresh runs, so concurrent callers wait for one refresh.
    refreshing: tokio::sync::Mutex<()>,
}

/// The bearer credential of the Chat client: a fixed token, or one that refreshes
/// itself within 5 minutes of expiry (one refresh at a time). Cheap to clone; clones
/// share the token. `Debug` never shows the token.
#[derive(Clone)]
pub struct TokenCredential {
    inner: Arc<Inner>,
}

impl TokenCredential {
    /// A fixed token (e.g. `--token`); its expiry is read from the JWT.
    pub fn from_token(token: impl Into<String>) -> Result<Self> {
        let token = AccessToken::from_jwt(token.into().trim().to_owned())?;
        Ok(Self::build(Some(token), None))
    }

    /// A token that `refresh` renews (e.g. by issuing a new one through Identity).
    /// Without `initial`, the first call to [`Self::token`] refreshes.
    pub fn refreshing(
        initial: Option<AccessToken>,
        refresh: impl Fn() -> BoxFuture<'static, Result<AccessToken>> + Send + Sync + 'static,
    ) -> Self {
        Self::build(initial, Some(Box::new(refresh)))
    }

    fn build(initial: Option<AccessToken>, refresh: Option<Box<RefreshFn>>) -> Self {
        Self {
            inner: Arc::new(Inner {
                current: Mutex::new(initial),
                refresh,
                refreshing: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// The token to send now, refreshed first when it is within 5 minutes of expiry.
    /// A failed refresh falls back to the current token while it is still valid.
    pub async fn token(&self) -> Result<String> {
        self.token_at(OffsetDateTime::now_utc).await
    }

    async fn token_at(&self, now: impl Fn() -> OffsetDateTime) -> Result<String> {
        if let Some(t) = self.fresh(now()) {
            return Ok(t);
        }
        let Some(refresh) = &self.inner.refresh else {
            return self.still_valid(now()).ok_or_else(|| {
                let when = self
                    .expires_on()
                    .map(crate::wire::timestamp::format_whole_seconds)
                    .unwrap_or_default();
                Error::credential(format!("the access token expired at {when}; get a new one"))
            });
        };
        let _one_at_a_time = self.inner.refreshing.lock().await;
        if let Some(t) = self.fresh(now()) {
            return Ok(t); // another caller refreshed while we waited
        }
        match refresh().await {
            Ok(new) => {
                let token = new.token.clone();
                *self.lock() = Some(new);
                Ok(token)
            }
            Err(e) => match self.still_valid(now()) {
                Some(t) => {
                    tracing::warn!(error = %e, "token refresh failed; using the current token until it expires");
                    Ok(t)
                }
                None => Err(Error::credential(format!(
                    "could not refresh the access token: {e}"
                ))),
            },
        }
    }

    /// Forgets the current token if it is still `refused`, so the next [`Self::token`]
    /// refreshes: for a 401, when the service no longer accepts a token that has not
    /// expired (revoked, or a restarted local emulator). Returns whether a refresh can
    /// follow (never for a fixed token).
    pub fn invalidate(&self, refused: &str) -> bool {
        if self.inner.refresh.is_none() {
            return false;
        }
        let mut current = self.lock();
        if current.as_ref().is_some_and(|t| t.token == refused) {
            *current = None;
        }
        true
    }

    /// When the current token expires (`None` before the first refresh).
    pub fn expires_on(&self) -> Option<OffsetDateTime> {
        self.lock().as_ref().map(|t| t.expires_on)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<AccessToken>> {
        // A poisoned lock only means a panic elsewhere; the token inside is still whole.
        self.inner.current.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn fresh(&self, now: OffsetDateTime) -> Option<String> {
        // `exp` comes from the token: one within the margin of the earliest representable
        // time has no refresh time before it, and is long expired anyway.
        self.lock()
            .as_ref()
            .filter(|t| {
                t.expires_on
                    .checked_sub(REFRESH_MARGIN)
                    .is_some_and(|due| due > now)
            })
            .map(|t| t.token.clone())
    }

    fn still_valid(&self, now: OffsetDateTime) -> Option<String> {
        self.lock()
            .as_ref()
            .filter(|t| t.expires_on > now)
            .map(|t| t.token.clone())
    }
}

impl fmt::Debug for TokenCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCredential")
            .field("token", &"[redacted]")
            .field("expires_on", &self.expires_on())
            .field("refreshing", &self.inner.refresh.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acs::ErrorKind;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    use std::sync::atomic::{AtomicU32, Ordering};

    /// The fake token of the SDK recordings: padded standard-alphabet payload
    /// `{"exp":1653555564.888}`, url-safe signature.
    const RECORDED: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE2NTM1NTU1NjQuODg4fQ==.adM-ddBZZlQ1WlN3pdPBOF5G4Wh9iZpxNP_fSvpF4cWs";

    fn jwt(payload: &str, url_safe: bool) -> String {
        let p = if url_safe {
            URL_SAFE_NO_PAD.encode(payload)
        } else {
            STANDARD.encode(payload)
        };
        format!("eyJhbGciOiJIUzI1NiJ9.{p}.c2ln")
    }

    #[test]
    fn reads_exp_in_every_encoding() {
        let t = jwt_expiry(RECORDED).expect("recorded token");
        assert_eq!(t.unix_timestamp(), 1653555564);
        assert_eq!(t.millisecond(), 888);
        // This payload encodes with `/` in the standard alphabet and `_` in the url-safe one.
        let payload = r#"{"exp":1700000000,"x":"??>??>"}"#;
        assert!(jwt(payload, false).contains('/') && jwt(payload, true).contains('_'));
        assert_eq!(
            jwt_expiry(&jwt(payload, false))
                .expect("standard")
                .unix_timestamp(),
            1700000000
        );
        assert_eq!(
            jwt_expiry(&jwt(payload, true))
                .expect("url-safe")
                .unix_timestamp(),
            1700000000
        );
        assert_eq!(
            jwt_expiry(&jwt(r#"{"exp":"1700000001"}"#, true))
                .expect("string exp")
                .unix_timestamp(),
            1700000001
        );
    }

    #[test]
    fn malformed_tokens_are_credential_errors() {
        for bad in [
            "",
            "abc",
            "a.b",
            "a.b.c.d",
            "x.!!!.y",
            &jwt("not json", true),
            &jwt(r#"{"iat":1}"#, true),
            &jwt(r#"{"exp":1e300}"#, true),
            &jwt(r#"{"exp":null}"#, true),
        ] {
            let e = jwt_expiry(bad).expect_err(bad);
            assert_eq!(e.kind(), ErrorKind::Credential, "{bad}");
        }
        assert!(
            !format!("{:?}", TokenCredential::from_token(RECORDED).expect("ok")).contains("eyJ")
        );
    }

    fn token_expiring(at: OffsetDateTime, tag: &str) -> AccessToken {
        AccessToken {
            token: tag.to_owned(),
            expires_on: at,
        }
    }

    #[tokio::test]
    async fn static_token_errors_only_after_expiry() {
        let now = OffsetDateTime::now_utc();
        let c = TokenCredential::build(
            Some(token_expiring(now + TimeDuration::minutes(2), "t")),
            None,
        );
        assert_eq!(c.token().await.expect("still valid"), "t");
        let e = c
            .token_at(|| now + TimeDuration::minutes(3))
            .await
            .expect_err("expired");
        assert!(e.message().contains("expired"));
    }

    #[tokio::test]
    async fn refreshes_near_expiry_once_for_concurrent_callers() {
        let now = OffsetDateTime::now_utc();
        let calls = Arc::new(AtomicU32::new(0));
        let counter = calls.clone();
        let c = TokenCredential::refreshing(
            Some(token_expiring(now + TimeDuration::minutes(4), "old")),
            move || {
                let counter = counter.clone();
                Box::pin(async move {
                    tokio::task::yield_now().await;
                    let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                    Ok(AccessToken {
                        token: format!("new{n}"),
                        expires_on: OffsetDateTime::now_utc() + TimeDuration::hours(1),
                    })
                })
            },
        );
        let (a, b, d) = tokio::join!(c.token(), c.token(), c.token());
        assert_eq!(
            (a.expect("a"), b.expect("b"), d.expect("d")),
            ("new1".into(), "new1".into(), "new1".into())
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(c.token().await.expect("fresh"), "new1");
    }

    #[tokio::test]
    async fn failed_refresh_falls_back_until_expiry() {
        let now = OffsetDateTime::now_utc();
        let c = TokenCredential::refreshing(
            Some(token_expiring(now + TimeDuration::minutes(1), "old")),
            || Box::pin(async { Err(Error::from_status(503, b"")) }),
        );
        assert_eq!(c.token().await.expect("fallback"), "old");
        let e = c
            .token_at(|| now + TimeDuration::minutes(2))
            .await
            .expect_err("expired");
        assert!(e.message().contains("could not refresh") && e.message().contains("503"));
    }

    #[tokio::test]
    async fn refreshing_without_initial_token_fetches_first() {
        let c = TokenCredential::refreshing(None, || {
            Box::pin(async {
                Ok(AccessToken {
                    token: "first".into(),
                    expires_on: OffsetDateTime::now_utc() + TimeDuration::hours(1),
                })
            })
        });
        assert_eq!(c.expires_on(), None);
        assert_eq!(c.token().await.expect("first"), "first");
        assert!(c.expires_on().is_some());
    }

    #[tokio::test]
    async fn an_exp_at_either_end_of_the_range_is_no_panic() {
        let earliest = OffsetDateTime::new_utc(time::Date::MIN, time::Time::MIDNIGHT);
        let latest = OffsetDateTime::new_utc(time::Date::MAX, time::Time::MIDNIGHT);
        for (exp, valid) in [(earliest, false), (latest, true)] {
            let token = jwt(&format!(r#"{{"exp":{}}}"#, exp.unix_timestamp()), true);
            let c = TokenCredential::from_token(token).expect("exp in range");
            assert_eq!(c.expires_on(), Some(exp));
            assert_eq!(c.token().await.is_ok(), valid, "{exp}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_input_gives_a_result_not_a_panic(token in ".{0,200}") {
            let _ = jwt_expiry(&token);
        }

        #[test]
        fn any_payload_gives_a_result_not_a_panic(payload in proptest::collection::vec(proptest::num::u8::ANY, 0..100)) {
            let _ = jwt_expiry(&format!("a.{}.c", URL_SAFE_NO_PAD.encode(payload)));
        }
    }
}
