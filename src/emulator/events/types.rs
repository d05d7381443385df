//! The chat event types ACS publishes to Event Grid: eight per thread (one event per
//! change) and eight per user (one event per recipient). Names as the docs list them;
//! the deprecated `ChatMember...` aliases the SDKs still know are never emitted.

/// Every type name starts with this.
pub const PREFIX: &str = "Microsoft.Communication.";

/// One of the 16 documented chat event types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventType {
    ThreadCreated,
    ThreadDeleted,
    ThreadParticipantAdded,
    ThreadParticipantRemoved,
    MessageReceivedInThread,
    ThreadPropertiesUpdated,
    MessageEditedInThread,
    MessageDeletedInThread,
    MessageReceived,
    MessageEdited,
    MessageDeleted,
    ThreadCreatedWithUser,
    ThreadWithUserDeleted,
    ThreadPropertiesUpdatedPerUser,
    ParticipantAddedToThreadWithUser,
    ParticipantRemovedFromThreadWithUser,
}

impl EventType {
    /// All of them, thread-level first.
    pub const ALL: [EventType; 16] = [
        Self::ThreadCreated,
        Self::ThreadDeleted,
        Self::ThreadParticipantAdded,
        Self::ThreadParticipantRemoved,
        Self::MessageReceivedInThread,
        Self::ThreadPropertiesUpdated,
        Self::MessageEditedInThread,
        Self::MessageDeletedInThread,
        Self::MessageReceived,
        Self::MessageEdited,
        Self::MessageDeleted,
        Self::ThreadCreatedWithUser,
        Self::ThreadWithUserDeleted,
        Self::ThreadPropertiesUpdatedPerUser,
        Self::ParticipantAddedToThreadWithUser,
        Self::ParticipantRemovedFromThreadWithUser,
    ];

    /// The full name, e.g. `Microsoft.Communication.ChatMessageReceived`.
    pub fn name(self) -> &'static str {
        match self {
            Self::ThreadCreated => "Microsoft.Communication.ChatThreadCreated",
            Self::ThreadDeleted => "Microsoft.Communication.ChatThreadDeleted",
            Self::ThreadParticipantAdded => "Microsoft.Communication.ChatThreadParticipantAdded",
            Self::ThreadParticipantRemoved => {
                "Microsoft.Communication.ChatThreadParticipantRemoved"
            }
            Self::MessageReceivedInThread => "Microsoft.Communication.ChatMessageReceivedInThread",
            Self::ThreadPropertiesUpdated => "Microsoft.Communication.ChatThreadPropertiesUpdated",
            Self::MessageEditedInThread => "Microsoft.Communication.ChatMessageEditedInThread",
            Self::MessageDeletedInThread => "Microsoft.Communication.ChatMessageDeletedInThread",
            Self::MessageReceived => "Microsoft.Communication.ChatMessageReceived",
            Self::MessageEdited => "Microsoft.Communication.ChatMessageEdited",
            Self::MessageDeleted => "Microsoft.Communication.ChatMessageDeleted",
            Self::ThreadCreatedWithUser => "Microsoft.Communication.ChatThreadCreatedWithUser",
            Self::ThreadWithUserDeleted => "Microsoft.Communication.ChatThreadWithUserDeleted",
            Self::ThreadPropertiesUpdatedPerUser => {
                "Microsoft.Communication.ChatThreadPropertiesUpdatedPerUser"
            }
            Self::ParticipantAddedToThreadWithUser => {
                "Microsoft.Communication.ChatParticipantAddedToThreadWithUser"
            }
            Self::ParticipantRemovedFromThreadWithUser => {
                "Microsoft.Communication.ChatParticipantRemovedFromThreadWithUser"
            }
        }
    }

    /// The type named `name`, compared without regard to case (Event Grid's filters
    /// match type names that way).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(name))
    }

    /// Per-user events go to each recipient; per-thread events once per change.
    pub fn is_per_user(self) -> bool {
        matches!(
            self,
            Self::MessageReceived
                | Self::MessageEdited
                | Self::MessageDeleted
                | Self::ThreadCreatedWithUser
                | Self::ThreadWithUserDeleted
                | Self::ThreadPropertiesUpdatedPerUser
                | Self::ParticipantAddedToThreadWithUser
                | Self::ParticipantRemovedFromThreadWithUser
        )
    }
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
