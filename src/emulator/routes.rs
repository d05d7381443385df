//! Maps a method and a raw request path to an endpoint.
//!
//! Dispatch is by hand rather than through axum's router because ACS paths need
//! things a router makes awkward: literal-colon action segments (`/participants/:add`,
//! `/:issueAccessToken`), ids that arrive percent-encoded (`19%3A...%40thread.v2`) or
//! raw (`19:...@thread.v2` in nextLinks), strict rejection of broken percent-escapes,
//! and 404/405 answers in the service's error shape.

use axum::http::Method;

use super::api_error::Family;

/// One operation of the API, with its decoded path ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Health,
    Shutdown,
    ListEventSubscriptions,
    PutEventSubscription(String),
    DeleteEventSubscription(String),
    ListDeadLetters,
    RedeliverDeadLetters,
    ValidateEventSubscription,
    CreateIdentity,
    GetIdentity(String),
    DeleteIdentity(String),
    IssueToken(String),
    RevokeTokens(String),
    ListThreads,
    CreateThread,
    GetThread(String),
    UpdateThread(String),
    DeleteThread(String),
    ListMessages(String),
    SendMessage(String),
    GetMessage(String, String),
    UpdateMessage(String, String),
    DeleteMessage(String, String),
    ListParticipants(String),
    AddParticipants(String),
    RemoveParticipant(String),
    Typing(String),
    ListReadReceipts(String),
    SendReadReceipt(String),
}

impl Endpoint {
    pub fn family(&self) -> Family {
        match self {
            Self::Health
            | Self::Shutdown
            | Self::ListEventSubscriptions
            | Self::PutEventSubscription(_)
            | Self::DeleteEventSubscription(_)
            | Self::ListDeadLetters
            | Self::RedeliverDeadLetters
            | Self::ValidateEventSubscription => Family::Emulator,
            Self::CreateIdentity
            | Self::GetIdentity(_)
            | Self::DeleteIdentity(_)
            | Self::IssueToken(_)
            | Self::RevokeTokens(_) => Family::Identity,
            _ => Family::Chat,
        }
    }
}

/// Why no endpoint matched; the family picks the error shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteError {
    NotFound(Family),
    MethodNotAllowed(Family),
    BadEncoding(Family),
}

/// Percent-decodes one path segment, refusing broken escapes and non-UTF-8.
pub fn decode_segment(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

fn family_of(first: Option<&str>) -> Family {
    match first {
        Some("chat") => Family::Chat,
        Some("identities") => Family::Identity,
        _ => Family::Emulator,
    }
}

/// Resolves `method` + `raw_path` (as received, still percent-encoded).
pub fn resolve(method: &Method, raw_path: &str) -> Result<Endpoint, RouteError> {
    let raw: Vec<&str> = raw_path.trim_start_matches('/').split('/').collect();
    let raw = match raw.split_last() {
        Some((last, rest)) if last.is_empty() && !rest.is_empty() => rest.to_vec(),
        _ => raw,
    };
    let family = family_of(raw.first().copied());
    let segs: Vec<String> = raw
        .iter()
        .map(|s| decode_segment(s))
        .collect::<Option<_>>()
        .ok_or(RouteError::BadEncoding(family))?;
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    let m = method.clone();
    let (get, post, patch, put, delete) = (
        m == Method::GET,
        m == Method::POST,
        m == Method::PATCH,
        m == Method::PUT,
        m == Method::DELETE,
    );
    let own = |x: &str| x.to_owned();
    let found = match s.as_slice() {
        ["emulator", "health"] => get.then_some(Endpoint::Health),
        ["emulator", "shutdown"] => post.then_some(Endpoint::Shutdown),
        ["emulator", "event-subscriptions"] => get.then_some(Endpoint::ListEventSubscriptions),
        ["emulator", "event-subscriptions", name] if !name.is_empty() => match () {
            _ if put => Some(Endpoint::PutEventSubscription(own(name))),
            _ if delete => Some(Endpoint::DeleteEventSubscription(own(name))),
            _ => None,
        },
        ["emulator", "event-dead-letters"] => get.then_some(Endpoint::ListDeadLetters),
        ["emulator", "event-dead-letters", ":redeliver"] => {
            post.then_some(Endpoint::RedeliverDeadLetters)
        }
        ["emulator", "event-validation"] => get.then_some(Endpoint::ValidateEventSubscription),
        ["identities"] => post.then_some(Endpoint::CreateIdentity),
        ["identities", id] if !id.is_empty() => match () {
            _ if get => Some(Endpoint::GetIdentity(own(id))),
            _ if delete => Some(Endpoint::DeleteIdentity(own(id))),
            _ => None,
        },
        ["identities", id, ":issueAccessToken"] => post.then(|| Endpoint::IssueToken(own(id))),
        ["identities", id, ":revokeAccessTokens"] => post.then(|| Endpoint::RevokeTokens(own(id))),
        ["chat", "threads"] => match () {
            _ if get => Some(Endpoint::ListThreads),
            _ if post => Some(Endpoint::CreateThread),
            _ => None,
        },
        ["chat", "threads", t] => match () {
            _ if get => Some(Endpoint::GetThread(own(t))),
            _ if patch => Some(Endpoint::UpdateThread(own(t))),
            _ if delete => Some(Endpoint::DeleteThread(own(t))),
            _ => None,
        },
        ["chat", "threads", t, "messages"] => match () {
            _ if get => Some(Endpoint::ListMessages(own(t))),
            _ if post => Some(Endpoint::SendMessage(own(t))),
            _ => None,
        },
        ["chat", "threads", t, "messages", id] => match () {
            _ if get => Some(Endpoint::GetMessage(own(t), own(id))),
            _ if patch => Some(Endpoint::UpdateMessage(own(t), own(id))),
            _ if delete => Some(Endpoint::DeleteMessage(own(t), own(id))),
            _ => None,
        },
        ["chat", "threads", t, "participants"] => get.then(|| Endpoint::ListParticipants(own(t))),
        ["chat", "threads", t, "participants", ":add"] => {
            post.then(|| Endpoint::AddParticipants(own(t)))
        }
        ["chat", "threads", t, "participants", ":remove"] => {
            post.then(|| Endpoint::RemoveParticipant(own(t)))
        }
        ["chat", "threads", t, "typing"] => post.then(|| Endpoint::Typing(own(t))),
        ["chat", "threads", t, "readReceipts"] => match () {
            _ if get => Some(Endpoint::ListReadReceipts(own(t))),
            _ if post => Some(Endpoint::SendReadReceipt(own(t))),
            _ => None,
        },
        _ => return Err(RouteError::NotFound(family)),
    };
    found.ok_or(RouteError::MethodNotAllowed(family))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_and_raw_ids_resolve_alike() {
        let a = resolve(&Method::GET, "/chat/threads/19%3Aabc%40thread.v2/messages");
        let b = resolve(&Method::GET, "/chat/threads/19:abc@thread.v2/messages");
        assert_eq!(a, Ok(Endpoint::ListMessages("19:abc@thread.v2".into())));
        assert_eq!(a, b);
    }

    #[test]
    fn literal_colon_actions() {
        assert_eq!(
            resolve(
                &Method::POST,
                "/chat/threads/19:a@thread.v2/participants/:add"
            ),
            Ok(Endpoint::AddParticipants("19:a@thread.v2".into()))
        );
        assert_eq!(
            resolve(
                &Method::POST,
                "/chat/threads/19:a@thread.v2/participants/%3Aremove"
            ),
            Ok(Endpoint::RemoveParticipant("19:a@thread.v2".into()))
        );
        assert_eq!(
            resolve(&Method::POST, "/identities/8%3Aacs%3Ar_u/:issueAccessToken"),
            Ok(Endpoint::IssueToken("8:acs:r_u".into()))
        );
    }

    #[test]
    fn errors() {
        assert_eq!(
            resolve(&Method::PUT, "/chat/threads"),
            Err(RouteError::MethodNotAllowed(Family::Chat))
        );
        assert_eq!(
            resolve(&Method::GET, "/chat/nothing"),
            Err(RouteError::NotFound(Family::Chat))
        );
        assert_eq!(
            resolve(&Method::GET, "/chat/threads/19%zz"),
            Err(RouteError::BadEncoding(Family::Chat))
        );
        assert_eq!(
            resolve(&Method::GET, "/chat/threads/%FF"),
            Err(RouteError::BadEncoding(Family::Chat))
        );
        assert_eq!(
            resolve(&Method::GET, "/"),
            Err(RouteError::NotFound(Family::Emulator))
        );
        assert_eq!(
            resolve(&Method::GET, "/emulator/health"),
            Ok(Endpoint::Health)
        );
    }
}
