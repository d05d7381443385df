// Thread operations of @azure/communication-chat: create (with idempotency and metadata),
// list with paging and startTime, get and update properties, delete.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";

import {
  chatClient,
  collect,
  expectStatus,
  makeUser,
  ofType,
  pages,
  rawId,
  threadClient,
  uniqueTopic,
} from "../support/helpers.mjs";

test("createChatThread returns its properties", async () => {
  const alice = await makeUser("Alice");
  const bob = await makeUser("Bob");
  const before = Date.now() - 2000;

  const result = await chatClient(alice).createChatThread(
    { topic: "Lunch" },
    { participants: [alice.participant(), bob.participant()] },
  );

  assert.deepEqual(result.invalidParticipants ?? [], []);
  const thread = result.chatThread;
  assert.match(thread.id, /^19:.*@thread\.v2$/);
  assert.equal(thread.topic, "Lunch");
  assert.equal(rawId(thread.createdBy), alice.rawId);
  assert.ok(thread.createdOn instanceof Date);
  assert.ok(thread.createdOn.getTime() >= before && thread.createdOn.getTime() <= Date.now() + 2000);
});

test("the creator is added when not listed", async () => {
  const alice = await makeUser("Alice");
  const { chatThread } = await chatClient(alice).createChatThread({ topic: "alone" });
  const members = await collect(threadClient(alice, chatThread.id).listParticipants());
  assert.deepEqual(members.map((m) => rawId(m.id)), [alice.rawId]);
});

test("getProperties returns the decoded thread id", async () => {
  const alice = await makeUser("Alice");
  const { chatThread } = await chatClient(alice).createChatThread({ topic: "props" });

  const props = await threadClient(alice, chatThread.id).getProperties();

  assert.equal(props.id, chatThread.id);
  assert.equal(props.topic, "props");
  assert.equal(rawId(props.createdBy), alice.rawId);
  assert.equal(props.createdOn.getTime(), chatThread.createdOn.getTime());
});

test("updateTopic changes the properties and posts a system message", async () => {
  const alice = await makeUser("Alice");
  const { chatThread } = await chatClient(alice).createChatThread({ topic: "Old topic" });
  const thread = threadClient(alice, chatThread.id);

  await thread.updateTopic("New topic");

  assert.equal((await thread.getProperties()).topic, "New topic");
  const updates = ofType(await collect(thread.listMessages()), "topicUpdated");
  assert.deepEqual(updates.map((m) => m.content.topic), ["New topic", "Old topic"]);
  assert.equal(rawId(updates[0].content.initiator), alice.rawId);
  assert.ok(Number(updates[0].sequenceId) > Number(updates[1].sequenceId));
});

test("updateProperties sets thread metadata", async () => {
  const alice = await makeUser("Alice");
  const { chatThread } = await chatClient(alice).createChatThread(
    { topic: "with metadata" },
    { metadata: { isStickyThread: "true" } },
  );
  const thread = threadClient(alice, chatThread.id);
  assert.deepEqual((await thread.getProperties()).metadata, { isStickyThread: "true" });

  await thread.updateProperties({ topic: "renamed", metadata: { isStickyThread: "false" } });

  const props = await thread.getProperties();
  assert.equal(props.topic, "renamed");
  assert.deepEqual(props.metadata, { isStickyThread: "false" });
});

test("a retention policy is kept and can be changed", async () => {
  const alice = await makeUser("Alice");
  const retentionPolicy = { kind: "threadCreationDate", deleteThreadAfterDays: 40 };
  const { chatThread } = await chatClient(alice).createChatThread({ topic: "kept 40 days" }, { retentionPolicy });
  assert.deepEqual(chatThread.retentionPolicy, retentionPolicy);
  const thread = threadClient(alice, chatThread.id);
  assert.deepEqual((await thread.getProperties()).retentionPolicy, retentionPolicy);

  await thread.updateProperties({ retentionPolicy: { kind: "none" } });

  assert.deepEqual((await thread.getProperties()).retentionPolicy, { kind: "none" });
});

test("listChatThreads pages through every thread", async () => {
  const alice = await makeUser("Alice");
  const chat = chatClient(alice);
  const created = new Set();
  for (let n = 0; n < 5; n++) {
    created.add((await chat.createChatThread({ topic: `thread ${n}` })).chatThread.id);
  }

  const listed = await pages(chat.listChatThreads({ maxPageSize: 2 }));

  assert.deepEqual(listed.map((page) => page.length), [2, 2, 1]);
  const ids = listed.flat().map((t) => t.id);
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual(new Set(ids), created);
});

test("listChatThreads shows only the caller's threads", async () => {
  const alice = await makeUser("Alice");
  const bob = await makeUser("Bob");
  await chatClient(bob).createChatThread({ topic: "bob's own" });
  const mine = (await chatClient(alice).createChatThread({ topic: "alice's own" })).chatThread.id;
  assert.deepEqual((await collect(chatClient(alice).listChatThreads())).map((t) => t.id), [mine]);
});

test("listChatThreads lists the most recently active first", async () => {
  const alice = await makeUser("Alice");
  const chat = chatClient(alice);
  const first = (await chat.createChatThread({ topic: "first" })).chatThread.id;
  const second = (await chat.createChatThread({ topic: "second" })).chatThread.id;
  await chat.getChatThreadClient(first).sendMessage({ content: "bump" });
  assert.deepEqual((await collect(chat.listChatThreads())).map((t) => t.id), [first, second]);
});

test("listChatThreads startTime filters", async () => {
  const alice = await makeUser("Alice");
  const chat = chatClient(alice);
  const { chatThread } = await chat.createChatThread({ topic: "recent" });

  const past = new Date(Date.now() - 3_600_000);
  const future = new Date(Date.now() + 3_600_000);
  assert.deepEqual((await collect(chat.listChatThreads({ startTime: past }))).map((t) => t.id), [chatThread.id]);
  assert.deepEqual(await collect(chat.listChatThreads({ startTime: future })), []);
});

test("an idempotency token creates the thread once", async () => {
  const alice = await makeUser("Alice");
  const bob = await makeUser("Bob");
  const chat = chatClient(alice);
  const idempotencyToken = randomUUID();
  const topic = uniqueTopic("once");
  const options = { participants: [alice.participant(), bob.participant()], idempotencyToken };

  const first = await chat.createChatThread({ topic }, options);
  const second = await chat.createChatThread({ topic }, options);

  assert.equal(second.chatThread.id, first.chatThread.id);
  assert.deepEqual((await collect(chat.listChatThreads())).map((t) => t.id), [first.chatThread.id]);
  assert.notEqual((await chat.createChatThread({ topic })).chatThread.id, first.chatThread.id);
});

test("deleteChatThread", async () => {
  const alice = await makeUser("Alice");
  const bob = await makeUser("Bob");
  const chat = chatClient(alice);
  const { chatThread } = await chat.createChatThread(
    { topic: "doomed" },
    { participants: [alice.participant(), bob.participant()] },
  );

  await chat.deleteChatThread(chatThread.id);

  await expectStatus(404, () => threadClient(alice, chatThread.id).getProperties());
  await expectStatus(404, () => threadClient(bob, chatThread.id).sendMessage({ content: "hi" }));
  await chat.deleteChatThread(chatThread.id);
  const listed = (await collect(chat.listChatThreads())).filter((t) => t.id === chatThread.id);
  assert.equal(listed.length, 1);
  assert.ok(listed[0].deletedOn instanceof Date);
});
