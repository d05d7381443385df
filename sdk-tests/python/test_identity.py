"""Every Identity operation of azure-communication-identity, and what its tokens do at
the Chat API afterwards."""

from datetime import datetime, timedelta, timezone

import pytest
from azure.communication.chat import CommunicationTokenCredential
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError

from helpers import expect_status, parse_time

CLOCK_SLACK = timedelta(minutes=2)


def assert_expires_in(expires_on, lifetime: timedelta) -> None:
    expected = datetime.now(timezone.utc) + lifetime
    actual = parse_time(expires_on)
    assert abs(actual - expected) < CLOCK_SLACK, f"expiry {actual}, expected about {expected}"


def test_create_user_returns_an_acs_identifier(identity_client):
    user = identity_client.create_user()
    assert user.raw_id.startswith("8:acs:")
    assert user.properties["id"] == user.raw_id
    assert identity_client.create_user().raw_id != user.raw_id


def test_create_user_and_token_defaults_to_a_day(identity_client):
    user, token = identity_client.create_user_and_token(["chat"])
    assert user.raw_id.startswith("8:acs:")
    assert token.token.count(".") == 2
    assert_expires_in(token.expires_on, timedelta(hours=24))


def test_create_user_and_token_with_custom_expiry_and_scopes(identity_client, chat_client):
    _, token = identity_client.create_user_and_token(
        ["chat", "voip"], token_expires_in=timedelta(hours=1)
    )
    assert_expires_in(token.expires_on, timedelta(hours=1))
    assert chat_client(token.token).create_chat_thread("chat and voip").chat_thread.topic == "chat and voip"


def test_expiry_outside_one_to_twenty_four_hours_is_rejected(identity_client):
    expect_status(
        400,
        lambda: identity_client.create_user_and_token(["chat"], token_expires_in=timedelta(minutes=30)),
    )
    user = identity_client.create_user()
    expect_status(
        400, lambda: identity_client.get_token(user, ["chat"], token_expires_in=timedelta(hours=25))
    )


def test_token_is_readable_by_the_chat_credential(identity_client):
    """The SDK credential decodes the payload itself (standard base64) to read `exp`."""
    _, token = identity_client.create_user_and_token(["chat"], token_expires_in=timedelta(hours=2))
    credential_token = CommunicationTokenCredential(token.token).get_token()
    assert credential_token.token == token.token
    from_credential = datetime.fromtimestamp(credential_token.expires_on, timezone.utc)
    assert abs(from_credential - parse_time(token.expires_on)) < timedelta(seconds=2)


def test_get_token_issues_a_working_chat_token(identity_client, chat_client):
    user = identity_client.create_user()
    token = identity_client.get_token(user, ["chat"], token_expires_in=timedelta(hours=3))
    assert_expires_in(token.expires_on, timedelta(hours=3))
    assert list(chat_client(token.token).list_chat_threads()) == []


def test_revoke_tokens_makes_old_tokens_fail_with_401(identity_client, chat_client):
    user, token = identity_client.create_user_and_token(["chat"])
    chat = chat_client(token.token)
    chat.create_chat_thread("before revocation")

    identity_client.revoke_tokens(user)

    error = expect_status(401, lambda: chat.list_chat_threads())
    assert isinstance(error, ClientAuthenticationError)
    expect_status(401, lambda: chat.create_chat_thread("after revocation"))

    fresh = identity_client.get_token(user, ["chat"])
    assert [t.topic for t in chat_client(fresh.token).list_chat_threads()] == ["before revocation"]


def test_delete_user_invalidates_its_tokens(identity_client, chat_client):
    user, token = identity_client.create_user_and_token(["chat"])
    chat = chat_client(token.token)
    assert list(chat.list_chat_threads()) == []

    identity_client.delete_user(user)

    expect_status(401, lambda: chat.list_chat_threads())


def test_identity_rejects_a_wrong_access_key(emulator):
    from azure.communication.identity import CommunicationIdentityClient

    wrong_key = "endpoint={};accesskey={}".format(
        emulator.endpoint, "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXktd3Jvbmc="
    )
    client = CommunicationIdentityClient.from_connection_string(
        wrong_key, connection_verify=emulator.ca_cert
    )
    with pytest.raises(HttpResponseError) as caught:
        client.create_user()
    assert caught.value.status_code == 401
