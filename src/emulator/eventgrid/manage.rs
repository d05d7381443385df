//! Subscriptions while the emulator runs: those of the flags and the config file at
//! start, and the emulator-only management route (HMAC-signed with the access key,
//! like `/emulator/shutdown`) that adds, lists and removes them, lists dead letters
//! and re-delivers them. Subscriptions live in the database: one added through the
//! route outlives a restart, as an Azure subscription does; those of the flags and
//! the config are the ones given at each start.

use std::sync::Arc;

use axum::http::StatusCode;

use super::super::api_error::ApiError;
use super::super::app::App;
use super::super::events::build::event_time;
use super::super::events::envelope;
use super::super::request::{Reply, Req};
use super::super::store::{Store, now_ms};
use super::outbox;
use super::{EventGrid, Subscription, worker};
use crate::wire::{DeadLetter, EventSubscriptionDef, EventSubscriptionInfo};

/// The URL a webhook may GET instead of answering the validation code.
pub fn validation_url(base: &str, name: &str, code: &str) -> String {
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("subscription", name)
        .append_pair("code", code)
        .finish();
    format!(
        "{}/emulator/event-validation?{query}",
        base.trim_end_matches('/')
    )
}

fn stored_def(s: &Subscription) -> String {
    serde_json::to_string(&s.def).unwrap_or_default()
}

/// At start: stores the given subscriptions (dropping stored ones that are no longer
/// given, unless added through the route) and starts a task for each stored one.
pub async fn start(
    store: &Store,
    grid: &Arc<EventGrid>,
    given: Vec<Subscription>,
) -> Result<(), ApiError> {
    let rows = given
        .iter()
        .map(|s| (s.name.clone(), stored_def(s)))
        .collect::<Vec<_>>();
    let stored = store
        .tx(move |tx| {
            for old in outbox::subscriptions(tx)? {
                if !old.from_api && !rows.iter().any(|(n, _)| *n == old.name) {
                    outbox::remove(tx, &old.name)?;
                }
            }
            for (name, def) in &rows {
                outbox::upsert(tx, name, def, false)?;
            }
            Ok(outbox::subscriptions(tx)?)
        })
        .await?;
    for row in stored {
        let def: EventSubscriptionDef = match serde_json::from_str(&row.def) {
            Ok(d) => d,
            Err(_) => continue,
        };
        match Subscription::from_def(
            EventSubscriptionDef {
                name: Some(row.name.clone()),
                ..def
            },
            0,
        ) {
            Ok(sub) => run(store, grid, sub),
            Err(e) => {
                tracing::warn!(subscription = %row.name, error = %e, "stored event subscription skipped")
            }
        }
    }
    Ok(())
}

fn run(store: &Store, grid: &Arc<EventGrid>, sub: Subscription) {
    let handle = worker::spawn(store.clone(), grid.clone(), sub.clone());
    if let Ok(mut w) = grid.workers.lock() {
        w.insert(sub.name.clone(), handle);
        grid.set_active(!w.is_empty());
    }
}

fn stop(grid: &EventGrid, name: &str) {
    if let Ok(mut w) = grid.workers.lock() {
        w.remove(name);
        grid.set_active(!w.is_empty());
    }
}

/// `GET /emulator/event-subscriptions`.
pub async fn list(app: &App) -> Result<Reply, ApiError> {
    let infos = app
        .store
        .tx(|tx| {
            let mut out = Vec::new();
            for row in outbox::subscriptions(tx)? {
                let (retrying, dead_lettered) = outbox::counts(tx, &row.name)?;
                out.push(EventSubscriptionInfo {
                    definition: serde_json::from_str(&row.def).unwrap_or_default(),
                    name: row.name,
                    state: row.state,
                    detail: row.detail,
                    retrying,
                    dead_lettered,
                });
            }
            Ok(out)
        })
        .await?;
    Reply::json(StatusCode::OK, &serde_json::json!({ "value": infos }))
}

/// `PUT /emulator/event-subscriptions/{name}`: adds or replaces one.
pub async fn put(app: &App, req: &Req, name: &str) -> Result<Reply, ApiError> {
    let def: EventSubscriptionDef = req.json()?;
    let sub = Subscription::from_def(
        EventSubscriptionDef {
            name: Some(name.to_owned()),
            ..def
        },
        0,
    )
    .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let (n, d) = (sub.name.clone(), stored_def(&sub));
    stop(&app.eventgrid, &sub.name);
    app.store
        .tx(move |tx| Ok(outbox::upsert(tx, &n, &d, true)?))
        .await?;
    run(&app.store, &app.eventgrid, sub);
    Ok(Reply::empty(StatusCode::CREATED))
}

/// `DELETE /emulator/event-subscriptions/{name}`: its retries and dead letters go too.
pub async fn delete(app: &App, name: &str) -> Result<Reply, ApiError> {
    stop(&app.eventgrid, name);
    let n = name.to_owned();
    let removed = app.store.tx(move |tx| Ok(outbox::remove(tx, &n)?)).await?;
    if removed {
        Ok(Reply::empty(StatusCode::NO_CONTENT))
    } else {
        Err(ApiError::not_found("No such event subscription."))
    }
}

/// `GET /emulator/event-dead-letters[?subscription=NAME]`.
pub async fn dead_letters(app: &App, req: &Req) -> Result<Reply, ApiError> {
    let sub = req.q("subscription").map(str::to_owned);
    let topic = app.eventgrid.config.topic.clone();
    let schemas: Vec<(String, super::super::events::Schema)> = app
        .eventgrid
        .workers
        .lock()
        .map(|w| {
            w.values()
                .map(|h| (h.sub.name.clone(), h.sub.schema))
                .collect()
        })
        .unwrap_or_default();
    let rows = app
        .store
        .tx(move |tx| Ok(outbox::dead_letters(tx, sub.as_deref())?))
        .await?;
    let value: Vec<DeadLetter> = rows
        .into_iter()
        .map(|d| {
            let schema = schemas
                .iter()
                .find(|(n, _)| *n == d.subscription)
                .map(|(_, s)| *s)
                .unwrap_or_default();
            DeadLetter {
                dead_letter_reason: d.death.reason.to_owned(),
                delivery_attempts: d.death.attempts,
                last_delivery_outcome: d.death.outcome,
                last_http_status_code: d.death.status,
                publish_time: event_time(d.event.event.time_ms),
                last_delivery_attempt_time: event_time(d.last_ms),
                event: envelope::wrap(&d.event.event, schema, &topic),
                subscription: d.subscription,
            }
        })
        .collect();
    Reply::json(StatusCode::OK, &serde_json::json!({ "value": value }))
}

/// `POST /emulator/event-dead-letters/:redeliver?subscription=NAME`: every dead letter
/// of the subscription is tried again now, with a fresh count of attempts.
pub async fn redeliver(app: &App, req: &Req) -> Result<Reply, ApiError> {
    let sub = req
        .q("subscription")
        .map(str::to_owned)
        .ok_or_else(|| ApiError::bad_request("Name the subscription: ?subscription=NAME."))?;
    let now = now_ms();
    let moved = app
        .store
        .tx(move |tx| Ok(outbox::redeliver(tx, &sub, now)?))
        .await?;
    app.eventgrid.wake();
    Reply::json(
        StatusCode::OK,
        &serde_json::json!({ "redelivering": moved }),
    )
}

/// `GET /emulator/event-validation?subscription=&code=`: the validationUrl of an
/// Event Grid-schema handshake (no signature: the code is the secret, as in Azure).
pub fn validate(app: &App, req: &Req) -> Result<Reply, ApiError> {
    let (Some(name), Some(code)) = (req.q("subscription"), req.q("code")) else {
        return Err(ApiError::bad_request("The validation URL is incomplete."));
    };
    let waiting = app.eventgrid.manual.lock().ok().and_then(|mut m| {
        let matches = m
            .get(name)
            .is_some_and(|(c, _)| c.eq_ignore_ascii_case(code));
        if matches { m.remove(name) } else { None }
    });
    match waiting {
        Some((_, done)) => {
            let _ = done.send(());
            Reply::json(
                StatusCode::OK,
                &serde_json::json!({ "message": "Webhook successfully validated as a subscription endpoint." }),
            )
        }
        None => Err(ApiError::not_found(
            "No validation is waiting for this code.",
        )),
    }
}
