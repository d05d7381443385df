"""The footprint job with the official Python SDKs: create two users and a thread,
send 100 messages, list them all. Reads ACS_CONNECTION_STRING; the emulator's
certificate is trusted through REQUESTS_CA_BUNDLE. Prints the number listed."""

import os
import re
import sys

from azure.communication.chat import ChatClient, ChatParticipant, CommunicationTokenCredential
from azure.communication.identity import CommunicationIdentityClient

MESSAGES = int(os.environ.get("FOOTPRINT_MESSAGES", "100"))


def main() -> int:
    connection_string = os.environ["ACS_CONNECTION_STRING"]
    endpoint = re.search(r"endpoint=([^;]+)", connection_string, re.I).group(1)
    identity = CommunicationIdentityClient.from_connection_string(connection_string)
    alice, alice_token = identity.create_user_and_token(["chat"])
    bob, bob_token = identity.create_user_and_token(["chat"])
    chat = ChatClient(endpoint, CommunicationTokenCredential(alice_token.token))
    created = chat.create_chat_thread(
        "footprint",
        thread_participants=[
            ChatParticipant(identifier=alice, display_name="Alice"),
            ChatParticipant(identifier=bob, display_name="Bob"),
        ],
    )
    thread = chat.get_chat_thread_client(created.chat_thread.id)
    for i in range(1, MESSAGES + 1):
        thread.send_message(f"message {i}", sender_display_name="Alice")
    bob_chat = ChatClient(endpoint, CommunicationTokenCredential(bob_token.token))
    listed = sum(1 for m in bob_chat.get_chat_thread_client(created.chat_thread.id).list_messages(results_per_page=200) if m.type == "text")
    print(f"listed {listed}")
    return 0 if listed == MESSAGES else 1


if __name__ == "__main__":
    sys.exit(main())
