"""Message operations of azure-communication-chat: send, get, update, delete, and
list_messages with paging and start_time, as the service behaves (newest first, edits
and deletions re-sequence the message, deleted messages stay as tombstones)."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

from azure.communication.chat import ChatMessageType

from helpers import client_message_id, expect_status, pages, texts


def new_thread(make_user, chat_client):
    alice, bob = make_user("Alice"), make_user("Bob")
    chat = chat_client(alice)
    thread_id = chat.create_chat_thread(
        "messages", thread_participants=[alice.participant(), bob.participant()]
    ).chat_thread.id
    return alice, bob, chat.get_chat_thread_client(thread_id)


def wait_for_next_second() -> datetime:
    """The next whole UTC second, once the clock has passed it: anything done before the
    call is strictly older than the returned instant, even at whole-second precision."""
    now = datetime.now(timezone.utc)
    boundary = now.replace(microsecond=0) + timedelta(seconds=1)
    while datetime.now(timezone.utc) < boundary + timedelta(milliseconds=20):
        time.sleep(0.05)
    return boundary


def test_send_and_get_message(make_user, chat_client):
    alice, _, thread = new_thread(make_user, chat_client)
    dedupe_id = client_message_id()

    sent = thread.send_message(
        "hello", sender_display_name="Alice", metadata={"clientMessageId": dedupe_id}
    )
    message = thread.get_message(sent.id)

    assert message.id == sent.id
    assert message.type == ChatMessageType.TEXT
    assert message.content.message == "hello"
    assert message.sender_display_name == "Alice"
    assert message.sender.raw_id == alice.raw_id
    assert message.metadata == {"clientMessageId": dedupe_id}
    assert message.version == message.id
    assert message.sequence_id == "3"  # after participantAdded (1) and topicUpdated (2)
    assert message.edited_on is None and message.deleted_on is None
    assert abs(message.created_on - datetime.now(timezone.utc)) < timedelta(minutes=1)


def test_send_html_message(make_user, chat_client):
    _, _, thread = new_thread(make_user, chat_client)
    sent = thread.send_message("<b>bold</b>", chat_message_type=ChatMessageType.HTML)
    message = thread.get_message(sent.id)
    assert message.type == ChatMessageType.HTML
    assert message.content.message == "<b>bold</b>"


def test_other_participant_reads_the_message(make_user, chat_client):
    _, bob, thread = new_thread(make_user, chat_client)
    sent = thread.send_message("for bob")
    as_bob = chat_client(bob).get_chat_thread_client(thread.thread_id)
    assert as_bob.get_message(sent.id).content.message == "for bob"


def test_update_message_sets_edited_on_and_a_new_version(make_user, chat_client):
    _, _, thread = new_thread(make_user, chat_client)
    sent = thread.send_message("draft", metadata={"keep": "1", "change": "old"})
    later = thread.send_message("later")
    before = thread.get_message(sent.id)

    thread.update_message(sent.id, content="final", metadata={"change": "new", "added": "2"})

    after = thread.get_message(sent.id)
    assert after.content.message == "final"
    assert after.edited_on is not None
    assert after.version != before.version
    assert after.id == before.id and after.created_on == before.created_on
    assert int(after.sequence_id) > int(thread.get_message(later.id).sequence_id)
    # Metadata is merged: keys sent replace or add, others stay.
    assert after.metadata == {"keep": "1", "change": "new", "added": "2"}
    # The edit moves the message to the top of the newest-first list.
    assert [m.id for m in texts(thread.list_messages())] == [sent.id, later.id]


def test_delete_message_leaves_a_tombstone_in_the_list(make_user, chat_client):
    _, _, thread = new_thread(make_user, chat_client)
    doomed = thread.send_message("oops")
    kept = thread.send_message("kept")

    thread.delete_message(doomed.id)

    listed = texts(thread.list_messages())
    assert [m.id for m in listed] == [doomed.id, kept.id]
    tombstone = listed[0]
    assert tombstone.deleted_on is not None
    assert tombstone.version != tombstone.id
    assert not (tombstone.content and tombstone.content.message)


def test_get_deleted_message_returns_the_tombstone(make_user, chat_client):
    _, _, thread = new_thread(make_user, chat_client)
    doomed = thread.send_message("oops")
    thread.delete_message(doomed.id)
    assert thread.get_message(doomed.id).deleted_on is not None


def test_list_messages_pages_newest_first(make_user, chat_client):
    _, _, thread = new_thread(make_user, chat_client)
    sent = [thread.send_message(f"m{n}").id for n in range(1, 6)]

    listed = pages(thread.list_messages(results_per_page=2))

    # 2 system messages + 5 texts = 7 messages.
    assert [len(page) for page in listed] == [2, 2, 2, 1]
    flat = [m for page in listed for m in page]
    sequence = [int(m.sequence_id) for m in flat]
    assert sequence == sorted(sequence, reverse=True)
    assert [m.id for m in texts(flat)] == list(reversed(sent))
    assert [m.content.message for m in texts(flat)] == ["m5", "m4", "m3", "m2", "m1"]


def test_paging_resumes_from_a_continuation_token(make_user, chat_client):
    _, _, thread = new_thread(make_user, chat_client)
    for n in range(3):
        thread.send_message(f"m{n}")

    first_pager = thread.list_messages(results_per_page=2).by_page()
    first = [m.id for m in next(first_pager)]
    token = first_pager.continuation_token
    assert token, "a first page of 2 out of 5 messages must carry a nextLink"

    resumed = thread.list_messages(results_per_page=2).by_page(continuation_token=token)
    rest = [m.id for page in resumed for m in page]

    everything = [m.id for m in thread.list_messages()]
    assert first + rest == everything


def test_list_messages_default_page_size_is_ten(make_user, chat_client):
    _, _, thread = new_thread(make_user, chat_client)
    for n in range(10):
        thread.send_message(f"m{n}")

    assert [len(page) for page in pages(thread.list_messages())] == [10, 2]


def test_list_messages_start_time_returns_later_changes(make_user, chat_client):
    _, _, thread = new_thread(make_user, chat_client)
    edited = thread.send_message("will be edited")
    deleted = thread.send_message("will be deleted")
    untouched = thread.send_message("untouched")
    since = wait_for_next_second()

    thread.update_message(edited.id, content="edited")
    thread.delete_message(deleted.id)
    fresh = thread.send_message("fresh")

    changed = list(thread.list_messages(start_time=since))
    assert [m.id for m in changed] == [fresh.id, deleted.id, edited.id]
    assert changed[1].deleted_on is not None
    assert changed[2].edited_on is not None and changed[2].content.message == "edited"
    assert untouched.id not in [m.id for m in changed]

    future = datetime.now(timezone.utc) + timedelta(hours=1)
    assert list(thread.list_messages(start_time=future)) == []


def test_concurrent_sends_all_arrive_with_distinct_sequence_ids(make_user, chat_client):
    _, bob, thread = new_thread(make_user, chat_client)
    as_bob = chat_client(bob).get_chat_thread_client(thread.thread_id)
    senders = [thread, as_bob] * 20

    with ThreadPoolExecutor(max_workers=8) as pool:
        sent = list(pool.map(lambda pair: pair[1].send_message(f"c{pair[0]}").id, enumerate(senders)))

    listed = list(thread.list_messages(results_per_page=7))
    assert len(set(sent)) == 40
    assert sorted(m.id for m in texts(listed)) == sorted(sent)
    sequence = [int(m.sequence_id) for m in listed]
    assert sequence == sorted(set(sequence), reverse=True)


def test_unknown_message_is_not_found(make_user, chat_client):
    _, _, thread = new_thread(make_user, chat_client)
    expect_status(404, lambda: thread.get_message("1234567890123"))
