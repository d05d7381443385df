"""Trusting the emulator's self-signed certificate the ways the Python SDK documents:
`connection_verify=` (used by every other test) or the `REQUESTS_CA_BUNDLE` variable."""

import pytest
from azure.communication.chat import ChatClient, CommunicationTokenCredential
from azure.core.exceptions import ServiceRequestError


def test_requests_ca_bundle_is_enough(emulator, make_user, monkeypatch):
    alice = make_user("Alice")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", emulator.ca_cert)
    chat = ChatClient(emulator.endpoint, CommunicationTokenCredential(alice.token))
    assert chat.create_chat_thread("trusted by env").chat_thread.topic == "trusted by env"


def test_untrusted_certificate_is_refused(emulator, make_user, monkeypatch):
    alice = make_user("Alice")
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    chat = ChatClient(
        emulator.endpoint, CommunicationTokenCredential(alice.token), retry_total=0
    )
    with pytest.raises(ServiceRequestError):
        list(chat.list_chat_threads())
