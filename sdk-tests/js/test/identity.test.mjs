// Every Identity operation of @azure/communication-identity, and what its tokens do at the
// Chat API afterwards.

import assert from "node:assert/strict";
import { test } from "node:test";

import { AzureCommunicationTokenCredential } from "@azure/communication-common";
import { CommunicationIdentityClient } from "@azure/communication-identity";

import { chatClient, collect, endpoint, expectStatus, identityClient } from "../support/helpers.mjs";

const CLOCK_SLACK_MS = 2 * 60_000;
const HOUR_MS = 3_600_000;

function assertExpiresIn(expiresOn, lifetimeMs) {
  const expected = Date.now() + lifetimeMs;
  const actual = new Date(expiresOn).getTime();
  assert.ok(Math.abs(actual - expected) < CLOCK_SLACK_MS, `expiry ${new Date(actual).toISOString()}, expected about ${new Date(expected).toISOString()}`);
}

test("createUser returns an ACS identifier", async () => {
  const user = await identityClient.createUser();
  assert.match(user.communicationUserId, /^8:acs:/);
  assert.notEqual((await identityClient.createUser()).communicationUserId, user.communicationUserId);
});

test("createUserAndToken defaults to a day", async () => {
  const { user, token, expiresOn } = await identityClient.createUserAndToken(["chat"]);
  assert.match(user.communicationUserId, /^8:acs:/);
  assert.equal(token.split(".").length, 3);
  assert.ok(expiresOn instanceof Date);
  assertExpiresIn(expiresOn, 24 * HOUR_MS);
});

test("createUserAndToken with custom expiry and scopes", async () => {
  const { expiresOn } = await identityClient.createUserAndToken(["chat", "voip"], { tokenExpiresInMinutes: 60 });
  assertExpiresIn(expiresOn, HOUR_MS);
});

test("an expiry outside one to twenty-four hours is rejected", async () => {
  await expectStatus(400, () => identityClient.createUserAndToken(["chat"], { tokenExpiresInMinutes: 30 }));
  const user = await identityClient.createUser();
  await expectStatus(400, () => identityClient.getToken(user, ["chat"], { tokenExpiresInMinutes: 25 * 60 }));
});

test("the token is readable by the chat credential", async () => {
  const { token, expiresOn } = await identityClient.createUserAndToken(["chat"], { tokenExpiresInMinutes: 120 });
  const fromCredential = await new AzureCommunicationTokenCredential(token).getToken();
  assert.equal(fromCredential.token, token);
  assert.ok(Math.abs(fromCredential.expiresOnTimestamp - expiresOn.getTime()) < 2000);
});

test("getToken issues a working chat token", async () => {
  const user = await identityClient.createUser();
  const { token, expiresOn } = await identityClient.getToken(user, ["chat"], { tokenExpiresInMinutes: 180 });
  assertExpiresIn(expiresOn, 3 * HOUR_MS);
  assert.deepEqual(await collect(chatClient(token).listChatThreads()), []);
});

test("revokeTokens makes old tokens fail with 401", async () => {
  const { user, token } = await identityClient.createUserAndToken(["chat"]);
  const chat = chatClient(token);
  await chat.createChatThread({ topic: "before revocation" });

  await identityClient.revokeTokens(user);

  await expectStatus(401, () => chat.listChatThreads());
  await expectStatus(401, () => chat.createChatThread({ topic: "after revocation" }));

  const fresh = await identityClient.getToken(user, ["chat"]);
  const topics = (await collect(chatClient(fresh.token).listChatThreads())).map((t) => t.topic);
  assert.deepEqual(topics, ["before revocation"]);
});

test("deleteUser invalidates its tokens", async () => {
  const { user, token } = await identityClient.createUserAndToken(["chat"]);
  const chat = chatClient(token);
  assert.deepEqual(await collect(chat.listChatThreads()), []);

  await identityClient.deleteUser(user);

  await expectStatus(401, () => chat.listChatThreads());
});

test("identity rejects a wrong access key", async () => {
  const wrongKey = `endpoint=${endpoint};accesskey=d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXktd3Jvbmc=`;
  await expectStatus(401, () => new CommunicationIdentityClient(wrongKey).createUser());
});
