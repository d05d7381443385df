//! Executes the [`Command`]s that are one-off REST calls (history pages, edits,
//! thread administration, typing, receipts) and turns each outcome into [`Event`]s.
//! Polling and sending have their own tasks (`poller`, `outbox`).

use crate::acs::ListOptions;
use crate::connect::{Session, members};
use crate::seed::thread_meta::ThreadMeta;
use crate::tui::app::{Command, Event};
use crate::wire::{
    ChatParticipant, CommunicationIdentifierModel, CreateChatThreadRequest,
    UpdateChatMessageRequest, UpdateChatThreadRequest,
};

/// Runs `command` against the session's endpoint.
pub async fn execute(session: &Session, command: Command) -> Vec<Event> {
    match command {
        Command::LoadOlder {
            thread_id,
            next_link,
        } => {
            let client = session.chat.thread(&thread_id);
            let options = ListOptions {
                max_page_size: Some(50),
                start_time: None,
            };
            match client
                .list_messages_page(&options, next_link.as_deref())
                .await
            {
                Ok(page) => vec![Event::OlderMessages {
                    thread_id,
                    messages: page.value,
                    next_link: page.next_link,
                }],
                Err(e) => vec![failed("load older messages", e)],
            }
        }
        Command::EditMessage {
            thread_id,
            message_id,
            content,
        } => {
            let request = UpdateChatMessageRequest {
                content: Some(content),
                metadata: None,
            };
            outcome(
                "edit message",
                session
                    .chat
                    .thread(&thread_id)
                    .update_message(&message_id, &request)
                    .await,
            )
        }
        Command::DeleteMessage {
            thread_id,
            message_id,
        } => outcome(
            "delete message",
            session
                .chat
                .thread(&thread_id)
                .delete_message(&message_id)
                .await,
        ),
        Command::CreateThread {
            topic,
            members,
            sticky,
        } => create_thread(session, topic, members, sticky).await,
        Command::UpdateTopic { thread_id, topic } => {
            let request = UpdateChatThreadRequest {
                topic: Some(topic),
                ..UpdateChatThreadRequest::default()
            };
            outcome(
                "change topic",
                session.chat.thread(&thread_id).update(&request).await,
            )
        }
        Command::Invite { thread_id, members } => {
            let participants = match resolve_members(session, &members).await {
                Ok(p) => p,
                Err(e) => {
                    return vec![Event::ActionResult {
                        what: "invite".into(),
                        result: Err(e),
                    }];
                }
            };
            let client = session.chat.thread(&thread_id);
            match client.add_participants(participants).await {
                Ok(result) => {
                    let invalid = result.invalid_participants.unwrap_or_default();
                    let result = if invalid.is_empty() {
                        Ok(())
                    } else {
                        Err(invalid
                            .iter()
                            .map(|e| {
                                format!("{}: {}", e.target.as_deref().unwrap_or("?"), e.message)
                            })
                            .collect::<Vec<_>>()
                            .join("; "))
                    };
                    vec![Event::ActionResult {
                        what: "invite".into(),
                        result,
                    }]
                }
                Err(e) => vec![failed("invite", e)],
            }
        }
        Command::Remove { thread_id, member } => {
            let id = match resolve_members(session, std::slice::from_ref(&member)).await {
                Ok(mut p) => match p.pop() {
                    Some(p) => p.communication_identifier,
                    None => return vec![],
                },
                Err(e) => {
                    return vec![Event::ActionResult {
                        what: "remove".into(),
                        result: Err(e),
                    }];
                }
            };
            outcome(
                "remove",
                session
                    .chat
                    .thread(&thread_id)
                    .remove_participant(&id)
                    .await,
            )
        }
        Command::Leave { thread_id } => {
            let me = CommunicationIdentifierModel::user(session.user_id.clone());
            outcome(
                "leave",
                session
                    .chat
                    .thread(&thread_id)
                    .remove_participant(&me)
                    .await,
            )
        }
        Command::SendTyping { thread_id } => {
            // Typing is best effort: a failure is not worth the user's attention.
            let _ = session
                .chat
                .thread(&thread_id)
                .send_typing(Some(&session.display_name))
                .await;
            vec![]
        }
        Command::SendReadReceipt {
            thread_id,
            message_id,
        } => {
            let _ = session
                .chat
                .thread(&thread_id)
                .send_read_receipt(&message_id)
                .await;
            vec![]
        }
        // Handled by the event loop, the poller or the sender.
        Command::Quit
        | Command::RingBell
        | Command::OpenThread { .. }
        | Command::FetchParticipants { .. }
        | Command::Send(_)
        | Command::RetrySend { .. }
        | Command::DiscardSend { .. }
        | Command::Refresh { .. } => vec![],
    }
}

async fn create_thread(
    session: &Session,
    topic: String,
    members: Vec<String>,
    sticky: bool,
) -> Vec<Event> {
    let mut participants = match resolve_members(session, &members).await {
        Ok(p) => p,
        Err(e) => {
            return vec![Event::ActionResult {
                what: "new thread".into(),
                result: Err(e),
            }];
        }
    };
    participants.retain(|p| p.communication_identifier.raw() != Some(session.user_id.as_str()));
    // The creator is the Admin; everyone else is a User.
    let metadata = ThreadMeta {
        sticky,
        admins: [session.user_id.clone()].into(),
    }
    .to_metadata();
    participants.insert(
        0,
        ChatParticipant {
            communication_identifier: CommunicationIdentifierModel::user(session.user_id.clone()),
            display_name: Some(session.display_name.clone()),
            share_history_time: None,
            metadata: None,
        },
    );
    let request = CreateChatThreadRequest {
        topic,
        participants,
        metadata: Some(metadata),
        retention_policy: None,
    };
    match session.chat.create_thread(&request, None).await {
        Ok(result) => match result.chat_thread {
            Some(thread) => vec![
                Event::ThreadCreated {
                    thread_id: thread.id.clone(),
                },
                Event::ActionResult {
                    what: "new thread".into(),
                    result: Ok(()),
                },
            ],
            None => vec![Event::ActionResult {
                what: "new thread".into(),
                result: Err("no thread in the response".into()),
            }],
        },
        Err(e) => vec![failed("new thread", e)],
    }
}

/// Profile names or ACS ids to participants, by the one rule of
/// [`members::resolve`] (the CLI's too): with a connection string an unknown profile
/// name is created, as `--as NAME` would.
async fn resolve_members(
    session: &Session,
    names: &[String],
) -> Result<Vec<ChatParticipant>, String> {
    let mut out = Vec::new();
    for name in names {
        let (id, display_name) = members::resolve(session, name)
            .await
            .map_err(|e| format!("{name}: {e}"))?;
        out.push(ChatParticipant {
            communication_identifier: CommunicationIdentifierModel::user(id),
            display_name,
            share_history_time: None,
            metadata: None,
        });
    }
    Ok(out)
}

fn outcome(what: &str, result: crate::acs::Result<()>) -> Vec<Event> {
    match result {
        Ok(()) => vec![Event::ActionResult {
            what: what.into(),
            result: Ok(()),
        }],
        Err(e) => vec![failed(what, e)],
    }
}

fn failed(what: &str, e: crate::acs::Error) -> Event {
    Event::ActionResult {
        what: what.into(),
        result: Err(e.to_string()),
    }
}
