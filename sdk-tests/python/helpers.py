"""Small helpers shared by the SDK compatibility tests: the user and emulator records,
page collection, and assertions on the HTTP status an SDK call failed with."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Iterable, List

import pytest
from azure.communication.chat import ChatMessage, ChatMessageType, ChatParticipant
from azure.core.exceptions import HttpResponseError

UNKNOWN_THREAD_ID = "19:00000000000000000000000000000000@thread.v2"


@dataclass(frozen=True)
class Emulator:
    """What a test needs to reach the running emulator."""

    connection_string: str
    endpoint: str
    ca_cert: str


@dataclass(frozen=True)
class User:
    """An identity created through the Identity SDK, with a chat token."""

    identifier: object  # azure.communication.identity.CommunicationUserIdentifier
    token: str
    display_name: str

    @property
    def raw_id(self) -> str:
        return self.identifier.raw_id

    def participant(self) -> ChatParticipant:
        return ChatParticipant(identifier=self.identifier, display_name=self.display_name)


def unique_topic(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def client_message_id() -> str:
    """A random unsigned 64-bit integer in decimal, as the quickstart's clientMessageId."""
    return str(random.getrandbits(64))


def pages(paged) -> List[list]:
    """Every page of an azure-core ItemPaged, each as a list."""
    return [list(page) for page in paged.by_page()]


def texts(messages: Iterable[ChatMessage]) -> List[ChatMessage]:
    """Only the user-sent messages (text and html), in the order given."""
    return [m for m in messages if m.type in (ChatMessageType.TEXT, ChatMessageType.HTML)]


def of_type(messages: Iterable[ChatMessage], kind: ChatMessageType) -> List[ChatMessage]:
    return [m for m in messages if m.type == kind]


def raw_ids(participants: Iterable[ChatParticipant]) -> List[str]:
    return [p.identifier.raw_id for p in participants]


def parse_time(value) -> datetime:
    """A datetime from either a datetime or an ISO-8601 string (identity returns strings)."""
    if isinstance(value, datetime):
        parsed = value
    else:
        parsed = datetime.fromisoformat(str(value))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def expect_status(status: int, call: Callable[[], object]) -> HttpResponseError:
    """Runs `call` (iterating it if it returns a pager) and asserts it failed with `status`."""
    with pytest.raises(HttpResponseError) as caught:
        result = call()
        if hasattr(result, "by_page"):
            list(result)
    assert caught.value.status_code == status, (
        f"expected HTTP {status}, got {caught.value.status_code}: {caught.value.message}"
    )
    return caught.value
