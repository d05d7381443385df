// Participant operations of @azure/communication-chat: list (maxPageSize, skip), add (with the
// participantAdded system message), remove (participantRemoved, and the removed user loses access).

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";

import { chatClient, collect, expectStatus, makeUser, ofType, pages, rawId, threadClient } from "../support/helpers.mjs";

async function threadOf(...names) {
  const users = [];
  for (const name of names) users.push(await makeUser(name));
  const { chatThread } = await chatClient(users[0]).createChatThread(
    { topic: "participants" },
    { participants: users.map((u) => u.participant()) },
  );
  return { users, thread: threadClient(users[0], chatThread.id) };
}

const ids = (participants) => participants.map((p) => rawId(p.id));

test("listParticipants returns names and ids", async () => {
  const { users, thread } = await threadOf("Alice", "Bob", "Carol");
  const listed = await collect(thread.listParticipants());
  assert.deepEqual(
    listed.map((p) => [rawId(p.id), p.displayName]).sort(),
    users.map((u) => [u.rawId, u.displayName]).sort(),
  );
  assert.ok(listed.every((p) => p.shareHistoryTime instanceof Date));
});

test("participant metadata carries the quickstart's member roles", async () => {
  const alice = await makeUser("Alice");
  const bob = await makeUser("Bob");
  const { chatThread } = await chatClient(alice).createChatThread(
    { topic: "roles" },
    {
      participants: [
        { ...alice.participant(), metadata: { memberRole: "Admin" } },
        { ...bob.participant(), metadata: { memberRole: "User" } },
      ],
    },
  );
  const listed = await collect(threadClient(bob, chatThread.id).listParticipants());
  assert.deepEqual(
    listed.map((p) => [rawId(p.id), p.metadata]).sort(),
    [[alice.rawId, { memberRole: "Admin" }], [bob.rawId, { memberRole: "User" }]].sort(),
  );
});

test("listParticipants pages and skips", async () => {
  const { users, thread } = await threadOf("Alice", "Bob", "Carol");
  const everyone = users.map((u) => u.rawId).sort();

  const paged = await pages(thread.listParticipants({ maxPageSize: 2 }));
  assert.deepEqual(paged.map((page) => page.length), [2, 1]);
  assert.deepEqual(ids(paged.flat()).sort(), everyone);

  const skipped = await collect(thread.listParticipants({ skip: 1 }));
  assert.equal(skipped.length, 2);
  assert.ok(ids(skipped).every((id) => everyone.includes(id)));

  const oneAfterSkip = await pages(thread.listParticipants({ maxPageSize: 1, skip: 2 }));
  assert.deepEqual(oneAfterSkip.map((page) => page.length), [1]);
});

test("addParticipants posts a system message", async () => {
  const { users: [alice, bob], thread } = await threadOf("Alice", "Bob");
  const dave = await makeUser("Dave");

  const result = await thread.addParticipants({ participants: [dave.participant()] });

  assert.deepEqual(result.invalidParticipants ?? [], []);
  assert.deepEqual(ids(await collect(thread.listParticipants())).sort(), [alice.rawId, bob.rawId, dave.rawId].sort());
  const added = ofType(await collect(thread.listMessages()), "participantAdded");
  assert.equal(added.length, 2);
  assert.deepEqual(ids(added[0].content.participants), [dave.rawId]);
  assert.equal(added[0].content.participants[0].displayName, "Dave");
  assert.equal(rawId(added[0].content.initiator), alice.rawId);
  await threadClient(dave, thread.threadId).getProperties();
});

test("adding existing participants changes nothing", async () => {
  const { users: [alice, bob], thread } = await threadOf("Alice", "Bob");
  const result = await thread.addParticipants({ participants: [alice.participant(), bob.participant()] });
  assert.deepEqual(result.invalidParticipants ?? [], []);
  assert.equal((await collect(thread.listParticipants())).length, 2);
});

test("adding an unknown user reports it", async () => {
  const { users: [alice], thread } = await threadOf("Alice");
  const stranger = { communicationUserId: `${alice.rawId.slice(0, alice.rawId.lastIndexOf("_"))}_${randomUUID()}` };

  const result = await thread.addParticipants({ participants: [{ id: stranger, displayName: "Nobody" }] });

  assert.equal(result.invalidParticipants?.length, 1);
  assert.equal(result.invalidParticipants[0].target, stranger.communicationUserId);
  assert.deepEqual(ids(await collect(thread.listParticipants())), [alice.rawId]);
});

test("removeParticipant", async () => {
  const { users: [alice, bob, carol], thread } = await threadOf("Alice", "Bob", "Carol");

  await thread.removeParticipant(carol.user);

  assert.deepEqual(ids(await collect(thread.listParticipants())).sort(), [alice.rawId, bob.rawId].sort());
  const removed = ofType(await collect(thread.listMessages()), "participantRemoved");
  assert.equal(removed.length, 1);
  assert.deepEqual(ids(removed[0].content.participants), [carol.rawId]);
  assert.equal(rawId(removed[0].content.initiator), alice.rawId);
  const asCarol = threadClient(carol, thread.threadId);
  await expectStatus(403, () => asCarol.getProperties());
  await expectStatus(403, () => asCarol.sendMessage({ content: "let me back in" }));
});

test("a participant can leave", async () => {
  const { users: [alice, bob], thread } = await threadOf("Alice", "Bob");
  await threadClient(bob, thread.threadId).removeParticipant(bob.user);
  assert.deepEqual(ids(await collect(thread.listParticipants())), [alice.rawId]);
});
