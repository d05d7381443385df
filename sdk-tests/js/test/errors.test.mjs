// How the SDKs see the emulator's refusals: 401 for a token it did not issue, 403 for
// someone outside the thread, 404 for a thread that does not exist.

import assert from "node:assert/strict";
import { test } from "node:test";

import { UNKNOWN_THREAD_ID, chatClient, expectStatus, makeUser, threadClient } from "../support/helpers.mjs";

function segment(value) {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

function forgedToken(skypeid) {
  const header = segment({ alg: "RS256", kid: "1", typ: "JWT" });
  const payload = segment({ skypeid, scp: 1792, exp: Math.floor(Date.now() / 1000) + 3600 });
  return `${header}.${payload}.c2lnbmF0dXJl`;
}

test("a forged token is unauthorized", async () => {
  const alice = await makeUser("Alice");
  const forged = chatClient(forgedToken(`acs:${alice.rawId.split(":").slice(2).join(":")}`));
  await expectStatus(401, () => forged.listChatThreads());
  await expectStatus(401, () => forged.createChatThread({ topic: "nope" }));
});

test("a tampered token is unauthorized", async () => {
  const alice = await makeUser("Alice");
  const [header, payload, signature] = alice.token.split(".");
  const flipped = (signature[0] === "A" ? "B" : "A") + signature.slice(1);
  await expectStatus(401, () => chatClient(`${header}.${payload}.${flipped}`).listChatThreads());
});

test("a non-participant is forbidden", async () => {
  const alice = await makeUser("Alice");
  const mallory = await makeUser("Mallory");
  const { chatThread } = await chatClient(alice).createChatThread({ topic: "private" });
  const sent = await threadClient(alice, chatThread.id).sendMessage({ content: "secret" });

  const outsider = threadClient(mallory, chatThread.id);
  await expectStatus(403, () => outsider.getProperties());
  await expectStatus(403, () => outsider.listMessages());
  await expectStatus(403, () => outsider.getMessage(sent.id));
  await expectStatus(403, () => outsider.sendMessage({ content: "let me in" }));
  await expectStatus(403, () => outsider.listParticipants());
  await expectStatus(403, () => outsider.addParticipants({ participants: [mallory.participant()] }));
  await expectStatus(403, () => chatClient(mallory).deleteChatThread(chatThread.id));
});

test("only the sender may edit or delete", async () => {
  const alice = await makeUser("Alice");
  const bob = await makeUser("Bob");
  const { chatThread } = await chatClient(alice).createChatThread(
    { topic: "mine" },
    { participants: [alice.participant(), bob.participant()] },
  );
  const sent = await threadClient(alice, chatThread.id).sendMessage({ content: "alice's" });

  const asBob = threadClient(bob, chatThread.id);
  await expectStatus(403, () => asBob.updateMessage(sent.id, { content: "bob's now" }));
  await expectStatus(403, () => asBob.deleteMessage(sent.id));
});

test("an unknown thread is not found", async () => {
  const alice = await makeUser("Alice");
  const thread = threadClient(alice, UNKNOWN_THREAD_ID);
  const error = await expectStatus(404, () => thread.getProperties());
  assert.equal(error.name, "RestError");
  await expectStatus(404, () => thread.listMessages());
  await expectStatus(404, () => thread.sendMessage({ content: "anyone?" }));
  await expectStatus(404, () => thread.listParticipants());
});
