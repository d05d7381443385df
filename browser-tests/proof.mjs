// Drives the proof (run by run.sh, which starts the emulator and sets
// ACS_CONNECTION_STRING and NODE_EXTRA_CA_CERTS): alice runs the browser build of
// @azure/communication-chat in headless Chromium on another origin; bob (and carol)
// act through the Node SDK; every real-time event kind must reach alice within 1 s
// with the fields REST shows for the same object.
//
// Usage: node proof.mjs [SCREENSHOT.png]

import assert from "node:assert/strict";
import http from "node:http";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { ChatClient } from "@azure/communication-chat";
import { AzureCommunicationTokenCredential } from "@azure/communication-common";
import { CommunicationIdentityClient } from "@azure/communication-identity";
import * as esbuild from "esbuild";
import puppeteer from "puppeteer-core";

const here = dirname(fileURLToPath(import.meta.url));
const connectionString = process.env.ACS_CONNECTION_STRING;
const screenshot = process.argv[2];
const endpoint = /endpoint=([^;]+)/i.exec(connectionString)[1];
const WITHIN_MS = 1000;

const identity = new CommunicationIdentityClient(connectionString);
async function user(name) {
  const { user, token } = await identity.createUserAndToken(["chat"]);
  const chat = new ChatClient(endpoint, new AzureCommunicationTokenCredential(token));
  return { id: user.communicationUserId, user, token, name, chat };
}

/** The page and its bundle, served from http://localhost:PORT (not the emulator's origin). */
async function servePage() {
  const built = await esbuild.build({
    entryPoints: [join(here, "page", "app.mjs")],
    bundle: true,
    platform: "browser",
    format: "iife",
    write: false,
    logLevel: "error",
  });
  const files = {
    "/": ["text/html", readFileSync(join(here, "page", "index.html"))],
    "/bundle.js": ["text/javascript", built.outputFiles[0].contents],
  };
  const server = http.createServer((req, res) => {
    const file = files[req.url];
    if (!file) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": file[0] }).end(file[1]);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { server, url: `http://localhost:${server.address().port}/` };
}

const results = [];

async function main() {
  const [alice, bob, carol] = [await user("Alice"), await user("Bob"), await user("Carol")];
  const { server, url } = await servePage();
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM,
    headless: true,
    // The emulator's certificate is self-signed; this browser profile is throwaway.
    args: ["--no-sandbox", "--ignore-certificate-errors"],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 900, height: 330 });
    page.on("pageerror", (e) => console.error("page error:", e.message));
    await page.goto(url);
    // The endpoint exactly as printed, trailing slash included.
    assert.equal(await page.evaluate((e, t) => window.start(e, t), endpoint, alice.token), "started");
    await page.waitForFunction(() => window.connected, { timeout: 15_000 });
    console.log("ok startRealtimeNotifications resolved and the socket connected");

    let seen = 0;
    /** Waits for the next event of `kind` (events before it are skipped). */
    async function next(kind, startedAt) {
      const handle = await page.waitForFunction(
        (k, from) => {
          const i = window.events.findIndex((e, n) => n >= from && e.kind === k);
          return i >= 0 ? { i, e: window.events[i] } : false;
        },
        { timeout: 5_000, polling: 10 },
        kind,
        seen,
      );
      const { i, e } = await handle.jsonValue();
      seen = i + 1;
      const ms = e.at - startedAt;
      results.push([kind, ms]);
      assert.ok(ms < WITHIN_MS, `${kind} took ${ms} ms`);
      console.log(`ok ${kind} within ${ms} ms of the REST call`);
      return e.event;
    }

    let t = Date.now();
    const { chatThread } = await bob.chat.createChatThread(
      { topic: "browser proof" },
      { participants: [alice.user, bob.user].map((id) => ({ id, displayName: id === bob.user ? "Bob" : "Alice" })) },
    );
    const thread = bob.chat.getChatThreadClient(chatThread.id);
    let e = await next("chatThreadCreated", t);
    assert.equal(e.threadId, chatThread.id);
    assert.equal(e.properties.topic, "browser proof");
    assert.equal(e.createdBy.id.communicationUserId, bob.id);
    assert.deepEqual(e.participants.map((p) => p.id.communicationUserId).sort(), [alice.id, bob.id].sort());
    assert.equal(new Date(e.createdOn).getTime(), (await thread.getProperties()).createdOn.getTime());

    assert.deepEqual(await page.evaluate(() => window.listThreads()), [chatThread.id]);
    console.log("ok REST from the page, cross-origin");

    t = Date.now();
    const { id } = await thread.sendMessage({ content: "hello from bob" }, { senderDisplayName: "Bob", metadata: { k: "v" } });
    e = await next("chatMessageReceived", t);
    const rest = await thread.getMessage(id);
    assert.equal(e.id, rest.id);
    assert.equal(e.message, rest.content.message);
    assert.equal(e.version, rest.version);
    assert.equal(e.type, rest.type);
    assert.equal(e.senderDisplayName, rest.senderDisplayName);
    assert.deepEqual(e.metadata, rest.metadata);
    assert.equal(new Date(e.createdOn).getTime(), rest.createdOn.getTime());
    assert.equal(e.sender.communicationUserId, bob.id);
    assert.equal(e.recipient.communicationUserId, alice.id);

    t = Date.now();
    await thread.updateMessage(id, { content: "edited" });
    e = await next("chatMessageEdited", t);
    const edited = await thread.getMessage(id);
    assert.equal(e.message, "edited");
    assert.equal(e.version, edited.version);
    assert.equal(new Date(e.editedOn).getTime(), edited.editedOn.getTime());

    t = Date.now();
    await thread.sendTypingNotification({ senderDisplayName: "Bob" });
    e = await next("typingIndicatorReceived", t);
    assert.equal(e.sender.communicationUserId, bob.id);
    assert.equal(e.senderDisplayName, "Bob");

    t = Date.now();
    await thread.sendReadReceipt({ chatMessageId: id });
    e = await next("readReceiptReceived", t);
    const receipts = [];
    for await (const r of thread.listReadReceipts()) receipts.push(r);
    const receipt = receipts.find((r) => r.sender.communicationUserId === bob.id);
    assert.equal(e.chatMessageId, receipt.chatMessageId);
    assert.equal(new Date(e.readOn).getTime(), receipt.readOn.getTime());

    t = Date.now();
    await thread.deleteMessage(id);
    e = await next("chatMessageDeleted", t);
    const deleted = await thread.getMessage(id);
    assert.equal(new Date(e.deletedOn).getTime(), deleted.deletedOn.getTime());

    t = Date.now();
    await thread.updateTopic("renamed 100%");
    e = await next("chatThreadPropertiesUpdated", t);
    assert.equal(e.properties.topic, "renamed 100%");

    t = Date.now();
    await thread.addParticipants({ participants: [{ id: carol.user, displayName: "Carol" }] });
    e = await next("participantsAdded", t);
    assert.deepEqual(e.participantsAdded.map((p) => [p.id.communicationUserId, p.displayName]), [[carol.id, "Carol"]]);

    t = Date.now();
    await thread.removeParticipant(carol.user);
    e = await next("participantsRemoved", t);
    assert.equal(e.participantsRemoved[0].id.communicationUserId, carol.id);

    // A removed participant gets the removal, then nothing more from that thread.
    t = Date.now();
    const { chatThread: other } = await bob.chat.createChatThread(
      { topic: "still together" },
      { participants: [{ id: alice.user }, { id: bob.user }] },
    );
    await next("chatThreadCreated", t);
    t = Date.now();
    await thread.removeParticipant(alice.user);
    e = await next("participantsRemoved", t);
    assert.equal(e.participantsRemoved[0].id.communicationUserId, alice.id);
    await thread.sendMessage({ content: "alice is gone" });
    const otherThread = bob.chat.getChatThreadClient(other.id);
    t = Date.now();
    await otherThread.sendMessage({ content: "marker" });
    e = await next("chatMessageReceived", t);
    assert.equal(e.threadId, other.id, "the next message alice sees is from the thread she is still in");
    console.log("ok a removed participant stops receiving");

    t = Date.now();
    await bob.chat.deleteChatThread(other.id);
    e = await next("chatThreadDeleted", t);
    assert.equal(e.threadId, other.id);
    assert.equal(e.deletedBy.id.communicationUserId, bob.id);

    if (screenshot) {
      await page.screenshot({ path: screenshot });
      console.log(`screenshot: ${screenshot}`);
    }
  } finally {
    await browser.close();
    server.close();
  }
  const ms = results.map(([, m]) => m).sort((a, b) => a - b);
  console.log(`event latency over ${ms.length} events: p50 ${ms[Math.floor(ms.length / 2)]} ms, max ${ms[ms.length - 1]} ms`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
