// Message operations of @azure/communication-chat: send, get, update, delete, and
// listMessages with paging (nextLink followed verbatim) and startTime, as the service
// behaves (newest first, edits and deletions re-sequence, tombstones stay listed).

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  chatClient,
  clientMessageId,
  collect,
  expectStatus,
  makeUser,
  pages,
  rawId,
  texts,
  threadClient,
  waitForNextSecond,
} from "../support/helpers.mjs";

async function newThread() {
  const alice = await makeUser("Alice");
  const bob = await makeUser("Bob");
  const { chatThread } = await chatClient(alice).createChatThread(
    { topic: "messages" },
    { participants: [alice.participant(), bob.participant()] },
  );
  return { alice, bob, thread: threadClient(alice, chatThread.id) };
}

test("sendMessage and getMessage", async () => {
  const { alice, thread } = await newThread();
  const dedupeId = clientMessageId();

  const sent = await thread.sendMessage(
    { content: "hello" },
    { senderDisplayName: "Alice", metadata: { clientMessageId: dedupeId } },
  );
  const message = await thread.getMessage(sent.id);

  assert.equal(message.id, sent.id);
  assert.equal(message.type, "text");
  assert.equal(message.content.message, "hello");
  assert.equal(message.senderDisplayName, "Alice");
  assert.equal(rawId(message.sender), alice.rawId);
  assert.deepEqual(message.metadata, { clientMessageId: dedupeId });
  assert.equal(message.version, message.id);
  assert.equal(message.sequenceId, "3");
  assert.equal(message.editedOn, undefined);
  assert.equal(message.deletedOn, undefined);
  assert.ok(Math.abs(message.createdOn.getTime() - Date.now()) < 60_000);
});

test("sendMessage with html", async () => {
  const { thread } = await newThread();
  const sent = await thread.sendMessage({ content: "<b>bold</b>" }, { type: "html" });
  const message = await thread.getMessage(sent.id);
  assert.equal(message.type, "html");
  assert.equal(message.content.message, "<b>bold</b>");
});

test("the other participant reads the message", async () => {
  const { bob, thread } = await newThread();
  const sent = await thread.sendMessage({ content: "for bob" });
  assert.equal((await threadClient(bob, thread.threadId).getMessage(sent.id)).content.message, "for bob");
});

test("updateMessage sets editedOn and a new version", async () => {
  const { thread } = await newThread();
  const sent = await thread.sendMessage({ content: "draft" }, { metadata: { keep: "1", change: "old" } });
  const later = await thread.sendMessage({ content: "later" });
  const before = await thread.getMessage(sent.id);

  await thread.updateMessage(sent.id, { content: "final", metadata: { change: "new", added: "2" } });

  const after = await thread.getMessage(sent.id);
  assert.equal(after.content.message, "final");
  assert.ok(after.editedOn instanceof Date);
  assert.notEqual(after.version, before.version);
  assert.equal(after.id, before.id);
  assert.equal(after.createdOn.getTime(), before.createdOn.getTime());
  assert.ok(Number(after.sequenceId) > Number((await thread.getMessage(later.id)).sequenceId));
  assert.deepEqual(after.metadata, { keep: "1", change: "new", added: "2" });
  assert.deepEqual(texts(await collect(thread.listMessages())).map((m) => m.id), [sent.id, later.id]);
});

test("deleteMessage leaves a tombstone in the list", async () => {
  const { thread } = await newThread();
  const doomed = await thread.sendMessage({ content: "oops" });
  const kept = await thread.sendMessage({ content: "kept" });

  await thread.deleteMessage(doomed.id);

  const listed = texts(await collect(thread.listMessages()));
  assert.deepEqual(listed.map((m) => m.id), [doomed.id, kept.id]);
  assert.ok(listed[0].deletedOn instanceof Date);
  assert.notEqual(listed[0].version, listed[0].id);
  assert.ok(!listed[0].content?.message);
});

test("getMessage of a deleted message returns the tombstone", async () => {
  const { thread } = await newThread();
  const doomed = await thread.sendMessage({ content: "oops" });
  await thread.deleteMessage(doomed.id);
  assert.ok((await thread.getMessage(doomed.id)).deletedOn instanceof Date);
});

test("listMessages pages newest first", async () => {
  const { thread } = await newThread();
  const sent = [];
  for (let n = 1; n <= 5; n++) sent.push((await thread.sendMessage({ content: `m${n}` })).id);

  const listed = await pages(thread.listMessages({ maxPageSize: 2 }));

  assert.deepEqual(listed.map((page) => page.length), [2, 2, 2, 1]);
  const flat = listed.flat();
  const sequence = flat.map((m) => Number(m.sequenceId));
  assert.deepEqual(sequence, [...sequence].sort((a, b) => b - a));
  assert.deepEqual(texts(flat).map((m) => m.id), [...sent].reverse());
  assert.deepEqual(texts(flat).map((m) => m.content.message), ["m5", "m4", "m3", "m2", "m1"]);
});

test("listMessages default page size is ten", async () => {
  const { thread } = await newThread();
  for (let n = 0; n < 10; n++) await thread.sendMessage({ content: `m${n}` });
  assert.deepEqual((await pages(thread.listMessages())).map((page) => page.length), [10, 2]);
});

test("listMessages startTime returns later changes", async () => {
  const { thread } = await newThread();
  const edited = await thread.sendMessage({ content: "will be edited" });
  const deleted = await thread.sendMessage({ content: "will be deleted" });
  const untouched = await thread.sendMessage({ content: "untouched" });
  const since = await waitForNextSecond();

  await thread.updateMessage(edited.id, { content: "edited" });
  await thread.deleteMessage(deleted.id);
  const fresh = await thread.sendMessage({ content: "fresh" });

  const changed = await collect(thread.listMessages({ startTime: since }));
  assert.deepEqual(changed.map((m) => m.id), [fresh.id, deleted.id, edited.id]);
  assert.ok(changed[1].deletedOn instanceof Date);
  assert.ok(changed[2].editedOn instanceof Date);
  assert.equal(changed[2].content.message, "edited");
  assert.ok(!changed.some((m) => m.id === untouched.id));

  const future = new Date(Date.now() + 3_600_000);
  assert.deepEqual(await collect(thread.listMessages({ startTime: future })), []);
});

test("concurrent sends all arrive with distinct sequence ids", async () => {
  const { bob, thread } = await newThread();
  const asBob = threadClient(bob, thread.threadId);
  const sends = Array.from({ length: 40 }, (_, n) => (n % 2 ? asBob : thread).sendMessage({ content: `c${n}` }));

  const sent = (await Promise.all(sends)).map((r) => r.id);

  const listed = await collect(thread.listMessages({ maxPageSize: 7 }));
  assert.equal(new Set(sent).size, 40);
  assert.deepEqual(texts(listed).map((m) => m.id).sort(), [...sent].sort());
  const sequence = listed.map((m) => Number(m.sequenceId));
  assert.deepEqual(sequence, [...new Set(sequence)].sort((a, b) => b - a));
});

test("an unknown message is not found", async () => {
  const { thread } = await newThread();
  await expectStatus(404, () => thread.getMessage("1234567890123"));
});
