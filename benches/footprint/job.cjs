// The footprint job with the official JavaScript SDKs: create two users and a thread,
// send 100 messages, list them all. Reads ACS_CONNECTION_STRING; the emulator's
// certificate is trusted through NODE_EXTRA_CA_CERTS. Prints the number listed.
"use strict";

const { CommunicationIdentityClient } = require("@azure/communication-identity");
const { ChatClient } = require("@azure/communication-chat");
const { AzureCommunicationTokenCredential } = require("@azure/communication-common");

const MESSAGES = Number(process.env.FOOTPRINT_MESSAGES || 100);

async function main() {
  const connectionString = process.env.ACS_CONNECTION_STRING;
  const endpoint = /endpoint=([^;]+)/i.exec(connectionString)[1];
  const identity = new CommunicationIdentityClient(connectionString);
  const alice = await identity.createUserAndToken(["chat"]);
  const bob = await identity.createUserAndToken(["chat"]);
  const chat = new ChatClient(endpoint, new AzureCommunicationTokenCredential(alice.token));
  const created = await chat.createChatThread(
    { topic: "footprint" },
    { participants: [{ id: alice.user, displayName: "Alice" }, { id: bob.user, displayName: "Bob" }] },
  );
  const thread = chat.getChatThreadClient(created.chatThread.id);
  for (let i = 1; i <= MESSAGES; i++) {
    await thread.sendMessage({ content: `message ${i}` }, { senderDisplayName: "Alice" });
  }
  const bobThread = new ChatClient(endpoint, new AzureCommunicationTokenCredential(bob.token)).getChatThreadClient(created.chatThread.id);
  let listed = 0;
  for await (const m of bobThread.listMessages({ maxPageSize: 200 })) {
    if (m.type === "text") listed++;
  }
  console.log(`listed ${listed}`);
  if (listed !== MESSAGES) process.exit(1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
