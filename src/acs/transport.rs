//! One HTTP client for every ACS call: authentication per attempt (bearer token or
//! HMAC signature), request ids, per-attempt timeouts, retries with backoff, the
//! plain-http guard, redacted observation and debug logging.

use std::sync::Arc;
use std::time::Instant;

use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue,
};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use time::OffsetDateTime;
use url::Url;
use uuid::Uuid;

use super::config::HttpConfig;
use super::error::{Error, ErrorKind, Result};
use super::failures::{AttemptError, ReadError, chain, classify, host_of};
use super::observe::exchange;
use super::retry::{self, Failure, Safety};
use super::token::TokenCredential;
use super::{hmac_auth, tls, urls};

/// Answers larger than this are refused rather than buffered.
pub(crate) const MAX_BODY: usize = 32 << 20;

/// A shared HTTP client (connection pool, TLS roots) plus the settings every call
/// uses. Cheap to clone.
#[derive(Clone)]
pub struct Transport {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

struct Inner {
    client: reqwest::Client,
    /// What `client` was built with, kept for the push WebSocket.
    tls: Arc<rustls::ClientConfig>,
    config: HttpConfig,
}

/// How a call proves who it is.
#[derive(Clone, Copy)]
pub(crate) enum Auth<'a> {
    /// `Authorization: Bearer <user token>` (Chat).
    Bearer(&'a TokenCredential),
    /// HMAC-SHA256 with the decoded resource access key (Identity).
    Hmac(&'a [u8]),
    /// `X-Skypetoken: <user token>`: the real-time notifications services (Trouter,
    /// registrar) take the same user token under this header.
    Skype(&'a TokenCredential),
}

impl<'a> Auth<'a> {
    /// The refreshable user token, for the two kinds that carry one.
    fn credential(self) -> Option<&'a TokenCredential> {
        match self {
            Self::Bearer(c) | Self::Skype(c) => Some(c),
            Self::Hmac(_) => None,
        }
    }
}

/// One logical call; the transport may make several attempts at it.
pub(crate) struct Call<'a> {
    pub method: Method,
    pub url: Url,
    /// Sent (even when empty) for POST and PATCH, so `Content-Length: 0` goes out.
    pub body: Vec<u8>,
    pub content_type: Option<&'static str>,
    pub headers: Vec<(&'static str, String)>,
    pub safety: Safety,
    pub auth: Auth<'a>,
}

impl<'a> Call<'a> {
    /// A bodiless call without extra headers, safe to repeat; set the rest after.
    pub(crate) fn idempotent(method: Method, url: Url, auth: Auth<'a>) -> Self {
        let (body, headers) = (Vec::new(), Vec::new());
        let (content_type, safety) = (None, Safety::Idempotent);
        Self {
            method,
            url,
            body,
            content_type,
            headers,
            safety,
            auth,
        }
    }
}

/// A successful (2xx) answer.
#[derive(Debug)]
pub(crate) struct Response {
    pub status: u16,
    pub body: Vec<u8>,
    pub request_id: String,
}

impl Response {
    /// The body as `T`, or an `InvalidResponse` error naming the operation.
    pub(crate) fn json<T: DeserializeOwned>(&self, what: &str) -> Result<T> {
        let body: &[u8] = if self.body.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &self.body
        };
        serde_json::from_slice(&super::surrogates::repair(body)).map_err(|e| {
            Error::invalid_response(format!(
                "could not read the {what} answer ({} response): {e}",
                self.status
            ))
            .with_request_id(self.request_id.clone())
        })
    }
}

impl Transport {
    /// Builds the HTTP client over the client's one TLS configuration ([`tls`]), with
    /// no automatic redirects (a redirect must not carry our credential elsewhere).
    pub fn new(config: HttpConfig) -> Result<Self> {
        if config.timeout.is_zero() {
            return Err(Error::config("the HTTP timeout must be longer than zero"));
        }
        // For the process's other rustls users (the transport's own configuration
        // names its provider).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let tls = Arc::new(tls::client_config(&config)?);
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.timeout)
            // HTTP/1.1, as the official SDKs speak to ACS: our requests are small and
            // one at a time per task, and HTTP/2's framing and stream bookkeeping made
            // each of them about a quarter slower on a keep-alive connection. Calls
            // made at once (the poller beside a send) get a pooled connection each.
            .http1_only()
            .tls_backend_preconfigured(rustls::ClientConfig::clone(&tls))
            .build()
            .map_err(|e| {
                Error::config(format!("could not set up the HTTP client: {}", chain(&e)))
            })?;
        Ok(Self {
            inner: Arc::new(Inner {
                client,
                tls,
                config,
            }),
        })
    }

    /// The settings this transport was built with.
    pub fn config(&self) -> &HttpConfig {
        &self.inner.config
    }

    /// The TLS configuration the requests use: for the push WebSocket, so it trusts
    /// exactly what REST does.
    pub(crate) fn tls(&self) -> Arc<rustls::ClientConfig> {
        self.inner.tls.clone()
    }

    /// The same transport (connection pool, TLS roots, observer) with another retry
    /// policy: for a caller that is a retry loop itself.
    pub fn with_retry(&self, retry: super::config::RetryPolicy) -> Self {
        self.with_attempts(retry, self.inner.config.timeout)
    }

    /// The same transport with another retry policy and per-attempt timeout (the
    /// pool's connect timeout stays; the attempt's own timeout bounds it anyway).
    pub(crate) fn with_attempts(
        &self,
        retry: super::config::RetryPolicy,
        timeout: std::time::Duration,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                client: self.inner.client.clone(),
                tls: self.inner.tls.clone(),
                config: HttpConfig {
                    retry,
                    timeout,
                    ..self.inner.config.clone()
                },
            }),
        }
    }

    /// Runs a call to completion: a 2xx response, or the error of the last attempt.
    pub(crate) async fn send(&self, call: Call<'_>) -> Result<Response> {
        let what = match call.auth {
            Auth::Bearer(_) | Auth::Skype(_) => "an access token",
            Auth::Hmac(_) => "a request signed with the access key",
        };
        urls::check_secure(&call.url, what)?;
        let policy = &self.inner.config.retry;
        let mut retry_no = 0;
        let mut reauthenticated = false;
        loop {
            // The bearer token is fetched per attempt, so a retry after a refresh uses the new one.
            let token = match call.auth.credential() {
                Some(credential) => Some(credential.token().await?),
                None => None,
            };
            let (failure, error) = match self.attempt(&call, token.as_deref(), retry_no).await {
                Ok(response) => return Ok(response),
                Err(AttemptError::Fatal(e)) => return Err(e),
                Err(AttemptError::Failed(f, e)) => (f, e),
            };
            // A 401 to a refreshable token: the service stopped accepting it (revoked,
            // or a restarted emulator). It did not process the request, so refresh once
            // and repeat at once, whatever the operation.
            if let (Failure::Status { status: 401, .. }, Some(credential), Some(sent)) =
                (failure, call.auth.credential(), token.as_deref())
                && !reauthenticated
                && credential.invalidate(sent)
            {
                tracing::debug!(method = %call.method, path = call.url.path(), "token refused; refreshing once");
                reauthenticated = true;
                retry_no += 1;
                continue;
            }
            if retry_no >= policy.max_retries || !retry::may_retry(failure, call.safety) {
                return Err(error);
            }
            // The wait as the service sent it, not the caller's capped one: one
            // longer than the policy waits out must go back to the caller.
            let asked = match failure {
                Failure::Status { retry_after, .. } => retry_after,
                _ => None,
            };
            let Some(wait) = retry::delay(policy, retry_no, asked, rand::random::<f64>()) else {
                return Err(error);
            };
            tracing::debug!(method = %call.method, path = call.url.path(), wait_ms = wait.as_millis() as u64, error = %error, "retrying");
            tokio::time::sleep(wait).await;
            retry_no += 1;
        }
    }

    async fn attempt(
        &self,
        call: &Call<'_>,
        bearer: Option<&str>,
        retry_no: u32,
    ) -> std::result::Result<Response, AttemptError> {
        let request_id = Uuid::new_v4().to_string();
        let headers = self
            .headers(call, bearer, &request_id)
            .map_err(|e| AttemptError::Fatal(e.with_request_id(request_id.clone())))?;
        let mut builder = self
            .inner
            .client
            .request(call.method.clone(), call.url.clone())
            .headers(headers);
        if call.method == Method::POST || call.method == Method::PATCH || call.method == Method::PUT
        {
            if call.body.is_empty() {
                // hyper sends no length for an empty body; the SDKs send `0` and
                // front ends may answer 411 without it.
                builder = builder.header(CONTENT_LENGTH, "0");
            }
            builder = builder.body(call.body.clone());
        }
        let request = builder.build().map_err(|e| {
            AttemptError::Fatal(
                Error::config(format!("could not build the request: {}", chain(&e)))
                    .with_request_id(request_id.clone()),
            )
        })?;
        let sent_headers = request.headers().clone();

        let started = Instant::now();
        let timeout = self.inner.config.timeout;
        let outcome = tokio::time::timeout(timeout, self.execute(request)).await;
        let elapsed = started.elapsed();

        let result = match outcome {
            Err(_) => Err(AttemptError::Failed(
                Failure::Timeout,
                Error::new(
                    ErrorKind::Timeout,
                    format!("no answer from {} within {timeout:?}", host_of(&call.url)),
                ),
            )),
            Ok(Err(e)) => Err(classify(e, &call.url)),
            Ok(Ok((status, headers, body))) => Ok((status, headers, body)),
        };
        let result = result.map_err(|e| match e {
            AttemptError::Fatal(e) => AttemptError::Fatal(e.with_request_id(request_id.clone())),
            AttemptError::Failed(f, e) => {
                AttemptError::Failed(f, e.with_request_id(request_id.clone()))
            }
        });

        let status = result.as_ref().ok().map(|(s, _, _)| s.as_u16());
        tracing::debug!(method = %call.method, path = call.url.path(), status, ms = elapsed.as_millis() as u64, "acs request");
        if let Some(observer) = &self.inner.config.observer {
            observer.exchange(&exchange(call, retry_no, elapsed, &sent_headers, &result));
        }

        let (status, headers, body) = result?;
        if status.is_success() {
            return Ok(Response {
                status: status.as_u16(),
                body,
                request_id,
            });
        }
        let retry_after = retry::retry_after(&headers, OffsetDateTime::now_utc());
        let correlation = headers
            .get("ms-cv")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let error = Error::from_status(status.as_u16(), &body)
            .with_request_id(request_id)
            .with_correlation_id(correlation)
            .with_retry_after(retry_after);
        Err(AttemptError::Failed(
            Failure::Status {
                status: status.as_u16(),
                retry_after,
            },
            error,
        ))
    }

    /// Headers of one attempt: a fresh request id, and the bearer token or a fresh signature.
    fn headers(
        &self,
        call: &Call<'_>,
        bearer: Option<&str>,
        request_id: &str,
    ) -> Result<HeaderMap> {
        let mut h = HeaderMap::new();
        h.insert(ACCEPT, HeaderValue::from_static("application/json"));
        h.insert(
            HeaderName::from_static("x-ms-client-request-id"),
            value(request_id)?,
        );
        if let Some(ct) = call.content_type {
            h.insert(CONTENT_TYPE, HeaderValue::from_static(ct));
        }
        for (name, v) in &call.headers {
            h.insert(HeaderName::from_static(name), value(v)?);
        }
        match call.auth {
            Auth::Bearer(_) => {
                let token = bearer.unwrap_or_default();
                let mut v = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
                    Error::credential(
                        "the access token contains characters not allowed in a header",
                    )
                })?;
                v.set_sensitive(true);
                h.insert(AUTHORIZATION, v);
            }
            Auth::Skype(_) => {
                let mut v = HeaderValue::from_str(bearer.unwrap_or_default()).map_err(|_| {
                    Error::credential(
                        "the access token contains characters not allowed in a header",
                    )
                })?;
                v.set_sensitive(true);
                h.insert(HeaderName::from_static("x-skypetoken"), v);
            }
            Auth::Hmac(key) => {
                let s = hmac_auth::sign(
                    key,
                    call.method.as_str(),
                    &call.url,
                    &call.body,
                    OffsetDateTime::now_utc(),
                );
                h.insert(HeaderName::from_static("x-ms-date"), value(&s.date)?);
                h.insert(
                    HeaderName::from_static("x-ms-content-sha256"),
                    value(&s.content_hash)?,
                );
                let mut v = value(&s.authorization)?;
                v.set_sensitive(true);
                h.insert(AUTHORIZATION, v);
            }
        }
        Ok(h)
    }

    async fn execute(
        &self,
        request: reqwest::Request,
    ) -> std::result::Result<(StatusCode, HeaderMap, Vec<u8>), ReadError> {
        let mut response = self
            .inner
            .client
            .execute(request)
            .await
            .map_err(ReadError::Http)?;
        let status = response.status();
        let headers = response.headers().clone();
        if response
            .content_length()
            .is_some_and(|n| n > MAX_BODY as u64)
        {
            return Err(ReadError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(ReadError::Http)? {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(ReadError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok((status, headers, body))
    }
}

fn value(s: &str) -> Result<HeaderValue> {
    HeaderValue::from_str(s)
        .map_err(|_| Error::config(format!("{s:?} is not a valid header value")))
}

/// A request body as JSON bytes.
pub(crate) fn to_json<T: serde::Serialize>(body: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(body)
        .map_err(|e| Error::config(format!("could not encode the request body: {e}")))
}
