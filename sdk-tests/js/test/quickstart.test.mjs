// The seed quickstart with the official JS SDKs: Alice and Bob get tokens, Alice creates a
// thread with both (roles and stickiness in thread metadata), sends a message carrying the
// quickstart's priority and clientMessageId, and Bob polls getMessages until it arrives.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  chatClient,
  clientMessageId,
  collect,
  makeUser,
  ofType,
  rawId,
  texts,
  threadClient,
  uniqueTopic,
} from "../support/helpers.mjs";

const POLL_DEADLINE_MS = 10_000;

test("Alice and Bob exchange a message", async () => {
  const alice = await makeUser("Alice");
  const bob = await makeUser("Bob");
  const topic = uniqueTopic("quickstart");
  const metadata = { isStickyThread: "false", roles: JSON.stringify({ [alice.rawId]: "Admin", [bob.rawId]: "User" }) };

  const created = await chatClient(alice).createChatThread(
    { topic },
    { participants: [alice.participant(), bob.participant()], metadata },
  );
  assert.deepEqual(created.invalidParticipants ?? [], []);
  const threadId = created.chatThread.id;
  assert.match(threadId, /^19:.*@thread\.v2$/);
  assert.equal(created.chatThread.topic, topic);
  assert.equal(rawId(created.chatThread.createdBy), alice.rawId);

  const dedupeId = clientMessageId();
  const sent = await threadClient(alice, threadId).sendMessage(
    { content: "Hello Bob" },
    { senderDisplayName: "Alice", metadata: { clientMessageId: dedupeId, priority: "High" } },
  );
  assert.ok(sent.id);

  const asBob = threadClient(bob, threadId);
  let received;
  const deadline = Date.now() + POLL_DEADLINE_MS;
  while (!received && Date.now() < deadline) {
    received = (await collect(asBob.listMessages())).find((m) => m.id === sent.id);
    if (!received) await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(received, "Bob never saw Alice's message");
  assert.equal(received.type, "text");
  assert.equal(received.content.message, "Hello Bob");
  assert.equal(received.senderDisplayName, "Alice");
  assert.equal(rawId(received.sender), alice.rawId);
  assert.deepEqual(received.metadata, { clientMessageId: dedupeId, priority: "High" });

  const properties = await asBob.getProperties();
  assert.deepEqual(properties.metadata, metadata);
});

test("Bob sees the system messages of thread creation", async () => {
  const alice = await makeUser("Alice");
  const bob = await makeUser("Bob");
  const topic = uniqueTopic("quickstart");
  const { chatThread } = await chatClient(alice).createChatThread(
    { topic },
    { participants: [alice.participant(), bob.participant()] },
  );

  const messages = await collect(threadClient(bob, chatThread.id).listMessages());

  assert.deepEqual(texts(messages), []);
  const added = ofType(messages, "participantAdded");
  assert.equal(added.length, 1);
  assert.deepEqual(added[0].content.participants.map((p) => rawId(p.id)).sort(), [alice.rawId, bob.rawId].sort());
  assert.equal(rawId(added[0].content.initiator), alice.rawId);
  assert.equal(added[0].sender, undefined);
  assert.deepEqual(ofType(messages, "topicUpdated").map((m) => m.content.topic), [topic]);
  assert.deepEqual(messages.map((m) => m.sequenceId), ["2", "1"]);
});
