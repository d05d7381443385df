//! The seed's thread: on the local default, whoever of Alice and Bob starts first
//! creates one "Quickstart" thread with Alice (Admin) and Bob (User), as the seed's
//! `createThread` does. Runs under the endpoint's cache lock, so two clients starting
//! at once still leave exactly one thread.

use crate::acs::{ChatClient, IdentityClient, ListOptions, TokenCredential, Transport};
use crate::config::ConfigFile;
use crate::wire::{ChatParticipant, CommunicationIdentifierModel, CreateChatThreadRequest};
use futures::StreamExt as _;

use super::identities::IdentityCache;
use super::{ConnectError, TokenReuse, ensure_profile};

/// The profiles of the seed, in order: the first is the thread's Admin.
pub const PROFILES: [&str; 2] = ["alice", "bob"];
/// The seed's thread topic.
pub const TOPIC: &str = "Quickstart";
const NOTE: &str = "quickstart-thread";

/// Returns the id of the Quickstart thread, creating Alice, Bob and the thread as needed.
pub async fn ensure(
    identity: &IdentityClient,
    cache: &IdentityCache,
    reuse: &TokenReuse,
    transport: &Transport,
    endpoint: &url::Url,
    config: &ConfigFile,
) -> Result<String, ConnectError> {
    let alice = ensure_profile(identity, cache, PROFILES[0], reuse).await?;
    let bob = ensure_profile(identity, cache, PROFILES[1], reuse).await?;
    let credential = TokenCredential::from_token(alice.token.clone())?;
    let chat = ChatClient::new(endpoint.clone(), credential, transport.clone());

    if let Some(id) = cache.read_note(NOTE)
        && chat
            .thread(&id)
            .properties()
            .await
            .is_ok_and(|t| t.deleted_on.is_none())
    {
        return Ok(id);
    }
    // The note may be gone while the emulator still has the thread: adopt it.
    let mut threads = Box::pin(chat.list_threads(ListOptions::default()));
    while let Some(item) = threads.next().await {
        let item = item?;
        if item.topic == TOPIC && item.deleted_on.is_none() {
            cache.write_note(NOTE, &item.id)?;
            return Ok(item.id);
        }
    }
    let member = |id: &str, profile: &str| ChatParticipant {
        communication_identifier: CommunicationIdentifierModel::user(id),
        display_name: Some(config.display_name(profile)),
        share_history_time: None,
        metadata: None,
    };
    // Alice is the Admin; everyone else is a User.
    let meta = crate::seed::thread_meta::ThreadMeta {
        sticky: false,
        admins: [alice.user_id.clone()].into(),
    };
    let request = CreateChatThreadRequest {
        topic: TOPIC.to_owned(),
        participants: vec![
            member(&alice.user_id, PROFILES[0]),
            member(&bob.user_id, PROFILES[1]),
        ],
        metadata: Some(meta.to_metadata()),
        retention_policy: None,
    };
    let created = chat.create_thread(&request, None).await?;
    let id = created
        .chat_thread
        .map(|t| t.id)
        .ok_or_else(|| ConnectError::Config("create thread returned no thread".into()))?;
    cache.write_note(NOTE, &id)?;
    Ok(id)
}
