"""Participant operations of azure-communication-chat: list (with results_per_page and
skip), add (with the participantAdded system message), remove (participantRemoved, and
the removed user loses access)."""

import uuid

from azure.communication.chat import ChatMessageType, ChatParticipant, CommunicationUserIdentifier

from helpers import expect_status, of_type, pages, raw_ids


def thread_of(make_user, chat_client, *names):
    users = [make_user(name) for name in names]
    owner = users[0]
    thread_id = chat_client(owner).create_chat_thread(
        "participants", thread_participants=[u.participant() for u in users]
    ).chat_thread.id
    return users, chat_client(owner).get_chat_thread_client(thread_id)


def test_list_participants_returns_names_and_ids(make_user, chat_client):
    users, thread = thread_of(make_user, chat_client, "Alice", "Bob", "Carol")
    listed = list(thread.list_participants())
    assert sorted((p.identifier.raw_id, p.display_name) for p in listed) == sorted(
        (u.raw_id, u.display_name) for u in users
    )
    assert all(p.share_history_time is not None for p in listed)


def test_list_participants_pages_and_skips(make_user, chat_client):
    users, thread = thread_of(make_user, chat_client, "Alice", "Bob", "Carol")
    everyone = sorted(u.raw_id for u in users)

    paged = pages(thread.list_participants(results_per_page=2))
    assert [len(page) for page in paged] == [2, 1]
    assert sorted(raw_ids(p for page in paged for p in page)) == everyone

    skipped = list(thread.list_participants(skip=1))
    assert len(skipped) == 2
    assert set(raw_ids(skipped)) < set(everyone)

    one_after_skip = pages(thread.list_participants(results_per_page=1, skip=2))
    assert [len(page) for page in one_after_skip] == [1]


def test_add_participants_posts_a_system_message(make_user, chat_client):
    (alice, bob), thread = thread_of(make_user, chat_client, "Alice", "Bob")
    dave = make_user("Dave")

    failures = thread.add_participants([dave.participant()])

    assert failures == []
    assert sorted(raw_ids(thread.list_participants())) == sorted([alice.raw_id, bob.raw_id, dave.raw_id])
    added = of_type(thread.list_messages(), ChatMessageType.PARTICIPANT_ADDED)
    assert len(added) == 2  # thread creation, then this add
    newest = added[0]
    assert raw_ids(newest.content.participants) == [dave.raw_id]
    assert newest.content.participants[0].display_name == "Dave"
    assert newest.content.initiator.raw_id == alice.raw_id
    # Dave can now read the thread.
    chat_client(dave).get_chat_thread_client(thread.thread_id).get_properties()


def test_adding_existing_participants_changes_nothing(make_user, chat_client):
    (alice, bob), thread = thread_of(make_user, chat_client, "Alice", "Bob")
    assert thread.add_participants([alice.participant(), bob.participant()]) == []
    assert len(list(thread.list_participants())) == 2


def test_adding_an_unknown_user_reports_it(make_user, chat_client):
    (alice,), thread = thread_of(make_user, chat_client, "Alice")
    resource_part = alice.raw_id.rsplit("_", 1)[0]
    stranger = CommunicationUserIdentifier(f"{resource_part}_{uuid.uuid4()}")

    failures = thread.add_participants([ChatParticipant(identifier=stranger, display_name="Nobody")])

    assert len(failures) == 1
    participant, error = failures[0]
    assert participant.identifier.raw_id == stranger.raw_id
    assert error.target == stranger.raw_id
    assert raw_ids(thread.list_participants()) == [alice.raw_id]


def test_remove_participant(make_user, chat_client):
    (alice, bob, carol), thread = thread_of(make_user, chat_client, "Alice", "Bob", "Carol")

    thread.remove_participant(carol.identifier)

    assert sorted(raw_ids(thread.list_participants())) == sorted([alice.raw_id, bob.raw_id])
    removed = of_type(thread.list_messages(), ChatMessageType.PARTICIPANT_REMOVED)
    assert len(removed) == 1
    assert raw_ids(removed[0].content.participants) == [carol.raw_id]
    assert removed[0].content.initiator.raw_id == alice.raw_id
    as_carol = chat_client(carol).get_chat_thread_client(thread.thread_id)
    expect_status(403, lambda: as_carol.get_properties())
    expect_status(403, lambda: as_carol.send_message("let me back in"))


def test_participant_can_leave(make_user, chat_client):
    (_, bob), thread = thread_of(make_user, chat_client, "Alice", "Bob")
    as_bob = chat_client(bob).get_chat_thread_client(thread.thread_id)
    as_bob.remove_participant(bob.identifier)
    assert raw_ids(thread.list_participants()) == [thread.get_properties().created_by.raw_id]
