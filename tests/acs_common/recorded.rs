//! Response bodies recorded from the real service (via the official SDKs' test
//! recordings), kept verbatim unless the note says otherwise, so the client is tested against
//! what ACS really sends. `BASE` in a nextLink is replaced with the test server's URL.

/// CreateChatThread 201 (JS SDK recording, api 2021-09-07).
pub const CREATE_THREAD_201: &str = r#"{"chatThread":{"id":"19:ZFZyPgSr4MhkDfCnXSa6rKVR00T-pr_H_KFLgkMMCmE1@thread.v2","topic":"test topic","createdOn":"2022-05-26T07:59:28Z","createdByCommunicationIdentifier":{"rawId":"8:acs:a5ba7870-ef05-4e2b-9901-7751faa29e20_00000011-9f42-4aef-88f7-08482200b423","communicationUser":{"id":"8:acs:a5ba7870-ef05-4e2b-9901-7751faa29e20_00000011-9f42-4aef-88f7-08482200b423"}}}}"#;

/// ListChatMessages with maxPageSize=3, first page (JS SDK recording): newest first,
/// system messages, `senderDisplayName: ""`, an absolute nextLink with the thread id
/// unencoded and a .NET-style startTime.
pub const MESSAGES_PAGE_1: &str = r#"{"value":[{"id":"1697712387445","type":"text","sequenceId":"4","version":"1697712387445","content":{"message":"content"},"senderDisplayName":"","createdOn":"2023-10-19T10:46:27Z","senderCommunicationIdentifier":{"rawId":"8:acs:a5ba7870-ef05-4e2b-9901-7751faa29e20_0000001b-e76c-cf3c-1985-0948220072ec","communicationUser":{"id":"8:acs:a5ba7870-ef05-4e2b-9901-7751faa29e20_0000001b-e76c-cf3c-1985-0948220072ec"}},"metadata":{"tags":"sometag"}},{"id":"1697712386709","type":"topicUpdated","sequenceId":"3","version":"1697712386709","content":{"topic":"new topic","initiatorCommunicationIdentifier":{"rawId":"8:acs:a5ba7870-ef05-4e2b-9901-7751faa29e20_0000001b-e76c-cf3c-1985-0948220072ec","communicationUser":{"id":"8:acs:a5ba7870-ef05-4e2b-9901-7751faa29e20_0000001b-e76c-cf3c-1985-0948220072ec"}}},"createdOn":"2023-10-19T10:46:26Z"},{"id":"1697712385894","type":"topicUpdated","sequenceId":"2","version":"1697712385894","content":{"topic":"test topic","initiatorCommunicationIdentifier":{"rawId":"8:acs:a5ba7870-ef05-4e2b-9901-7751faa29e20_0000001b-e76c-cf3c-1985-0948220072ec","communicationUser":{"id":"8:acs:a5ba7870-ef05-4e2b-9901-7751faa29e20_0000001b-e76c-cf3c-1985-0948220072ec"}}},"createdOn":"2023-10-19T10:46:25Z"}],"nextLink":"BASE/chat/threads/19:xpMEpgs_hSMB1QtAjq509RZGi76SaME0glQ98ZX34MA1@thread.v2/messages?syncState=3e3900000031393a78704d457067735f68534d42315174416a71353039525a4769373653614d4530676c5139385a5833344d4131407468726561642e763201662f8b478b01000075358b478b010000&startTime=1%2F1%2F1970%2012%3A00%3A00%20AM%20%2B00%3A00&maxPageSize=3&api-version=2021-09-07"}"#;

/// The page that nextLink returned: the last one, no nextLink.
pub const MESSAGES_PAGE_2: &str = r#"{"value":[{"id":"1697712385799","type":"participantAdded","sequenceId":"1","version":"1697712385799","content":{"participants":[{"communicationIdentifier":{"rawId":"8:acs:a5ba7870-ef05-4e2b-9901-7751faa29e20_0000001b-e76c-cf3c-1985-0948220072ec","communicationUser":{"id":"8:acs:a5ba7870-ef05-4e2b-9901-7751faa29e20_0000001b-e76c-cf3c-1985-0948220072ec"}},"shareHistoryTime":"1970-01-01T00:00:00Z"},{"communicationIdentifier":{"rawId":"8:acs:a5ba7870-ef05-4e2b-9901-7751faa29e20_0000001b-e76c-d042-1985-0948220072ed","communicationUser":{"id":"8:acs:a5ba7870-ef05-4e2b-9901-7751faa29e20_0000001b-e76c-d042-1985-0948220072ed"}},"shareHistoryTime":"1970-01-01T00:00:00Z"}],"initiatorCommunicationIdentifier":{"rawId":"8:acs:a5ba7870-ef05-4e2b-9901-7751faa29e20_0000001b-e76c-cf3c-1985-0948220072ec","communicationUser":{"id":"8:acs:a5ba7870-ef05-4e2b-9901-7751faa29e20_0000001b-e76c-cf3c-1985-0948220072ec"}}},"createdOn":"2023-10-19T10:46:25Z"}]}"#;

/// ListChatParticipants (JS SDK recording), trimmed to two items; the second is
/// altered to carry what newer api-versions and future ones may add (`kind`,
/// `displayName`, an unknown field).
pub const PARTICIPANTS: &str = r#"{"value":[{"communicationIdentifier":{"rawId":"8:acs:987bcf3f-e830-40de-8e15-a91e0ccccb49_0000000f-7c76-b26a-78fe-343a0d008d93","communicationUser":{"id":"8:acs:987bcf3f-e830-40de-8e15-a91e0ccccb49_0000000f-7c76-b26a-78fe-343a0d008d93"}},"shareHistoryTime":"1970-01-01T00:00:00Z"},{"communicationIdentifier":{"kind":"communicationUser","rawId":"8:acs:987bcf3f-e830-40de-8e15-a91e0ccccb49_0000000f-7c76-b2d0-78fe-343a0d008d94","communicationUser":{"id":"8:acs:987bcf3f-e830-40de-8e15-a91e0ccccb49_0000000f-7c76-b2d0-78fe-343a0d008d94"}},"displayName":"Bob","shareHistoryTime":"1970-01-01T00:00:00Z","futureField":[1,2]}]}"#;

/// ListChatThreads items: two from the 2025-03-15 spec example (7-digit fractions, a
/// deleted thread) and one brand-new thread without `lastMessageReceivedOn`, as the
/// Android SDK recordings show.
pub const THREADS: &str = r#"{"value":[{"id":"19:uni01_zbnh3nt2dfuffezc3sox7dog7wfhk6y5qe2rwlnfhlhdzirihdpq@thread.v2","topic":"Chat with Samantha","lastMessageReceivedOn":"2020-06-06T05:55:41.6460000Z"},{"id":"19:0062022a28be4e0983734f7e45cd8566@thread.v2","topic":"Lunch","deletedOn":"2020-07-07T05:55:41.6460000Z","lastMessageReceivedOn":"2020-06-06T05:55:41.6460000Z"},{"id":"19:efde194ac70348889d286600db9102ad@thread.v2","topic":"Test"}]}"#;

/// GetChatThreadProperties: the recorded thread, with the `metadata` and
/// `retentionPolicy` that 2025-03-15 adds (shapes from the spec).
pub const THREAD_PROPERTIES: &str = r#"{"id":"19:xpMEpgs_hSMB1QtAjq509RZGi76SaME0glQ98ZX34MA1@thread.v2","topic":"test topic","createdOn":"2023-10-19T10:46:25Z","createdByCommunicationIdentifier":{"rawId":"8:acs:a5ba7870-ef05-4e2b-9901-7751faa29e20_0000001b-e76c-cf3c-1985-0948220072ec","communicationUser":{"id":"8:acs:a5ba7870-ef05-4e2b-9901-7751faa29e20_0000001b-e76c-cf3c-1985-0948220072ec"}},"metadata":{"roles":"{}"},"retentionPolicy":{"kind":"none"}}"#;

/// ListChatReadReceipts in the spec's shape.
pub const RECEIPTS: &str = r#"{"value":[{"senderCommunicationIdentifier":{"rawId":"8:acs:r_u","communicationUser":{"id":"8:acs:r_u"}},"chatMessageId":"1697712387445","readOn":"2023-10-19T10:47:00Z"}]}"#;
