//! The seed quickstart's concepts that today's ACS API has no field for, and how
//! acs-chat carries them in metadata: `clientMessageId` and `priority` on messages
//! ([`message_meta`]), sticky threads and member roles on threads ([`thread_meta`]).
//! One implementation, below the client library, so the interactive client, the
//! scripting commands, the quickstart and the profile set-up all read and write them
//! the same way. Depends only on [`crate::wire`].

pub mod message_meta;
pub mod thread_meta;
