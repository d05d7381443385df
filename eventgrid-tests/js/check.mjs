// Parses events the acs-chat emulator emitted with the official @azure/eventgrid
// deserializers and checks each one as a Microsoft.Communication chat system event.
//
// Usage: node check.mjs [--require-all] FILE|-
//   FILE holds JSON: one event or one delivery body (an array of events) per line, or
//   one array of events. The schema of each event is told by its members, as the SDK
//   tells it (`source` = CloudEvents).
//
// Per event: the SDK's deserializer accepts it (deserializeEventGridEvents or
// deserializeCloudEvents) with a valid time; isSystemEvent(type, event) is true for a
// documented chat event type; and its data satisfies the SDK's own model for that type
// (the generated mappers: every required member present, every member of its type).
// The SDK's deserializers do not look into `data`, so the last check reads the mappers
// themselves. With --require-all, each schema seen must cover all 16 types.
// Exits 1 on any failure, printing each.

import { EventGridDeserializer, isSystemEvent } from "@azure/eventgrid";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

// The documented chat event types and the SDK model of each (from the SDK's
// SystemEventNameToEventData map, predicates.d.ts).
const MODELS = {
  "Microsoft.Communication.ChatThreadCreated": "AcsChatThreadCreatedEventData",
  "Microsoft.Communication.ChatThreadDeleted": "AcsChatThreadDeletedEventData",
  "Microsoft.Communication.ChatThreadParticipantAdded": "AcsChatParticipantAddedToThreadEventData",
  "Microsoft.Communication.ChatThreadParticipantRemoved": "AcsChatParticipantRemovedFromThreadEventData",
  "Microsoft.Communication.ChatMessageReceivedInThread": "AcsChatMessageReceivedInThreadEventData",
  "Microsoft.Communication.ChatThreadPropertiesUpdated": "AcsChatThreadPropertiesUpdatedEventData",
  "Microsoft.Communication.ChatMessageEditedInThread": "AcsChatMessageEditedInThreadEventData",
  "Microsoft.Communication.ChatMessageDeletedInThread": "AcsChatMessageDeletedInThreadEventData",
  "Microsoft.Communication.ChatMessageReceived": "AcsChatMessageReceivedEventData",
  "Microsoft.Communication.ChatMessageEdited": "AcsChatMessageEditedEventData",
  "Microsoft.Communication.ChatMessageDeleted": "AcsChatMessageDeletedEventData",
  "Microsoft.Communication.ChatThreadCreatedWithUser": "AcsChatThreadCreatedWithUserEventData",
  "Microsoft.Communication.ChatThreadWithUserDeleted": "AcsChatThreadWithUserDeletedEventData",
  "Microsoft.Communication.ChatThreadPropertiesUpdatedPerUser": "AcsChatThreadPropertiesUpdatedPerUserEventData",
  "Microsoft.Communication.ChatParticipantAddedToThreadWithUser": "AcsChatParticipantAddedToThreadWithUserEventData",
  "Microsoft.Communication.ChatParticipantRemovedFromThreadWithUser": "AcsChatParticipantRemovedFromThreadWithUserEventData",
};

// Where the generated model and every example of the service disagree, the examples
// win: the spec declares `properties` as a map of `{"type": "object"}` (any JSON in
// Swagger 2.0), which the generator typed as a map of objects, but the service sends
// `{"topic": "<string>"}` in every chat example (azure-rest-api-specs and the docs).
const AS_ANY_MAP = new Set(
  [
    "AcsChatThreadCreatedEventData",
    "AcsChatThreadCreatedWithUserEventData",
    "AcsChatThreadPropertiesUpdatedEventData",
    "AcsChatThreadPropertiesUpdatedPerUserEventData",
  ].map((c) => `${c}.properties`),
);
const ANY_MAP = { name: "Dictionary", value: { type: { name: "any" } } };

// The generated mappers are not exported; read them from the installed package.
const require = createRequire(import.meta.url);
const mappers = require(join(dirname(require.resolve("@azure/eventgrid")), "generated", "models", "mappers.js"));

/** The problems of `value` against a mapper type, as "path: problem" strings. */
function check(value, type, path, problems) {
  const kind = typeof value;
  switch (type.name) {
    case "String":
      if (kind !== "string") problems.push(`${path}: a string expected, got ${JSON.stringify(value)}`);
      else if (/(^|\.)(time|\w+Time)$/.test(path) && Number.isNaN(Date.parse(value)))
        problems.push(`${path}: not a date-time: ${value}`);
      break;
    case "Number":
      if (kind !== "number") problems.push(`${path}: a number expected, got ${JSON.stringify(value)}`);
      break;
    case "Boolean":
      if (kind !== "boolean") problems.push(`${path}: a boolean expected, got ${JSON.stringify(value)}`);
      break;
    case "any":
      break;
    case "Sequence":
      if (!Array.isArray(value)) problems.push(`${path}: an array expected`);
      else value.forEach((v, i) => check(v, type.element.type, `${path}[${i}]`, problems));
      break;
    case "Dictionary":
      if (kind !== "object" || value === null || Array.isArray(value)) problems.push(`${path}: an object expected`);
      else for (const [k, v] of Object.entries(value)) check(v, type.value.type, `${path}.${k}`, problems);
      break;
    case "Composite": {
      if (kind !== "object" || value === null || Array.isArray(value)) {
        problems.push(`${path}: an object expected`);
        break;
      }
      const model = mappers[type.className];
      if (!model) {
        problems.push(`${path}: the SDK has no model ${type.className}`);
        break;
      }
      for (const [, prop] of Object.entries(model.type.modelProperties)) {
        const v = value[prop.serializedName];
        const at = path ? `${path}.${prop.serializedName}` : prop.serializedName;
        if (v === undefined || v === null) {
          if (prop.required) problems.push(`${at}: required by ${type.className}, missing`);
        } else {
          const quirk = AS_ANY_MAP.has(`${type.className}.${prop.serializedName}`);
          check(v, quirk ? ANY_MAP : prop.type, at, problems);
        }
      }
      break;
    }
    default:
      problems.push(`${path}: mapper type ${type.name} not understood by this check`);
  }
}

function readEvents(source) {
  const text = readFileSync(source === "-" ? 0 : source, "utf8");
  const values = [];
  try {
    values.push(JSON.parse(text));
  } catch {
    text.split("\n").forEach((line, i) => {
      if (line.trim() === "") return;
      try {
        values.push(JSON.parse(line));
      } catch (e) {
        throw new Error(`line ${i + 1}: not JSON: ${e.message}`);
      }
    });
  }
  return values.flat();
}

async function main() {
  const args = process.argv.slice(2);
  const requireAll = args.includes("--require-all");
  const source = args.find((a) => a !== "--require-all");
  if (!source) {
    console.error("usage: node check.mjs [--require-all] FILE|-");
    process.exit(2);
  }
  const events = readEvents(source);
  const deserializer = new EventGridDeserializer();
  const seen = { eventgrid: new Map(), cloudevents: new Map() };
  const failures = [];
  for (const [i, raw] of events.entries()) {
    const cloud = raw.source !== undefined;
    const schema = cloud ? "cloudevents" : "eventgrid";
    const type = cloud ? raw.type : raw.eventType;
    const where = `event ${i + 1} (${schema}, ${type}, id ${raw.id})`;
    let parsed;
    try {
      const json = JSON.stringify(raw);
      [parsed] = cloud ? await deserializer.deserializeCloudEvents(json) : await deserializer.deserializeEventGridEvents(json);
    } catch (e) {
      failures.push(`${where}: the SDK refused it: ${e.message}`);
      continue;
    }
    const time = cloud ? parsed.time : parsed.eventTime;
    if (!(time instanceof Date) || Number.isNaN(time.getTime())) failures.push(`${where}: no valid time`);
    if (!(type in MODELS)) {
      failures.push(`${where}: not a documented chat event type`);
      continue;
    }
    if (!isSystemEvent(type, parsed)) failures.push(`${where}: isSystemEvent is false`);
    const problems = [];
    check(parsed.data, { name: "Composite", className: MODELS[type] }, "", problems);
    for (const p of problems) failures.push(`${where}: data.${p}`);
    seen[schema].set(type, (seen[schema].get(type) ?? 0) + 1);
  }
  for (const [schema, types] of Object.entries(seen)) {
    if (types.size === 0) continue;
    const total = [...types.values()].reduce((a, b) => a + b, 0);
    console.log(`@azure/eventgrid: ${schema}: ${total} events of ${types.size} chat event types parsed`);
    if (requireAll) {
      for (const t of Object.keys(MODELS)) if (!types.has(t)) failures.push(`${schema}: no ${t} event`);
    }
  }
  if (events.length === 0) failures.push("no events to check");
  for (const f of failures) console.error(`FAIL ${f}`);
  process.exit(failures.length === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(`FAIL ${e.message}`);
  process.exit(1);
});
