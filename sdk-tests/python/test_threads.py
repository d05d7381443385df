"""Thread operations of azure-communication-chat: create (with idempotency), list with
paging and start_time, get properties, update topic, delete."""

import uuid
from datetime import datetime, timedelta, timezone

from azure.communication.chat import ChatMessageType

from helpers import expect_status, of_type, pages, unique_topic


def test_create_thread_returns_its_properties(make_user, chat_client):
    alice, bob = make_user("Alice"), make_user("Bob")
    before = datetime.now(timezone.utc) - timedelta(seconds=2)

    result = chat_client(alice).create_chat_thread(
        "Lunch", thread_participants=[alice.participant(), bob.participant()]
    )

    assert not result.errors
    thread = result.chat_thread
    assert thread.id.startswith("19:") and thread.id.endswith("@thread.v2")
    assert thread.topic == "Lunch"
    assert thread.created_by.raw_id == alice.raw_id
    assert before <= thread.created_on <= datetime.now(timezone.utc) + timedelta(seconds=2)


def test_creator_is_added_when_not_listed(make_user, chat_client):
    alice = make_user("Alice")
    chat = chat_client(alice)
    thread_id = chat.create_chat_thread("alone").chat_thread.id
    members = list(chat.get_chat_thread_client(thread_id).list_participants())
    assert [m.identifier.raw_id for m in members] == [alice.raw_id]


def test_get_properties_returns_the_decoded_thread_id(make_user, chat_client):
    alice = make_user("Alice")
    chat = chat_client(alice)
    created = chat.create_chat_thread("props").chat_thread

    props = chat.get_chat_thread_client(created.id).get_properties()

    assert props.id == created.id
    assert props.topic == "props"
    assert props.created_by.raw_id == alice.raw_id
    assert props.created_on == created.created_on


def test_update_topic_changes_properties_and_posts_a_system_message(make_user, chat_client):
    alice = make_user("Alice")
    thread = chat_client(alice).get_chat_thread_client(
        chat_client(alice).create_chat_thread("Old topic").chat_thread.id
    )

    thread.update_topic(topic="New topic")

    assert thread.get_properties().topic == "New topic"
    updates = of_type(thread.list_messages(), ChatMessageType.TOPIC_UPDATED)
    assert [m.content.topic for m in updates] == ["New topic", "Old topic"]
    assert updates[0].content.initiator.raw_id == alice.raw_id
    assert int(updates[0].sequence_id) > int(updates[1].sequence_id)


def test_list_chat_threads_pages_through_every_thread(make_user, chat_client):
    alice = make_user("Alice")
    chat = chat_client(alice)
    created = {chat.create_chat_thread(f"thread {n}").chat_thread.id for n in range(5)}

    listed = pages(chat.list_chat_threads(results_per_page=2))

    assert [len(page) for page in listed] == [2, 2, 1]
    ids = [t.id for page in listed for t in page]
    assert len(ids) == len(set(ids))
    assert set(ids) == created


def test_list_chat_threads_shows_only_the_callers_threads(make_user, chat_client):
    alice, bob = make_user("Alice"), make_user("Bob")
    chat_client(bob).create_chat_thread("bob's own")
    mine = chat_client(alice).create_chat_thread("alice's own").chat_thread.id

    assert [t.id for t in chat_client(alice).list_chat_threads()] == [mine]


def test_list_chat_threads_most_recently_active_first(make_user, chat_client):
    alice = make_user("Alice")
    chat = chat_client(alice)
    first = chat.create_chat_thread("first").chat_thread.id
    second = chat.create_chat_thread("second").chat_thread.id
    chat.get_chat_thread_client(first).send_message("bump")

    assert [t.id for t in chat.list_chat_threads()] == [first, second]


def test_list_chat_threads_start_time_filters(make_user, chat_client):
    alice = make_user("Alice")
    chat = chat_client(alice)
    thread_id = chat.create_chat_thread("recent").chat_thread.id

    past = datetime.now(timezone.utc) - timedelta(hours=1)
    future = datetime.now(timezone.utc) + timedelta(hours=1)
    assert [t.id for t in chat.list_chat_threads(start_time=past)] == [thread_id]
    assert list(chat.list_chat_threads(start_time=future)) == []


def test_idempotency_token_creates_the_thread_once(make_user, chat_client):
    alice, bob = make_user("Alice"), make_user("Bob")
    chat = chat_client(alice)
    token = str(uuid.uuid4())
    topic = unique_topic("once")

    first = chat.create_chat_thread(
        topic, thread_participants=[alice.participant(), bob.participant()], idempotency_token=token
    )
    second = chat.create_chat_thread(
        topic, thread_participants=[alice.participant(), bob.participant()], idempotency_token=token
    )

    assert second.chat_thread.id == first.chat_thread.id
    assert [t.id for t in chat.list_chat_threads()] == [first.chat_thread.id]
    assert chat.create_chat_thread(topic).chat_thread.id != first.chat_thread.id


def test_delete_chat_thread(make_user, chat_client):
    alice, bob = make_user("Alice"), make_user("Bob")
    chat = chat_client(alice)
    thread_id = chat.create_chat_thread(
        "doomed", thread_participants=[alice.participant(), bob.participant()]
    ).chat_thread.id

    chat.delete_chat_thread(thread_id)

    expect_status(404, lambda: chat.get_chat_thread_client(thread_id).get_properties())
    expect_status(404, lambda: chat_client(bob).get_chat_thread_client(thread_id).send_message("hi"))
    # Deleting again succeeds, as the service does.
    chat.delete_chat_thread(thread_id)
    # The thread stays in the creator's list, marked deleted.
    listed = [t for t in chat.list_chat_threads() if t.id == thread_id]
    assert len(listed) == 1 and listed[0].deleted_on is not None
