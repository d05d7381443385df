//! Checks a user access token the way every Chat call does: signature, expiry,
//! resource, chat scope, and whether the identity still exists with its tokens
//! unrevoked. The same token arrives as `Authorization: Bearer` on REST calls and as
//! `X-Skypetoken` from the Trouter and registrar clients, so both ask here.

use axum::http::{HeaderMap, header};

use super::super::api_error::ApiError;
use super::super::app::App;
use super::super::store::{self, now_ms};
use super::{jwt, liveness};

/// The token of an `Authorization: Bearer …` header.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
}

/// Who a live token belongs to, and until when it is good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenUser {
    /// Raw id `8:acs:…`.
    pub user: String,
    /// The token's `exp` (epoch seconds).
    pub expires_s: i64,
    /// When it was issued (epoch ms), to tell whether a later revoke covers it.
    pub issued_ms: i64,
}

/// The user a valid, live, chat-scoped `token` belongs to; 401 otherwise.
pub async fn live_user(app: &App, token: &str) -> Result<TokenUser, ApiError> {
    let claims =
        jwt::verify(token, &app.token_secret, &app.resource_id, now_ms() / 1000).map_err(|e| {
            tracing::debug!(reason = %e, "token refused");
            ApiError::unauthorized()
        })?;
    if !claims.allows_chat() {
        return Err(ApiError::unauthorized());
    }
    let user = claims.user();
    if still_live(app, &user, claims.iat_ms).await? {
        Ok(TokenUser {
            user,
            expires_s: claims.exp,
            issued_ms: claims.iat_ms,
        })
    } else {
        Err(ApiError::unauthorized())
    }
}

/// Whether `user` still exists and has not revoked tokens issued at `issued_ms`.
pub async fn still_live(app: &App, user: &str, issued_ms: i64) -> Result<bool, ApiError> {
    match app.token_liveness.check(user, issued_ms) {
        Ok(live) => Ok(live),
        Err(pending) => {
            let u = user.to_owned();
            let good_from = app
                .store
                .read(move |tx| store::identities::tokens_good_from(tx, &u))
                .await?;
            app.token_liveness.learn(pending, user, good_from);
            Ok(liveness::is_live(good_from, issued_ms))
        }
    }
}
