"""The seed quickstart, step by step, with the official Python SDKs: Alice and Bob get
tokens, Alice creates a thread with both of them, sends a message carrying the
quickstart's priority and clientMessageId, and Bob polls getMessages until it arrives."""

import time

from azure.communication.chat import ChatMessageType

from helpers import client_message_id, of_type, raw_ids, texts, unique_topic

POLL_DEADLINE_S = 10.0


def test_alice_and_bob_exchange_a_message(make_user, chat_client):
    alice, bob = make_user("Alice"), make_user("Bob")
    alice_chat = chat_client(alice)

    topic = unique_topic("quickstart")
    created = alice_chat.create_chat_thread(
        topic, thread_participants=[alice.participant(), bob.participant()]
    )
    assert not created.errors
    thread_id = created.chat_thread.id
    assert thread_id.startswith("19:") and thread_id.endswith("@thread.v2")
    assert created.chat_thread.topic == topic
    assert created.chat_thread.created_by.raw_id == alice.raw_id

    dedupe_id = client_message_id()
    sent = alice_chat.get_chat_thread_client(thread_id).send_message(
        "Hello Bob",
        sender_display_name="Alice",
        metadata={"clientMessageId": dedupe_id, "priority": "High"},
    )
    assert sent.id

    bob_thread = chat_client(bob).get_chat_thread_client(thread_id)
    received = None
    deadline = time.monotonic() + POLL_DEADLINE_S
    while received is None and time.monotonic() < deadline:
        received = next((m for m in bob_thread.list_messages() if m.id == sent.id), None)
        if received is None:
            time.sleep(0.2)
    assert received is not None, "Bob never saw Alice's message"

    assert received.type == ChatMessageType.TEXT
    assert received.content.message == "Hello Bob"
    assert received.sender_display_name == "Alice"
    assert received.sender.raw_id == alice.raw_id
    assert received.metadata == {"clientMessageId": dedupe_id, "priority": "High"}


def test_bob_sees_the_system_messages_of_thread_creation(make_user, chat_client):
    alice, bob = make_user("Alice"), make_user("Bob")
    topic = unique_topic("quickstart")
    thread_id = chat_client(alice).create_chat_thread(
        topic, thread_participants=[alice.participant(), bob.participant()]
    ).chat_thread.id

    messages = list(chat_client(bob).get_chat_thread_client(thread_id).list_messages())

    assert texts(messages) == []
    added = of_type(messages, ChatMessageType.PARTICIPANT_ADDED)
    assert len(added) == 1
    assert sorted(raw_ids(added[0].content.participants)) == sorted([alice.raw_id, bob.raw_id])
    assert added[0].content.initiator.raw_id == alice.raw_id
    assert added[0].sender is None
    topics = of_type(messages, ChatMessageType.TOPIC_UPDATED)
    assert [m.content.topic for m in topics] == [topic]
    # Newest first: the topic (sequence 2) is listed before the participants (sequence 1).
    assert [m.sequence_id for m in messages] == ["2", "1"]
