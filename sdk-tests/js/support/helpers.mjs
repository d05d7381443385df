// Shared by the JS SDK compatibility tests: clients built the way an application builds
// them, from the connection string run.mjs puts in the environment.

import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";

import { ChatClient } from "@azure/communication-chat";
import { AzureCommunicationTokenCredential, getIdentifierRawId } from "@azure/communication-common";
import { CommunicationIdentityClient } from "@azure/communication-identity";

export const UNKNOWN_THREAD_ID = "19:00000000000000000000000000000000@thread.v2";

const connectionString = process.env.ACS_CONNECTION_STRING;
if (!connectionString) {
  throw new Error("ACS_CONNECTION_STRING is not set: run the suite with `npm test` (node run.mjs)");
}

/** The `endpoint=` part of a connection string (keys are case-insensitive). */
export function endpointOf(value) {
  for (const part of value.split(";")) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim().toLowerCase() === "endpoint") {
      return part.slice(at + 1).trim();
    }
  }
  throw new Error(`no endpoint in connection string ${value}`);
}

export const endpoint = endpointOf(connectionString);
export const identityClient = new CommunicationIdentityClient(connectionString);

/** A fresh identity with a chat token, as the quickstart's server side makes one. */
export async function makeUser(displayName) {
  const { user, token, expiresOn } = await identityClient.createUserAndToken(["chat"]);
  return {
    user,
    token,
    expiresOn,
    displayName,
    rawId: user.communicationUserId,
    participant() {
      return { id: user, displayName };
    },
  };
}

/** A ChatClient for a user made by makeUser, or for a raw token string. */
export function chatClient(userOrToken) {
  const token = typeof userOrToken === "string" ? userOrToken : userOrToken.token;
  return new ChatClient(endpoint, new AzureCommunicationTokenCredential(token));
}

export function threadClient(userOrToken, threadId) {
  return chatClient(userOrToken).getChatThreadClient(threadId);
}

export function uniqueTopic(prefix) {
  return `${prefix} ${randomUUID().slice(0, 8)}`;
}

/** A random unsigned 64-bit integer in decimal, as the quickstart's clientMessageId. */
export function clientMessageId() {
  return randomBytes(8).readBigUInt64BE().toString();
}

export async function collect(iterable) {
  const items = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** Every page of a PagedAsyncIterableIterator, each as an array. */
export async function pages(paged, settings = {}) {
  return collect(paged.byPage(settings));
}

export function rawId(identifier) {
  return getIdentifierRawId(identifier);
}

export function texts(messages) {
  return messages.filter((m) => m.type === "text" || m.type === "html");
}

export function ofType(messages, type) {
  return messages.filter((m) => m.type === type);
}

/** Runs `call` (draining it if it returns an async iterator) and asserts it failed with `status`. */
export async function expectStatus(status, call) {
  let error;
  try {
    const result = await call();
    if (result && typeof result[Symbol.asyncIterator] === "function") await collect(result);
  } catch (caught) {
    error = caught;
  }
  assert.ok(error, `expected HTTP ${status}, but the call succeeded`);
  assert.equal(error.statusCode, status, `expected HTTP ${status}, got ${error.statusCode}: ${error.message}`);
  return error;
}

/** The next whole second, once the clock has passed it (see the Python suite's twin). */
export async function waitForNextSecond() {
  const boundary = Math.floor(Date.now() / 1000) * 1000 + 1000;
  while (Date.now() < boundary + 20) {
    await new Promise((r) => setTimeout(r, 50));
  }
  return new Date(boundary);
}
