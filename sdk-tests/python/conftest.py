"""Fixtures that run the official Azure Communication Services Python SDKs against
`acs-chat serve`.

One emulator is started per test session, on a free loopback port and a fresh data
directory. It announces itself on stdout with two lines:

    ACS_CONNECTION_STRING=endpoint=https://127.0.0.1:PORT/;accesskey=KEY
    ACS_CA_CERT=DIR/cert.pem

The SDK clients are then built exactly as an application would build them. The
emulator's self-signed certificate is trusted through `REQUESTS_CA_BUNDLE`, set for the
whole session: the per-client `connection_verify=` option is not inherited by the
ChatThreadClient that `ChatClient.get_chat_thread_client` returns, so an application
using it would have to repeat it on every call (test_tls.py covers that route too).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable, Iterator

import pytest
from azure.communication.chat import ChatClient, CommunicationTokenCredential
from azure.communication.identity import CommunicationIdentityClient

from emulator_process import running_emulator
from helpers import Emulator, User


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    """One emulator for the whole session, trusted through REQUESTS_CA_BUNDLE."""
    previous_bundle = os.environ.get("REQUESTS_CA_BUNDLE")
    with tempfile.TemporaryDirectory(prefix="acs-chat-sdk-py-") as work_dir:
        store = Path(work_dir) / "data"
        store.mkdir()
        with running_emulator(store, Path(work_dir) / "emulator.log") as running:
            os.environ["REQUESTS_CA_BUNDLE"] = running.ca_cert
            try:
                yield running
            finally:
                if previous_bundle is None:
                    os.environ.pop("REQUESTS_CA_BUNDLE", None)
                else:
                    os.environ["REQUESTS_CA_BUNDLE"] = previous_bundle


@pytest.fixture(scope="session")
def identity_client(emulator: Emulator) -> CommunicationIdentityClient:
    return CommunicationIdentityClient.from_connection_string(emulator.connection_string)


@pytest.fixture
def make_user(identity_client: CommunicationIdentityClient) -> Callable[[str], User]:
    """Creates a fresh identity with a chat token, as the quickstart's server side does."""

    def make(display_name: str) -> User:
        identifier, token = identity_client.create_user_and_token(["chat"])
        return User(identifier=identifier, token=token.token, display_name=display_name)

    return make


@pytest.fixture
def chat_client(emulator: Emulator) -> Callable[[User | str], ChatClient]:
    """Builds a ChatClient for a user (or a raw token string)."""

    def make(user: User | str) -> ChatClient:
        token = user if isinstance(user, str) else user.token
        return ChatClient(emulator.endpoint, CommunicationTokenCredential(token))

    return make
