//! `GET /chat/config/realTimeNotifications`: where the Trouter service and the
//! registrar are. The client appends `/v4/a` and `/v3/registrations` to the two URLs
//! and needs all three fields non-empty.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::super::api_error::{ApiError, Family};
use super::super::app::App;
use super::super::auth::user_token;
use super::super::{api_version, dispatch};
use super::error_response;

/// The version the signaling client sends (its `CONFIG_API_VERSION`); the Chat
/// versions are accepted too, as the route belongs to the Chat gateway.
const CONFIG_VERSION: &str = "2024-09-01";

pub async fn get(State(app): State<Arc<App>>, request: Request) -> Response {
    app.touch();
    // Read all of the request first: it is not `Sync`, so it cannot be held across
    // an await.
    let version = request.uri().query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "api-version")
            .map(|(_, v)| v.into_owned())
    });
    let token = user_token::bearer(request.headers()).map(str::to_owned);
    // The origin as the client reached it, so 127.0.0.1, ::1 and localhost all work
    // (and with no trailing slash: the client appends paths).
    let origin = dispatch::base_url(&app, &request);
    match answer(&app, version.as_deref(), token.as_deref(), origin).await {
        Ok(r) => r,
        Err(e) => error_response(e),
    }
}

async fn answer(
    app: &App,
    version: Option<&str>,
    token: Option<&str>,
    origin: String,
) -> Result<Response, ApiError> {
    if version != Some(CONFIG_VERSION) {
        api_version::check(Family::Chat, version)?;
    }
    user_token::live_user(app, token.ok_or_else(ApiError::unauthorized)?).await?;
    let body = serde_json::json!({
        "trouterServiceUrl": origin,
        "registrarServiceUrl": origin,
        "cloudType": "Public",
    });
    Ok((StatusCode::OK, axum::Json(body)).into_response())
}
