"""Trusting the emulator's self-signed certificate the ways the Python SDK documents:
the `REQUESTS_CA_BUNDLE` variable (what the other tests use) or `connection_verify=`."""

import pytest
from azure.communication.chat import ChatClient, CommunicationTokenCredential
from azure.communication.identity import CommunicationIdentityClient
from azure.core.exceptions import ServiceRequestError


def test_connection_verify_is_enough(emulator, make_user, monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    identity = CommunicationIdentityClient.from_connection_string(
        emulator.connection_string, connection_verify=emulator.ca_cert
    )
    _, token = identity.create_user_and_token(["chat"])
    chat = ChatClient(
        emulator.endpoint, CommunicationTokenCredential(token.token), connection_verify=emulator.ca_cert
    )
    thread_id = chat.create_chat_thread("trusted by option").chat_thread.id
    # get_chat_thread_client does not pass the ChatClient's transport options on.
    thread = chat.get_chat_thread_client(thread_id, connection_verify=emulator.ca_cert)
    assert thread.get_properties().topic == "trusted by option"


def test_untrusted_certificate_is_refused(emulator, make_user, monkeypatch):
    alice = make_user("Alice")
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    chat = ChatClient(emulator.endpoint, CommunicationTokenCredential(alice.token), retry_total=0)
    with pytest.raises(ServiceRequestError):
        list(chat.list_chat_threads())
