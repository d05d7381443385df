//! The Identity API: create users (optionally with a token), issue and revoke
//! tokens, delete and get users. Requests are HMAC-signed (checked before here).

use axum::http::StatusCode;
use time::OffsetDateTime;

use crate::emulator::api_error::ApiError;
use crate::emulator::app::App;
use crate::emulator::auth::jwt;
use crate::emulator::ids;
use crate::emulator::request::{Reply, Req, path_id};
use crate::emulator::store::{self, now_ms};
use crate::wire::{
    AccessToken, CommunicationIdentity, CreateIdentityRequest, CreateIdentityResult,
    IssueAccessTokenRequest,
};

const SCOPES: [&str; 5] = [
    "chat",
    "voip",
    "chat.join",
    "chat.join.limited",
    "voip.join",
];
const DEFAULT_MINUTES: i64 = 1440;

fn check_scopes(scopes: &[String]) -> Result<(), ApiError> {
    if scopes.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "ValidationError",
            Some("At least one scope is required.".to_owned()),
        ));
    }
    match scopes.iter().find(|s| !SCOPES.contains(&s.as_str())) {
        Some(bad) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "ValidationError",
            Some(format!("Scope '{bad}' is not valid.")),
        )),
        None => Ok(()),
    }
}

fn check_minutes(m: Option<i64>) -> Result<i64, ApiError> {
    match m {
        None => Ok(DEFAULT_MINUTES),
        Some(m) if (60..=1440).contains(&m) => Ok(m),
        Some(_) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "ValidationError",
            Some("expiresInMinutes must be between 60 and 1440.".to_owned()),
        )),
    }
}

/// `expiresOn` as Identity writes it: 7 fractional digits and `+00:00`.
fn identity_time(ms: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let whole = crate::wire::timestamp::format_whole_seconds(t);
    format!(
        "{}.{:07}+00:00",
        whole.trim_end_matches('Z'),
        t.nanosecond() / 100
    )
}

fn token(app: &App, user: &str, scopes: &[String], issued_ms: i64, lifetime_s: i64) -> AccessToken {
    let claims = jwt::Claims::new(user, scopes, &app.resource_id, issued_ms, lifetime_s);
    AccessToken {
        token: jwt::mint(&claims, &app.token_secret),
        expires_on: identity_time(claims.exp * 1000),
    }
}

pub async fn create(app: &App, req: &Req) -> Result<Reply, ApiError> {
    let body: CreateIdentityRequest = req.json_or_default()?;
    let minutes = check_minutes(body.expires_in_minutes)?;
    let scopes = body.create_token_with_scopes.filter(|s| !s.is_empty());
    if let Some(s) = &scopes {
        check_scopes(s)?;
    }
    let id = ids::new_user_id(&app.resource_id);
    let (user, now) = (id.clone(), now_ms());
    let with_token = scopes.is_some();
    let issued = app
        .store
        .tx(move |tx| {
            store::identities::create(tx, &user, now)?;
            if with_token {
                store::identities::issue(tx, &user, now).map(Some)
            } else {
                Ok(None)
            }
        })
        .await?;
    let access_token = match (scopes, issued) {
        (Some(s), Some(at)) => Some(token(app, &id, &s, at, minutes * 60)),
        _ => None,
    };
    let location = format!("{}/identities/{}", req.base, path_id(&id));
    let result = CreateIdentityResult {
        identity: CommunicationIdentity { id },
        access_token,
    };
    Ok(Reply::json(StatusCode::CREATED, &result)?.with_location(location))
}

pub async fn issue(app: &App, req: &Req, user: &str) -> Result<Reply, ApiError> {
    let body: IssueAccessTokenRequest = req.json()?;
    check_scopes(&body.scopes)?;
    let minutes = check_minutes(body.expires_in_minutes)?;
    let issued = issue_for(app, user, &body.scopes, minutes * 60).await?;
    Reply::json(StatusCode::OK, &issued)
}

/// A token for `user` good for `lifetime_s`, recorded as issued (so a later revoke
/// covers it). The API only asks for whole hours; tests of what happens at expiry
/// ask for seconds.
pub async fn issue_for(
    app: &App,
    user: &str,
    scopes: &[String],
    lifetime_s: i64,
) -> Result<AccessToken, ApiError> {
    let (u, now) = (user.to_owned(), now_ms());
    let issued = app
        .store
        .tx(move |tx| store::identities::issue(tx, &u, now))
        .await?;
    Ok(token(app, user, scopes, issued, lifetime_s))
}

pub async fn revoke(app: &App, user: &str) -> Result<Reply, ApiError> {
    let (u, now) = (user.to_owned(), now_ms());
    app.store
        .tx(move |tx| store::identities::revoke(tx, &u, now))
        .await?;
    app.token_liveness.forget(user);
    app.realtime.hub.recheck(user);
    Ok(Reply::empty(StatusCode::NO_CONTENT))
}

pub async fn delete(app: &App, user: &str) -> Result<Reply, ApiError> {
    let (u, now) = (user.to_owned(), now_ms());
    app.store
        .tx(move |tx| store::identities::delete(tx, &u, now))
        .await?;
    app.token_liveness.forget(user);
    app.realtime.hub.recheck(user);
    Ok(Reply::empty(StatusCode::NO_CONTENT))
}

pub async fn get(app: &App, user: &str) -> Result<Reply, ApiError> {
    let u = user.to_owned();
    let body = app
        .store
        .read(move |tx| store::identities::get(tx, &u))
        .await?;
    Reply::json(StatusCode::OK, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_time_format() {
        assert_eq!(
            identity_time(1_653_638_365_959),
            "2022-05-27T07:59:25.9590000+00:00"
        );
    }

    #[test]
    fn validation() {
        assert!(check_minutes(Some(59)).is_err());
        assert!(check_minutes(Some(1441)).is_err());
        assert_eq!(check_minutes(Some(60)), Ok(60));
        assert_eq!(check_minutes(None), Ok(1440));
        assert!(check_scopes(&["chat".into()]).is_ok());
        assert!(check_scopes(&["email".into()]).is_err());
        assert!(check_scopes(&[]).is_err());
    }
}
