// Typing notifications and read receipts of @azure/communication-chat.

import assert from "node:assert/strict";
import { test } from "node:test";

import { chatClient, collect, makeUser, pages, rawId, threadClient } from "../support/helpers.mjs";

async function twoPersonThread() {
  const alice = await makeUser("Alice");
  const bob = await makeUser("Bob");
  const { chatThread } = await chatClient(alice).createChatThread(
    { topic: "receipts" },
    { participants: [alice.participant(), bob.participant()] },
  );
  return { alice, bob, asAlice: threadClient(alice, chatThread.id), asBob: threadClient(bob, chatThread.id) };
}

test("sendTypingNotification", async () => {
  const { asAlice, asBob } = await twoPersonThread();
  assert.equal(await asAlice.sendTypingNotification(), true);
  assert.equal(await asBob.sendTypingNotification({ senderDisplayName: "Bob" }), true);
});

test("read receipts keep the latest per reader", async () => {
  const { alice, bob, asAlice, asBob } = await twoPersonThread();
  const first = (await asAlice.sendMessage({ content: "first" })).id;
  const second = (await asAlice.sendMessage({ content: "second" })).id;

  await asBob.sendReadReceipt({ chatMessageId: first });
  let receipts = await collect(asAlice.listReadReceipts());
  assert.deepEqual(receipts.map((r) => [rawId(r.sender), r.chatMessageId]), [[bob.rawId, first]]);
  assert.ok(receipts[0].readOn instanceof Date);

  await asBob.sendReadReceipt({ chatMessageId: second });
  await asAlice.sendReadReceipt({ chatMessageId: second });
  receipts = await collect(asBob.listReadReceipts());
  assert.deepEqual(
    receipts.map((r) => [rawId(r.sender), r.chatMessageId]).sort(),
    [[bob.rawId, second], [alice.rawId, second]].sort(),
  );

  assert.deepEqual((await pages(asAlice.listReadReceipts({ maxPageSize: 1 }))).map((p) => p.length), [1, 1]);
  assert.equal((await collect(asAlice.listReadReceipts({ skip: 1 }))).length, 1);
});
