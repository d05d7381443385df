"""Typing notifications and read receipts of azure-communication-chat."""

from helpers import pages


def two_person_thread(make_user, chat_client):
    alice, bob = make_user("Alice"), make_user("Bob")
    thread_id = chat_client(alice).create_chat_thread(
        "receipts", thread_participants=[alice.participant(), bob.participant()]
    ).chat_thread.id
    return (
        (alice, chat_client(alice).get_chat_thread_client(thread_id)),
        (bob, chat_client(bob).get_chat_thread_client(thread_id)),
    )


def test_send_typing_notification(make_user, chat_client):
    (_, as_alice), (_, as_bob) = two_person_thread(make_user, chat_client)
    assert as_alice.send_typing_notification() is None
    assert as_bob.send_typing_notification(sender_display_name="Bob") is None


def test_read_receipts_keep_the_latest_per_reader(make_user, chat_client):
    (alice, as_alice), (bob, as_bob) = two_person_thread(make_user, chat_client)
    first = as_alice.send_message("first").id
    second = as_alice.send_message("second").id

    as_bob.send_read_receipt(first)
    receipts = list(as_alice.list_read_receipts())
    assert [(r.sender.raw_id, r.chat_message_id) for r in receipts] == [(bob.raw_id, first)]
    assert receipts[0].read_on is not None

    as_bob.send_read_receipt(second)
    as_alice.send_read_receipt(second)
    receipts = list(as_bob.list_read_receipts())
    assert sorted((r.sender.raw_id, r.chat_message_id) for r in receipts) == sorted(
        [(bob.raw_id, second), (alice.raw_id, second)]
    )

    assert [len(page) for page in pages(as_alice.list_read_receipts(results_per_page=1))] == [1, 1]
    assert len(list(as_alice.list_read_receipts(skip=1))) == 1

