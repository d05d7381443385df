// The test page: the official chat SDK's browser build, started the way a web app
// starts it. Every real-time event is recorded (with its arrival time) for the
// driver and listed on the page for the screenshot.

import { ChatClient } from "@azure/communication-chat";
import { AzureCommunicationTokenCredential } from "@azure/communication-common";

const KINDS = [
  "chatMessageReceived",
  "chatMessageEdited",
  "chatMessageDeleted",
  "typingIndicatorReceived",
  "readReceiptReceived",
  "chatThreadCreated",
  "chatThreadPropertiesUpdated",
  "chatThreadDeleted",
  "participantsAdded",
  "participantsRemoved",
];

window.events = [];
window.connected = false;

function show(kind, event) {
  const li = document.createElement("li");
  const what = event.message ?? event.properties?.topic ?? event.senderDisplayName ?? "";
  li.textContent = `${new Date().toISOString().slice(11, 23)}  ${kind}  ${event.threadId.slice(0, 24)}…  ${what}`;
  document.getElementById("events").appendChild(li);
}

window.start = async (endpoint, token) => {
  const client = new ChatClient(endpoint, new AzureCommunicationTokenCredential(token));
  window.client = client;
  await client.startRealtimeNotifications();
  client.on("realTimeNotificationConnected", () => {
    window.connected = true;
    document.getElementById("state").textContent = "connected";
  });
  for (const kind of KINDS) {
    client.on(kind, (event) => {
      window.events.push({ kind, at: Date.now(), event: JSON.parse(JSON.stringify(event)) });
      show(kind, event);
    });
  }
  return "started";
};

/** A REST call from the page (cross-origin): the thread list. */
window.listThreads = async () => {
  const items = [];
  for await (const t of window.client.listChatThreads()) items.push(t.id);
  return items;
};
