"""How the SDKs see the emulator's refusals: 401 for a token it did not issue, 403 for
someone outside the thread, 404 for a thread that does not exist."""

import base64
import json
import time

from azure.core.exceptions import ClientAuthenticationError, ResourceNotFoundError

from helpers import UNKNOWN_THREAD_ID, expect_status


def _segment(value: dict) -> str:
    # Standard base64 without padding: what the Python credential can decode.
    return base64.b64encode(json.dumps(value).encode()).decode().rstrip("=")


def forged_token(skypeid: str = "acs:forged") -> str:
    header = _segment({"alg": "RS256", "kid": "1", "typ": "JWT"})
    payload = _segment({"skypeid": skypeid, "scp": 1792, "exp": int(time.time()) + 3600})
    return f"{header}.{payload}.c2lnbmF0dXJl"


def test_forged_token_is_unauthorized(make_user, chat_client):
    alice = make_user("Alice")
    forged = chat_client(forged_token("acs:" + alice.raw_id.split(":", 2)[2]))
    error = expect_status(401, lambda: forged.list_chat_threads())
    assert isinstance(error, ClientAuthenticationError)
    expect_status(401, lambda: forged.create_chat_thread("nope"))


def test_tampered_token_is_unauthorized(make_user, chat_client):
    alice = make_user("Alice")
    header, payload, signature = alice.token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    tampered = chat_client(f"{header}.{payload}.{flipped}")
    expect_status(401, lambda: tampered.list_chat_threads())


def test_non_participant_is_forbidden(make_user, chat_client):
    alice, mallory = make_user("Alice"), make_user("Mallory")
    thread_id = chat_client(alice).create_chat_thread("private").chat_thread.id
    sent = chat_client(alice).get_chat_thread_client(thread_id).send_message("secret").id

    outsider = chat_client(mallory).get_chat_thread_client(thread_id)
    expect_status(403, lambda: outsider.get_properties())
    expect_status(403, lambda: outsider.list_messages())
    expect_status(403, lambda: outsider.get_message(sent))
    expect_status(403, lambda: outsider.send_message("let me in"))
    expect_status(403, lambda: outsider.list_participants())
    expect_status(403, lambda: outsider.add_participants([mallory.participant()]))
    expect_status(403, lambda: chat_client(mallory).delete_chat_thread(thread_id))


def test_only_the_sender_may_edit_or_delete(make_user, chat_client):
    alice, bob = make_user("Alice"), make_user("Bob")
    thread_id = chat_client(alice).create_chat_thread(
        "mine", thread_participants=[alice.participant(), bob.participant()]
    ).chat_thread.id
    sent = chat_client(alice).get_chat_thread_client(thread_id).send_message("alice's").id

    as_bob = chat_client(bob).get_chat_thread_client(thread_id)
    expect_status(403, lambda: as_bob.update_message(sent, content="bob's now"))
    expect_status(403, lambda: as_bob.delete_message(sent))


def test_unknown_thread_is_not_found(make_user, chat_client):
    alice = make_user("Alice")
    thread = chat_client(alice).get_chat_thread_client(UNKNOWN_THREAD_ID)
    error = expect_status(404, lambda: thread.get_properties())
    assert isinstance(error, ResourceNotFoundError)
    expect_status(404, lambda: thread.list_messages())
    expect_status(404, lambda: thread.send_message("anyone?"))
    expect_status(404, lambda: thread.list_participants())
