//! CreateChatThread, ListChatThreads, GetChatThreadProperties,
//! UpdateChatThreadProperties, DeleteChatThread.

use axum::http::StatusCode;

use super::{candidates, thread_id};
use crate::emulator::api_error::ApiError;
use crate::emulator::app::App;
use crate::emulator::eventgrid::facts;
use crate::emulator::events::Change;
use crate::emulator::realtime::events;
use crate::emulator::request::{Reply, Req, path_id};
use crate::emulator::store::now_ms;
use crate::emulator::store::threads::{self, NewThread, ThreadPatch};
use crate::emulator::{ids, limits, paging};
use crate::wire::{CreateChatThreadRequest, Page, RetentionPolicy, UpdateChatThreadRequest};

fn check_retention(r: &RetentionPolicy) -> Result<(), ApiError> {
    match (r.kind.as_str(), r.delete_thread_after_days) {
        ("none", _) => Ok(()),
        ("threadCreationDate", Some(d)) if (30..=90).contains(&d) => Ok(()),
        _ => Err(ApiError::bad_request(
            "The retention policy is invalid: use kind 'none', or 'threadCreationDate' with deleteThreadAfterDays 30 to 90.",
        )),
    }
}

/// Whether `create` made the thread `id`: a replayed repeatability-request-id
/// answers with the earlier thread and creates nothing, so it raises no event.
fn fresh(c: &threads::Created, id: &str) -> bool {
    c.thread_id == id
}

pub async fn create(app: &App, req: &Req, caller: String) -> Result<Reply, ApiError> {
    let body: CreateChatThreadRequest = req.json()?;
    limits::check_topic(&body.topic)?;
    let metadata = body.metadata.unwrap_or_default();
    limits::check_metadata("thread metadata", &metadata)?;
    if let Some(r) = &body.retention_policy {
        check_retention(r)?;
    }
    let participants = candidates(&body.participants)?;
    let repeat_id = req
        .header("repeatability-request-id")
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if repeat_id.is_some_and(|r| r.len() > 256) {
        return Err(ApiError::bad_request(
            "The repeatability-request-id header is too long.",
        ));
    }
    let new = NewThread {
        topic: body.topic,
        participants,
        metadata,
        retention: body.retention_policy,
        repeat_id: repeat_id.map(str::to_owned),
    };
    let (id, now) = (ids::new_thread_id(), now_ms());
    let (creator, by) = (caller.clone(), caller.clone());
    let (new_id, new_id2) = (id.clone(), id.clone());
    let created = events::write_and_push(
        app,
        id.clone(),
        events::Membership::MayChange,
        now,
        move |tx| threads::create(tx, &caller, new, id, now),
        move |tx, members, c: &threads::Created| {
            fresh(c, &new_id)
                .then(|| events::thread_created(tx, members, &c.thread_id, &creator))
                .transpose()
        },
        move |_, members, c: &threads::Created| {
            let change = Change::ThreadCreated {
                creator: by,
                participants: facts::members(&members.after),
            };
            Ok(fresh(c, &new_id2).then_some((new_id2, change)))
        },
    )
    .await?;
    let location = format!("{}/chat/threads/{}", req.base, path_id(&created.thread_id));
    Ok(Reply::raw_json(StatusCode::CREATED, created.body).with_location(location))
}

pub async fn list(app: &App, req: &Req, caller: String) -> Result<Reply, ApiError> {
    let size = paging::page_size(req.q("maxPageSize"))?;
    let cursor = req
        .q("syncState")
        .map(paging::ThreadCursor::decode)
        .transpose()?;
    let start = req.time_param("startTime")?;
    let (value, next) = app
        .store
        .read(move |tx| threads::list(tx, &caller, cursor, start, size))
        .await?;
    let next_link = next.map(|c| {
        paging::next_link(
            &req.base,
            "/chat/threads",
            &[
                ("syncState", c.encode()),
                ("maxPageSize", size.to_string()),
                ("api-version", req.api_version()),
            ],
        )
    });
    Reply::json(StatusCode::OK, &Page { value, next_link })
}

pub async fn get(app: &App, caller: String, thread: &str) -> Result<Reply, ApiError> {
    let thread = thread_id(thread)?;
    let props = app
        .store
        .read(move |tx| threads::get(tx, &thread, &caller))
        .await?;
    Reply::json(StatusCode::OK, &props)
}

pub async fn update(app: &App, req: &Req, caller: String, thread: &str) -> Result<Reply, ApiError> {
    let thread = thread_id(thread)?;
    let body: UpdateChatThreadRequest = req.json()?;
    if let Some(t) = &body.topic {
        limits::check_topic(t)?;
    }
    if let Some(r) = &body.retention_policy {
        check_retention(r)?;
    }
    let patch = ThreadPatch {
        topic: body.topic,
        metadata: body.metadata,
        retention: body.retention_policy,
    };
    let now = now_ms();
    let (t, by) = (thread.clone(), caller.clone());
    let (t3, editor) = (thread.clone(), caller.clone());
    events::write_and_push(
        app,
        t.clone(),
        events::Membership::Unchanged,
        now,
        move |tx| threads::update(tx, &thread, &caller, patch, now),
        move |tx, before, _| Ok(Some(events::thread_updated(tx, before, &t, &by, now)?)),
        move |_, _, _| Ok(Some((t3, Change::ThreadUpdated { editor }))),
    )
    .await?;
    Ok(Reply::empty(StatusCode::NO_CONTENT))
}

pub async fn delete(app: &App, caller: String, thread: &str) -> Result<Reply, ApiError> {
    let thread = thread_id(thread)?;
    let now = now_ms();
    let (t, by) = (thread.clone(), caller.clone());
    let (t3, deleter) = (thread.clone(), caller.clone());
    events::write_and_push(
        app,
        t.clone(),
        events::Membership::Unchanged,
        now,
        move |tx| threads::delete(tx, &thread, &caller, now),
        move |_, before, _| Ok(Some(events::thread_deleted(before, &t, &by, now))),
        move |_, _, _| Ok(Some((t3, Change::ThreadDeleted { deleter }))),
    )
    .await?;
    Ok(Reply::empty(StatusCode::NO_CONTENT))
}
