"""What survives a restart of the emulator on the same data directory: the access key,
issued tokens (clients cache them), threads and messages. Uses its own emulator."""

from pathlib import Path

from azure.communication.chat import ChatClient, CommunicationTokenCredential
from azure.communication.identity import CommunicationIdentityClient

from emulator_process import running_emulator
from helpers import texts


def test_tokens_and_threads_survive_a_restart(tmp_path: Path, monkeypatch):
    store = tmp_path / "data"
    store.mkdir()
    log = tmp_path / "emulator.log"

    with running_emulator(store, log) as first:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", first.ca_cert)
        identity = CommunicationIdentityClient.from_connection_string(first.connection_string)
        _, token = identity.create_user_and_token(["chat"])
        chat = ChatClient(first.endpoint, CommunicationTokenCredential(token.token))
        thread_id = chat.create_chat_thread("survives").chat_thread.id
        sent = chat.get_chat_thread_client(thread_id).send_message("still here").id
        first_key = first.connection_string.split(";")[1]

    with running_emulator(store, log) as second:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", second.ca_cert)
        assert second.connection_string.split(";")[1] == first_key
        chat = ChatClient(second.endpoint, CommunicationTokenCredential(token.token))
        assert [t.id for t in chat.list_chat_threads()] == [thread_id]
        messages = texts(chat.get_chat_thread_client(thread_id).list_messages())
        assert [(m.id, m.content.message) for m in messages] == [(sent, "still here")]
