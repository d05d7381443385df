//! The thread-scoped Chat operations: properties, messages, participants, read
//! receipts and typing notifications.

use std::fmt;

use futures::Stream;
use reqwest::Method;

use super::chat::{ChatClient, JSON, MERGE_PATCH, thread_path};
use super::error::Result;
use super::paging::{self, ListOptions, SkipOptions};
use super::retry::Safety;
use super::transport::to_json;
use super::urls;
use crate::wire::{
    AddChatParticipantsRequest, AddChatParticipantsResult, ChatMessage, ChatMessageReadReceipt,
    ChatParticipant, ChatThreadProperties, CommunicationIdentifierModel, Page,
    SendChatMessageRequest, SendChatMessageResult, SendReadReceiptRequest,
    SendTypingNotificationRequest, UpdateChatMessageRequest, UpdateChatThreadRequest,
};

/// Client of one thread, as the user of the [`ChatClient`] it came from. Cheap to clone.
#[derive(Clone)]
pub struct ChatThreadClient {
    chat: ChatClient,
    thread_id: String,
}

impl fmt::Debug for ChatThreadClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChatThreadClient")
            .field("thread_id", &self.thread_id)
            .finish_non_exhaustive()
    }
}

impl ChatThreadClient {
    pub(crate) fn new(chat: ChatClient, thread_id: String) -> Self {
        Self { chat, thread_id }
    }

    /// The thread id (`19:...@thread.v2`), not encoded.
    pub fn id(&self) -> &str {
        &self.thread_id
    }

    fn path(&self, tail: &str) -> Result<String> {
        Ok(format!("{}{tail}", thread_path(&self.thread_id)?))
    }

    fn message_path(&self, message_id: &str) -> Result<String> {
        self.path(&format!(
            "/messages/{}",
            urls::segment("message id", message_id)?
        ))
    }

    async fn post(
        &self,
        tail: &str,
        body: Vec<u8>,
        safety: Safety,
    ) -> Result<super::transport::Response> {
        let url = self.chat.url(&self.path(tail)?, &[])?;
        self.chat
            .send(Method::POST, url, body, Some(JSON), Vec::new(), safety)
            .await
    }

    async fn patch(&self, path: String, body: Vec<u8>) -> Result<()> {
        let url = self.chat.url(&path, &[])?;
        self.chat
            .send(
                Method::PATCH,
                url,
                body,
                Some(MERGE_PATCH),
                Vec::new(),
                Safety::Idempotent,
            )
            .await
            .map(drop)
    }

    async fn delete(&self, path: String) -> Result<()> {
        let url = self.chat.url(&path, &[])?;
        self.chat
            .send(
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

    // ------------------------------------------------------------- thread

    /// Topic, creator, creation time, metadata and retention of the thread.
    pub async fn properties(&self) -> Result<ChatThreadProperties> {
        let url = self.chat.url(&self.path("")?, &[])?;
        self.chat.get_json("get thread", url).await
    }

    /// Changes topic, metadata or retention (JSON merge-patch: absent fields stay).
    pub async fn update(&self, request: &UpdateChatThreadRequest) -> Result<()> {
        self.patch(self.path("")?, to_json(request)?).await
    }

    // ------------------------------------------------------------- messages

    /// Sends a message; returns its id. Not retried after a timeout or a dropped
    /// connection (a repeat would post it twice): the caller checks recent messages
    /// for its `clientMessageId` first.
    pub async fn send_message(&self, request: &SendChatMessageRequest) -> Result<String> {
        let response = self
            .post("/messages", to_json(request)?, Safety::NotIdempotent)
            .await?;
        let result: SendChatMessageResult = response.json("send message")?;
        Ok(result.id)
    }

    /// Every message, newest (last modified) first, across all pages.
    pub fn list_messages(
        &self,
        options: ListOptions,
    ) -> impl Stream<Item = Result<ChatMessage>> + Send + 'static {
        let thread = self.clone();
        paging::items(move |link| {
            let thread = thread.clone();
            let options = options.clone();
            async move { thread.list_messages_page(&options, link.as_deref()).await }
        })
    }

    /// One page of messages: the first, or the one a previous page's `nextLink` names.
    pub async fn list_messages_page(
        &self,
        options: &ListOptions,
        next_link: Option<&str>,
    ) -> Result<Page<ChatMessage>> {
        self.chat
            .get_page(
                "list messages",
                &self.path("/messages")?,
                &options.query(),
                next_link,
            )
            .await
    }

    /// One message; a deleted one comes back as a tombstone with `deleted_on`.
    pub async fn get_message(&self, message_id: &str) -> Result<ChatMessage> {
        let url = self.chat.url(&self.message_path(message_id)?, &[])?;
        self.chat.get_json("get message", url).await
    }

    /// Edits content or metadata (merge-patch; a metadata key set to "" is removed).
    pub async fn update_message(
        &self,
        message_id: &str,
        request: &UpdateChatMessageRequest,
    ) -> Result<()> {
        self.patch(self.message_path(message_id)?, to_json(request)?)
            .await
    }

    /// Deletes a message (only its sender may); it stays listed as a tombstone.
    pub async fn delete_message(&self, message_id: &str) -> Result<()> {
        self.delete(self.message_path(message_id)?).await
    }

    // ------------------------------------------------------------- participants

    /// Every participant, across all pages.
    pub fn list_participants(
        &self,
        options: SkipOptions,
    ) -> impl Stream<Item = Result<ChatParticipant>> + Send + 'static {
        let thread = self.clone();
        paging::items(move |link| {
            let thread = thread.clone();
            let options = options.clone();
            async move {
                thread
                    .list_participants_page(&options, link.as_deref())
                    .await
            }
        })
    }

    /// One page of participants (offset paging with `skip`).
    pub async fn list_participants_page(
        &self,
        options: &SkipOptions,
        next_link: Option<&str>,
    ) -> Result<Page<ChatParticipant>> {
        self.chat
            .get_page(
                "list participants",
                &self.path("/participants")?,
                &options.query(),
                next_link,
            )
            .await
    }

    /// Adds participants (already present ones are left as they are). Per-participant
    /// failures come back in `invalid_participants`, not as an error.
    pub async fn add_participants(
        &self,
        participants: Vec<ChatParticipant>,
    ) -> Result<AddChatParticipantsResult> {
        let body = to_json(&AddChatParticipantsRequest { participants })?;
        self.post("/participants/:add", body, Safety::Idempotent)
            .await?
            .json("add participants")
    }

    /// Removes one participant (a participant may remove themselves: leaving).
    pub async fn remove_participant(
        &self,
        participant: &CommunicationIdentifierModel,
    ) -> Result<()> {
        self.post(
            "/participants/:remove",
            to_json(participant)?,
            Safety::Idempotent,
        )
        .await
        .map(drop)
    }

    // ------------------------------------------------------------- receipts, typing

    /// Tells the others this user is typing (the service keeps it for a few seconds).
    pub async fn send_typing(&self, sender_display_name: Option<&str>) -> Result<()> {
        let body = SendTypingNotificationRequest {
            sender_display_name: sender_display_name.map(str::to_owned),
        };
        self.post("/typing", to_json(&body)?, Safety::Idempotent)
            .await
            .map(drop)
    }

    /// Marks the thread as read up to `message_id` for this user.
    pub async fn send_read_receipt(&self, message_id: &str) -> Result<()> {
        let body = SendReadReceiptRequest {
            chat_message_id: message_id.to_owned(),
        };
        self.post("/readReceipts", to_json(&body)?, Safety::Idempotent)
            .await
            .map(drop)
    }

    /// Every participant's latest read receipt, across all pages.
    pub fn list_read_receipts(
        &self,
        options: SkipOptions,
    ) -> impl Stream<Item = Result<ChatMessageReadReceipt>> + Send + 'static {
        let thread = self.clone();
        paging::items(move |link| {
            let thread = thread.clone();
            let options = options.clone();
            async move {
                thread
                    .list_read_receipts_page(&options, link.as_deref())
                    .await
            }
        })
    }

    /// One page of read receipts.
    pub async fn list_read_receipts_page(
        &self,
        options: &SkipOptions,
        next_link: Option<&str>,
    ) -> Result<Page<ChatMessageReadReceipt>> {
        self.chat
            .get_page(
                "list read receipts",
                &self.path("/readReceipts")?,
                &options.query(),
                next_link,
            )
            .await
    }
}
