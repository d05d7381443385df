//! SendChatMessage, ListChatMessages, GetChatMessage, UpdateChatMessage,
//! DeleteChatMessage.

use axum::http::StatusCode;

use super::{message_id, thread_id};
use crate::emulator::api_error::ApiError;
use crate::emulator::app::App;
use crate::emulator::eventgrid::facts::message_change;
use crate::emulator::events::Change;
use crate::emulator::realtime::events;
use crate::emulator::request::{Reply, Req, path_id};
use crate::emulator::store::messages::{self, NewMessage};
use crate::emulator::store::now_ms;
use crate::emulator::{limits, paging};
use crate::wire::{
    ChatMessageType, Page, SendChatMessageRequest, SendChatMessageResult, UpdateChatMessageRequest,
};

pub async fn send(app: &App, req: &Req, caller: String, thread: &str) -> Result<Reply, ApiError> {
    let thread = thread_id(thread)?;
    let body: SendChatMessageRequest = req.json()?;
    let kind = body.kind.unwrap_or(ChatMessageType::Text);
    if !matches!(kind, ChatMessageType::Text | ChatMessageType::Html) {
        return Err(ApiError::bad_request(format!(
            "Message type '{kind}' is not valid; use 'text' or 'html'."
        )));
    }
    limits::check_content(&body.content)?;
    limits::check_display_name(body.sender_display_name.as_deref())?;
    let metadata = body.metadata.unwrap_or_default();
    limits::check_message_metadata(&metadata)?;
    let msg = NewMessage {
        content: body.content,
        display_name: body.sender_display_name,
        kind,
        metadata,
    };
    let now = now_ms();
    let t = thread.clone();
    let (t2, reader) = (thread.clone(), caller.clone());
    let (t3, sender) = (thread.clone(), caller.clone());
    let id = events::write_and_push(
        app,
        thread.clone(),
        events::Membership::Unchanged,
        now,
        move |tx| messages::send(tx, &t, &caller, &msg, now),
        move |tx, _, id| Ok(Some(events::message(tx, &t2, &reader, *id, 200)?)),
        move |tx, _, id| message_change(tx, &t3, &sender, *id, Change::MessageSent),
    )
    .await?;
    let location = format!(
        "{}/chat/threads/{}/messages/{id}",
        req.base,
        path_id(&thread)
    );
    Ok(Reply::json(
        StatusCode::CREATED,
        &SendChatMessageResult { id: id.to_string() },
    )?
    .with_location(location))
}

pub async fn list(app: &App, req: &Req, caller: String, thread: &str) -> Result<Reply, ApiError> {
    let thread = thread_id(thread)?;
    let size = paging::page_size(req.q("maxPageSize"))?;
    let cursor = req
        .q("syncState")
        .map(paging::MessageCursor::decode)
        .transpose()?;
    let start = req.time_param("startTime")?;
    let t = thread.clone();
    let (value, next) = app
        .store
        .read(move |tx| messages::list(tx, &t, &caller, cursor, start, size))
        .await?;
    let next_link = next.map(|c| {
        let mut pairs = vec![("syncState", c.encode())];
        if let Some(s) = req.q("startTime") {
            pairs.push(("startTime", s.to_owned()));
        }
        pairs.push(("maxPageSize", size.to_string()));
        pairs.push(("api-version", req.api_version()));
        paging::next_link(
            &req.base,
            &format!("/chat/threads/{thread}/messages"),
            &pairs,
        )
    });
    Reply::json(StatusCode::OK, &Page { value, next_link })
}

pub async fn get(app: &App, caller: String, thread: &str, id: &str) -> Result<Reply, ApiError> {
    let thread = thread_id(thread)?;
    let id = message_id(id)?;
    let msg = app
        .store
        .read(move |tx| messages::get(tx, &thread, &caller, id))
        .await?;
    Reply::json(StatusCode::OK, &msg)
}

pub async fn update(
    app: &App,
    req: &Req,
    caller: String,
    thread: &str,
    id: &str,
) -> Result<Reply, ApiError> {
    let thread = thread_id(thread)?;
    let id = message_id(id)?;
    let body: UpdateChatMessageRequest = req.json()?;
    if let Some(c) = &body.content {
        limits::check_content(c)?;
    }
    if let Some(m) = &body.metadata {
        limits::check_message_metadata(m)?;
    }
    let now = now_ms();
    let (t, reader) = (thread.clone(), caller.clone());
    let (t3, editor) = (thread.clone(), caller.clone());
    events::write_and_push(
        app,
        t.clone(),
        events::Membership::Unchanged,
        now,
        move |tx| {
            messages::update(
                tx,
                &thread,
                &caller,
                id,
                body.content.as_deref(),
                body.metadata.as_ref(),
                now,
            )
        },
        move |tx, _, _| Ok(Some(events::message(tx, &t, &reader, id, 247)?)),
        move |tx, _, _| message_change(tx, &t3, &editor, id, Change::MessageEdited),
    )
    .await?;
    Ok(Reply::empty(StatusCode::NO_CONTENT))
}

pub async fn delete(app: &App, caller: String, thread: &str, id: &str) -> Result<Reply, ApiError> {
    let thread = thread_id(thread)?;
    let id = message_id(id)?;
    let now = now_ms();
    let (t, reader) = (thread.clone(), caller.clone());
    let (t3, deleter) = (thread.clone(), caller.clone());
    events::write_and_push(
        app,
        t.clone(),
        events::Membership::Unchanged,
        now,
        move |tx| messages::delete(tx, &thread, &caller, id, now),
        move |tx, _, _| Ok(Some(events::message(tx, &t, &reader, id, 248)?)),
        move |tx, _, _| message_change(tx, &t3, &deleter, id, Change::MessageDeleted),
    )
    .await?;
    Ok(Reply::empty(StatusCode::NO_CONTENT))
}
