//! Which handler runs each endpoint, once the request passed the gate.

use axum::http::StatusCode;

use super::api_error::ApiError;
use super::app::App;
use super::eventgrid::manage;
use super::gate;
use super::handlers::{identity, messages, participants, threads};
use super::request::{Reply, Req};
use super::routes::Endpoint;

pub(super) async fn emulator_endpoint(
    app: &App,
    req: &Req,
    endpoint: Endpoint,
) -> Result<Reply, ApiError> {
    match endpoint {
        Endpoint::Health => Reply::json(
            StatusCode::OK,
            &serde_json::json!({ "status": "ok", "name": "acs-chat-emulator", "version": env!("CARGO_PKG_VERSION") }),
        ),
        Endpoint::Shutdown => {
            gate::check_hmac(app, req)?;
            tracing::info!("shutdown requested over HTTP");
            app.request_shutdown();
            Ok(Reply::empty(StatusCode::NO_CONTENT))
        }
        Endpoint::ValidateEventSubscription => manage::validate(app, req),
        managed => {
            gate::check_hmac(app, req)?;
            match managed {
                Endpoint::ListEventSubscriptions => manage::list(app).await,
                Endpoint::PutEventSubscription(n) => manage::put(app, req, &n).await,
                Endpoint::DeleteEventSubscription(n) => manage::delete(app, &n).await,
                Endpoint::ListDeadLetters => manage::dead_letters(app, req).await,
                Endpoint::RedeliverDeadLetters => manage::redeliver(app, req).await,
                _ => Err(ApiError::not_found("The requested resource was not found.")),
            }
        }
    }
}

pub(super) async fn identity_endpoint(
    app: &App,
    req: &Req,
    endpoint: Endpoint,
) -> Result<Reply, ApiError> {
    match endpoint {
        Endpoint::CreateIdentity => identity::create(app, req).await,
        Endpoint::IssueToken(u) => identity::issue(app, req, &u).await,
        Endpoint::RevokeTokens(u) => identity::revoke(app, &u).await,
        Endpoint::DeleteIdentity(u) => identity::delete(app, &u).await,
        Endpoint::GetIdentity(u) => identity::get(app, &u).await,
        _ => Err(ApiError::not_found("The requested resource was not found.")),
    }
}

pub(super) async fn chat_endpoint(
    app: &App,
    req: &Req,
    endpoint: Endpoint,
    caller: String,
) -> Result<Reply, ApiError> {
    use Endpoint::*;
    match endpoint {
        ListThreads => threads::list(app, req, caller).await,
        CreateThread => threads::create(app, req, caller).await,
        GetThread(t) => threads::get(app, caller, &t).await,
        UpdateThread(t) => threads::update(app, req, caller, &t).await,
        DeleteThread(t) => threads::delete(app, caller, &t).await,
        ListMessages(t) => messages::list(app, req, caller, &t).await,
        SendMessage(t) => messages::send(app, req, caller, &t).await,
        GetMessage(t, m) => messages::get(app, caller, &t, &m).await,
        UpdateMessage(t, m) => messages::update(app, req, caller, &t, &m).await,
        DeleteMessage(t, m) => messages::delete(app, caller, &t, &m).await,
        ListParticipants(t) => participants::list(app, req, caller, &t).await,
        AddParticipants(t) => participants::add(app, req, caller, &t).await,
        RemoveParticipant(t) => participants::remove(app, req, caller, &t).await,
        Typing(t) => participants::typing(app, req, caller, &t).await,
        ListReadReceipts(t) => participants::list_receipts(app, req, caller, &t).await,
        SendReadReceipt(t) => participants::send_receipt(app, req, caller, &t).await,
        _ => Err(ApiError::not_found("The requested resource was not found.")),
    }
}
