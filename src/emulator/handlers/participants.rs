//! ListChatParticipants, AddChatParticipants, RemoveChatParticipant, and the two
//! per-participant signals: SendTypingNotification and read receipts.

use axum::http::StatusCode;

use super::{candidates, message_id, thread_id, user_identifier};
use crate::emulator::api_error::ApiError;
use crate::emulator::app::App;
use crate::emulator::eventgrid::facts;
use crate::emulator::realtime::events;
use crate::emulator::request::{Reply, Req, path_id};
use crate::emulator::store::{self, now_ms};
use crate::emulator::{limits, paging};
use crate::wire::{
    AddChatParticipantsRequest, AddChatParticipantsResult, CommunicationIdentifierModel, Page,
    SendReadReceiptRequest, SendTypingNotificationRequest,
};

/// The skip-based nextLink of participants and read receipts.
fn skip_link(req: &Req, what: &str, thread: &str, skip: i64, size: i64) -> String {
    paging::next_link(
        &req.base,
        &format!("/chat/threads/{thread}/{what}"),
        &[
            ("skip", (skip + size).to_string()),
            ("maxPageSize", size.to_string()),
            ("api-version", req.api_version()),
        ],
    )
}

pub async fn list(app: &App, req: &Req, caller: String, thread: &str) -> Result<Reply, ApiError> {
    let thread = thread_id(thread)?;
    let (skip, size) = (
        paging::skip(req.q("skip"))?,
        paging::page_size(req.q("maxPageSize"))?,
    );
    let t = thread.clone();
    let (value, more) = app
        .store
        .read(move |tx| store::participants::list(tx, &t, &caller, skip, size))
        .await?;
    let next_link = more.then(|| skip_link(req, "participants", &thread, skip, size));
    Reply::json(StatusCode::OK, &Page { value, next_link })
}

pub async fn add(app: &App, req: &Req, caller: String, thread: &str) -> Result<Reply, ApiError> {
    let thread = thread_id(thread)?;
    let body: AddChatParticipantsRequest = req.json()?;
    let list = candidates(&body.participants)?;
    let now = now_ms();
    let (t, t2, by) = (thread.clone(), thread.clone(), caller.clone());
    let (t3, adder) = (thread.clone(), caller.clone());
    let write = app.eventgrid.record(
        thread.clone(),
        now,
        move |tx| store::participants::add(tx, &t, &caller, list, now),
        move |tx, before, _| Ok(facts::membership(tx, &t3, &adder, before)?.map(|c| (t3, c))),
    );
    let invalid = events::write_and_push(app, thread.clone(), write, move |tx, before, _| {
        events::membership(tx, before, &t2, &by, now)
    })
    .await?;
    let result = AddChatParticipantsResult {
        invalid_participants: if invalid.is_empty() {
            None
        } else {
            Some(invalid)
        },
    };
    let location = format!(
        "{}/chat/threads/{}/participants",
        req.base,
        path_id(&thread)
    );
    Ok(Reply::json(StatusCode::CREATED, &result)?.with_location(location))
}

pub async fn remove(app: &App, req: &Req, caller: String, thread: &str) -> Result<Reply, ApiError> {
    let thread = thread_id(thread)?;
    let body: CommunicationIdentifierModel = req.json()?;
    let target = user_identifier(&body)?;
    let now = now_ms();
    let (t, by) = (thread.clone(), caller.clone());
    let (t3, remover) = (thread.clone(), caller.clone());
    let write = app.eventgrid.record(
        thread.clone(),
        now,
        move |tx| store::participants::remove(tx, &thread, &caller, &target, now),
        move |tx, before, _| Ok(facts::membership(tx, &t3, &remover, before)?.map(|c| (t3, c))),
    );
    events::write_and_push(app, t.clone(), write, move |tx, before, _| {
        events::membership(tx, before, &t, &by, now)
    })
    .await?;
    Ok(Reply::empty(StatusCode::NO_CONTENT))
}

/// Typing notifications are validated and acknowledged; the REST API has no way to
/// read them back, so nothing is stored.
pub async fn typing(app: &App, req: &Req, caller: String, thread: &str) -> Result<Reply, ApiError> {
    let thread = thread_id(thread)?;
    let body: SendTypingNotificationRequest = req.json_or_default()?;
    limits::check_display_name(body.sender_display_name.as_deref())?;
    let name = body.sender_display_name.unwrap_or_default();
    let now = now_ms();
    let payload = events::typing(&thread, &caller, &name, now);
    events::push_to_members(app, thread, caller, payload).await?;
    Ok(Reply::empty(StatusCode::OK))
}

pub async fn send_receipt(
    app: &App,
    req: &Req,
    caller: String,
    thread: &str,
) -> Result<Reply, ApiError> {
    let thread = thread_id(thread)?;
    let body: SendReadReceiptRequest = req.json()?;
    let id = message_id(&body.chat_message_id)?;
    let now = now_ms();
    let payload = events::read_receipt(&thread, &caller, id, now);
    let t = thread.clone();
    events::write_and_push(
        app,
        thread,
        move |tx| store::receipts::send(tx, &t, &caller, id, now),
        move |_, _, _| Ok(payload),
    )
    .await?;
    Ok(Reply::empty(StatusCode::OK))
}

pub async fn list_receipts(
    app: &App,
    req: &Req,
    caller: String,
    thread: &str,
) -> Result<Reply, ApiError> {
    let thread = thread_id(thread)?;
    let (skip, size) = (
        paging::skip(req.q("skip"))?,
        paging::page_size(req.q("maxPageSize"))?,
    );
    let t = thread.clone();
    let (value, more) = app
        .store
        .read(move |tx| store::receipts::list(tx, &t, &caller, skip, size))
        .await?;
    let next_link = more.then(|| skip_link(req, "readReceipts", &thread, skip, size));
    Reply::json(StatusCode::OK, &Page { value, next_link })
}
