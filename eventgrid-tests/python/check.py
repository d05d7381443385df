"""Parses events the acs-chat emulator emitted with the official azure-eventgrid SDK.

Usage: python check.py [--require-all] FILE|-
  FILE holds JSON: one event or one delivery body (an array of events) per line, or
  one array of events. An event with a `source` is a CloudEvent, as the SDKs tell.

Per event: `EventGridEvent.from_dict` (Event Grid schema) or `CloudEvent.from_dict`
(CloudEvents 1.0) accepts it, with every attribute the model requires set and a real
time; its type is a member of `SystemEventNames` and one of the 16 documented chat
event types. (azure-eventgrid 4.22.1 ships no chat data models: the JS check judges
`data`; here it must at least be an object with `threadId` and `transactionId`.)
With --require-all, each schema seen must cover all 16 types. Exits 1 on any failure.
"""

import datetime
import json
import sys

from azure.core.messaging import CloudEvent
from azure.eventgrid import EventGridEvent, SystemEventNames

# The documented chat event types (the ACS chat events page).
CHAT_TYPES = {
    "Microsoft.Communication." + name
    for name in (
        "ChatThreadCreated",
        "ChatThreadDeleted",
        "ChatThreadParticipantAdded",
        "ChatThreadParticipantRemoved",
        "ChatMessageReceivedInThread",
        "ChatThreadPropertiesUpdated",
        "ChatMessageEditedInThread",
        "ChatMessageDeletedInThread",
        "ChatMessageReceived",
        "ChatMessageEdited",
        "ChatMessageDeleted",
        "ChatThreadCreatedWithUser",
        "ChatThreadWithUserDeleted",
        "ChatThreadPropertiesUpdatedPerUser",
        "ChatParticipantAddedToThreadWithUser",
        "ChatParticipantRemovedFromThreadWithUser",
    )
}
SYSTEM_NAMES = {member.value for member in SystemEventNames}


def read_events(source):
    text = sys.stdin.read() if source == "-" else open(source, encoding="utf-8").read()
    try:
        values = [json.loads(text)]
    except json.JSONDecodeError:
        values = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    values.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise SystemExit(f"FAIL line {number}: not JSON: {e}")
    events = []
    for v in values:
        events.extend(v if isinstance(v, list) else [v])
    return events


def parse(raw):
    """(schema, type, data, problems) of one event."""
    if "source" in raw:
        event = CloudEvent.from_dict(raw)
        problems = [] if isinstance(event.time, datetime.datetime) else ["no valid time"]
        # from_dict defaults a missing specversion; a CloudEvents 1.0 sender must send it.
        if raw.get("specversion") != "1.0":
            problems.append(f"specversion {raw.get('specversion')!r}, not '1.0'")
        return "cloudevents", event.type, event.data, problems
    event = EventGridEvent.from_dict(raw)
    problems = [
        f"{attr} missing"
        for attr, rule in EventGridEvent._validation.items()
        if rule.get("required") and getattr(event, attr, None) is None
    ]
    if not isinstance(event.event_time, datetime.datetime):
        problems.append("no valid event_time")
    if event.metadata_version != "1":
        problems.append(f"metadataVersion {event.metadata_version!r}, not '1'")
    return "eventgrid", event.event_type, event.data, problems


def main(argv):
    require_all = "--require-all" in argv
    sources = [a for a in argv if a != "--require-all"]
    if len(sources) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    events = read_events(sources[0])
    failures = []
    seen = {"eventgrid": {}, "cloudevents": {}}
    for i, raw in enumerate(events, 1):
        where = f"event {i} (id {raw.get('id') if isinstance(raw, dict) else '?'})"
        try:
            schema, kind, data, problems = parse(raw)
        except Exception as e:  # the SDK's own refusal, whatever its type
            failures.append(f"{where}: the SDK refused it: {e!r}")
            continue
        where = f"event {i} ({schema}, {kind}, id {raw.get('id')})"
        failures.extend(f"{where}: {p}" for p in problems)
        if kind not in SYSTEM_NAMES:
            failures.append(f"{where}: not in SystemEventNames")
        if kind not in CHAT_TYPES:
            failures.append(f"{where}: not a documented chat event type")
            continue
        if not isinstance(data, dict) or not all(k in data for k in ("threadId", "transactionId")):
            failures.append(f"{where}: data lacks threadId/transactionId")
        seen[schema][kind] = seen[schema].get(kind, 0) + 1
    for schema, kinds in seen.items():
        if not kinds:
            continue
        print(f"azure-eventgrid: {schema}: {sum(kinds.values())} events of {len(kinds)} chat event types parsed")
        if require_all:
            failures.extend(f"{schema}: no {t} event" for t in sorted(CHAT_TYPES - kinds.keys()))
    if not events:
        failures.append("no events to check")
    for f in failures:
        print(f"FAIL {f}", file=sys.stderr)
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
