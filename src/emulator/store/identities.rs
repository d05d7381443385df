//! Identities: users, and the times that decide which of their tokens are valid.
//!
//! A token is valid when issued (ms) at or after the user's `revoked_before_ms`.
//! Revoking sets that past every token issued so far; issuing never goes below it,
//! so "revoke, then issue" works even within one millisecond.

use super::cached::CachedStatements as _;
use rusqlite::{OptionalExtension as _, Transaction, params};

use super::rows::at;
use crate::emulator::api_error::ApiError;

fn identity_not_found() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::NOT_FOUND,
        "IdentityNotFound",
        Some("The identity was not found.".to_owned()),
    )
}

pub fn create(tx: &Transaction<'_>, id: &str, now: i64) -> Result<(), ApiError> {
    tx.execute_cached(
        "INSERT INTO identities (id, created_ms) VALUES (?1, ?2)",
        params![id, now],
    )?;
    Ok(())
}

/// (revoked_before_ms, last_token_ms) of a live identity, or 404.
fn live(tx: &Transaction<'_>, id: &str) -> Result<(i64, Option<i64>), ApiError> {
    tx.query_row_cached(
        "SELECT revoked_before_ms, last_token_ms FROM identities WHERE id = ?1 AND deleted_ms IS NULL",
        params![id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?
    .ok_or_else(identity_not_found)
}

/// Records an issue; returns the issue time (ms) to put in the token.
pub fn issue(tx: &Transaction<'_>, id: &str, now: i64) -> Result<i64, ApiError> {
    let (revoked_before, _) = live(tx, id)?;
    let issued = now.max(revoked_before);
    tx.execute_cached(
        "UPDATE identities SET last_token_ms = MAX(COALESCE(last_token_ms, 0), ?2) WHERE id = ?1",
        params![id, issued],
    )?;
    Ok(issued)
}

pub fn revoke(tx: &Transaction<'_>, id: &str, now: i64) -> Result<(), ApiError> {
    let (_, last) = live(tx, id)?;
    let before = now.max(last.map_or(0, |l| l + 1));
    tx.execute_cached(
        "UPDATE identities SET revoked_before_ms = MAX(revoked_before_ms, ?2) WHERE id = ?1",
        params![id, before],
    )?;
    Ok(())
}

/// Deletes a user (their tokens stop working). Deleting an unknown user is a 404;
/// deleting twice is a no-op success.
pub fn delete(tx: &Transaction<'_>, id: &str, now: i64) -> Result<(), ApiError> {
    let changed = tx.execute_cached(
        "UPDATE identities SET deleted_ms = COALESCE(deleted_ms, ?2) WHERE id = ?1",
        params![id, now],
    )?;
    if changed == 0 {
        Err(identity_not_found())
    } else {
        Ok(())
    }
}

/// GetIdentity (2025-06-30): `{id, lastTokenIssuedAt?}`.
pub fn get(tx: &Transaction<'_>, id: &str) -> Result<serde_json::Value, ApiError> {
    let (_, last) = live(tx, id)?;
    let mut body = serde_json::json!({ "id": id });
    if let Some(l) = last {
        body["lastTokenIssuedAt"] =
            serde_json::Value::String(crate::wire::timestamp::format_whole_seconds(at(l)));
    }
    Ok(body)
}

/// From when on `id`'s tokens are good (`None`: deleted or unknown, none are).
pub fn tokens_good_from(tx: &Transaction<'_>, id: &str) -> Result<Option<i64>, ApiError> {
    Ok(tx
        .query_row_cached(
            "SELECT revoked_before_ms FROM identities WHERE id = ?1 AND deleted_ms IS NULL",
            params![id],
            |r| r.get(0),
        )
        .optional()?)
}
