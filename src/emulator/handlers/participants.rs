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
    let (t, t2, t3) = (thread.clone(), thread.clone(), thread.clone());
    let (by, adder) = (caller.clone(), caller.clone());
    let invalid = events::write_and_push(
        app,
        thread.clone(),
        events::Membership::MayChange,
        now,
        move |tx| store::participants::add(tx, &t, &caller, list, now),
        move |_, members, _| Ok(events::membership(members, &t2, &by, now)),
        move |_, members, _| Ok(facts::membership(members, &adder).map(|c| (t3, c))),
    )
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
    let (t, t3) = (thread.clone(), thread.clone());
    let (by, remover) = (caller.clone(), caller.clone());
    events::write_and_push(
        app,
        thread.clone(),
        events::Membership::MayChange,
        now,
        move |tx| store::participants::remove(tx, &thread, &caller, &target, now),
        move |_, members, _| Ok(events::membership(members, &t, &by, now)),
        move |_, members, _| Ok(facts::membership(members, &remover).map(|c| (t3, c))),
    )
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
        events::Membership::Unchanged,
        now,
        move |tx| store::receipts::send(tx, &t, &caller, id, now),
        move |_, _, _| Ok(Some(payload)),
        // Read receipts raise no Event Grid event.
        |_, _, _| Ok(None),
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
