//! The Chat API (api-version 2025-03-15) at the service level: create, list and
//! delete threads, authenticated with a user's bearer token.

use std::fmt;

use futures::Stream;
use reqwest::Method;
use serde::de::DeserializeOwned;
use url::Url;
use uuid::Uuid;

use super::chat_thread::ChatThreadClient;
use super::error::{Error, Result};
use super::paging::{self, ListOptions};
use super::retry::Safety;
use super::token::TokenCredential;
use super::transport::{Auth, Call, Response, Transport, to_json};
use super::urls;
use crate::wire::{ChatThreadItem, CreateChatThreadRequest, CreateChatThreadResult, Page};

/// The Chat api-version this client speaks (the JS SDK's).
pub const CHAT_API_VERSION: &str = "2025-03-15";

pub(crate) const MERGE_PATCH: &str = "application/merge-patch+json";
pub(crate) const JSON: &str = "application/json";

/// Client of the Chat API as one user. Cheap to clone.
#[derive(Clone)]
pub struct ChatClient {
    endpoint: Url,
    /// Why `endpoint` is unusable, reported by every call (construction cannot fail).
    endpoint_error: Option<Error>,
    credential: TokenCredential,
    transport: Transport,
}

impl fmt::Debug for ChatClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChatClient")
            .field("endpoint", &self.endpoint.as_str())
            .finish_non_exhaustive()
    }
}

impl ChatClient {
    /// `endpoint` is the resource URL (`https://<name>.communication.azure.com/`).
    /// A bad endpoint shows up as a `Config` error on the first call.
    pub fn new(endpoint: Url, credential: TokenCredential, transport: Transport) -> Self {
        let (endpoint, endpoint_error) = match urls::normalize_endpoint(endpoint.clone()) {
            Ok(normalized) => (normalized, None),
            Err(e) => (endpoint, Some(e)),
        };
        Self {
            endpoint,
            endpoint_error,
            credential,
            transport,
        }
    }

    /// The same client with another retry policy (see [`Transport::with_retry`]).
    pub fn with_retry(&self, retry: super::config::RetryPolicy) -> Self {
        Self {
            transport: self.transport.with_retry(retry),
            ..self.clone()
        }
    }

    /// The resource endpoint, normalised to end with `/`.
    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    /// The user's credential, e.g. to show when the token expires.
    pub fn credential(&self) -> &TokenCredential {
        &self.credential
    }

    /// Creates a thread. A `repeatability-request-id` always goes out (generated when
    /// `None`) and stays the same on retries, so a retried create never makes two threads.
    pub async fn create_thread(
        &self,
        request: &CreateChatThreadRequest,
        repeatability_request_id: Option<Uuid>,
    ) -> Result<CreateChatThreadResult> {
        let id = repeatability_request_id.unwrap_or_else(Uuid::new_v4);
        let url = self.url("chat/threads", &[])?;
        let response = self
            .send(
                Method::POST,
                url,
                to_json(request)?,
                Some(JSON),
                vec![("repeatability-request-id", id.to_string())],
                Safety::Idempotent,
            )
            .await?;
        let result: CreateChatThreadResult = response.json("create thread")?;
        if result.chat_thread.is_none() {
            return Err(
                Error::invalid_response("the create thread answer has no chatThread")
                    .with_request_id(response.request_id),
            );
        }
        Ok(result)
    }

    /// Every thread of the user, most recently active first, across all pages.
    pub fn list_threads(
        &self,
        options: ListOptions,
    ) -> impl Stream<Item = Result<ChatThreadItem>> + Send + 'static {
        let client = self.clone();
        paging::items(move |link| {
            let client = client.clone();
            let options = options.clone();
            async move { client.list_threads_page(&options, link.as_deref()).await }
        })
    }

    /// One page of threads: the first (`next_link` = `None`) or the one a previous
    /// page's `nextLink` points to.
    pub async fn list_threads_page(
        &self,
        options: &ListOptions,
        next_link: Option<&str>,
    ) -> Result<Page<ChatThreadItem>> {
        self.get_page("list threads", "chat/threads", &options.query(), next_link)
            .await
    }

    /// Deletes a thread (for everyone).
    pub async fn delete_thread(&self, thread_id: &str) -> Result<()> {
        let url = self.url(&thread_path(thread_id)?, &[])?;
        self.send(
            Method::DELETE,
            url,
            Vec::new(),
            None,
            Vec::new(),
            Safety::Idempotent,
        )
        .await
        .map(drop)
    }

    /// A client for one thread's messages, participants, receipts and typing.
    pub fn thread(&self, thread_id: impl Into<String>) -> ChatThreadClient {
        ChatThreadClient::new(self.clone(), thread_id.into())
    }

    // ------------------------------------------------------------- shared plumbing

    pub(crate) fn url(&self, path: &str, query: &[(&str, String)]) -> Result<Url> {
        if let Some(e) = &self.endpoint_error {
            return Err(e.clone());
        }
        urls::build(&self.endpoint, path, CHAT_API_VERSION, query)
    }

    pub(crate) async fn send(
        &self,
        method: Method,
        url: Url,
        body: Vec<u8>,
        content_type: Option<&'static str>,
        headers: Vec<(&'static str, String)>,
        safety: Safety,
    ) -> Result<Response> {
        let mut call = Call::idempotent(method, url, Auth::Bearer(&self.credential));
        (call.body, call.content_type) = (body, content_type);
        (call.headers, call.safety) = (headers, safety);
        self.transport.send(call).await
    }

    pub(crate) async fn get_json<T: DeserializeOwned>(&self, what: &str, url: Url) -> Result<T> {
        self.send(
            Method::GET,
            url,
            Vec::new(),
            None,
            Vec::new(),
            Safety::Idempotent,
        )
        .await?
        .json(what)
    }

    /// The first page from `path` + `query`, or the page at `next_link` as-is.
    pub(crate) async fn get_page<T: DeserializeOwned>(
        &self,
        what: &str,
        path: &str,
        query: &[(&str, String)],
        next_link: Option<&str>,
    ) -> Result<Page<T>> {
        let url = match next_link {
            Some(_) if self.endpoint_error.is_some() => self.url(path, query)?,
            Some(link) => urls::next_link(&self.endpoint, link, CHAT_API_VERSION)?,
            None => self.url(path, query)?,
        };
        self.get_json(what, url).await
    }
}

/// `chat/threads/<encoded id>`.
pub(crate) fn thread_path(thread_id: &str) -> Result<String> {
    Ok(format!(
        "chat/threads/{}",
        urls::segment("thread id", thread_id)?
    ))
}
