//! Request handlers, one module per resource. Each validates its input (ids, body,
//! limits) into plain values, runs one store transaction and shapes the reply.

pub mod identity;
pub mod messages;
pub mod participants;
pub mod threads;

use super::api_error::ApiError;
use super::ids::{self, Identifier};
use super::limits;
use super::store::participants::Candidate;
use crate::wire::ChatParticipant;

/// A thread id from the path: malformed is a bare 400, as the service answers.
pub fn thread_id(raw: &str) -> Result<String, ApiError> {
    if ids::is_thread_id(raw) {
        Ok(raw.to_owned())
    } else {
        Err(ApiError::bad_request_bare())
    }
}

/// A message id from the path or a body.
pub fn message_id(raw: &str) -> Result<i64, ApiError> {
    ids::parse_message_id(raw).ok_or_else(|| ApiError::invalid_message_id(raw))
}

/// Participants from a request body, each checked; one malformed id fails the request.
pub fn candidates(list: &[ChatParticipant]) -> Result<Vec<Candidate>, ApiError> {
    if list.len() > limits::MAX_BATCH {
        return Err(ApiError::bad_request(format!(
            "At most {} participants can be added in one request.",
            limits::MAX_BATCH
        )));
    }
    list.iter()
        .map(|p| {
            let kind = ids::classify(&p.communication_identifier)
                .map_err(|raw| ApiError::invalid_identifier(&raw))?;
            limits::check_display_name(p.display_name.as_deref())?;
            let metadata = p.metadata.clone().unwrap_or_default();
            limits::check_metadata("participant metadata", &metadata)?;
            let share_history_ms = p
                .share_history_time
                .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
                .unwrap_or(0)
                .max(0);
            Ok(Candidate {
                raw: kind.raw().to_owned(),
                kind,
                display_name: p.display_name.clone(),
                share_history_ms,
                metadata,
            })
        })
        .collect()
}

/// An identifier that must be an ACS user (remove participant).
pub fn user_identifier(
    model: &crate::wire::CommunicationIdentifierModel,
) -> Result<String, ApiError> {
    match ids::classify(model) {
        Ok(Identifier::AcsUser(raw)) | Ok(Identifier::Other(raw)) => Ok(raw),
        Err(raw) => Err(ApiError::invalid_identifier(&raw)),
    }
}
