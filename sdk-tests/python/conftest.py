"""Fixtures that run the official Azure Communication Services Python SDKs against
`acs-chat serve`.

One emulator is started per test session, on a free loopback port and a fresh data
directory. It announces itself on stdout with two lines:

    ACS_CONNECTION_STRING=endpoint=https://127.0.0.1:PORT/;accesskey=KEY
    ACS_CA_CERT=DIR/cert.pem

The SDK clients are then built exactly as an application would build them. The
emulator's self-signed certificate is trusted through `REQUESTS_CA_BUNDLE`, set for the
whole session: the per-client `connection_verify=` option is not inherited by the
ChatThreadClient that `ChatClient.get_chat_thread_client` returns, so an application
using it would have to repeat it on every call (test_tls.py covers that route too).
"""

from __future__ import annotations

import os
import queue
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Callable, Iterator

import pytest
from azure.communication.chat import ChatClient, CommunicationTokenCredential
from azure.communication.identity import CommunicationIdentityClient

from helpers import Emulator, User

REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 60.0


def emulator_binary() -> Path:
    configured = os.environ.get("ACS_CHAT_BIN")
    path = Path(configured) if configured else REPO_ROOT / "target" / "debug" / "acs-chat"
    if not path.is_absolute():
        path = (Path.cwd() / path).resolve()
    if not path.is_file():
        raise RuntimeError(
            f"acs-chat binary not found at {path}; build it with `cargo build` "
            "or point ACS_CHAT_BIN at it"
        )
    return path


def endpoint_of(connection_string: str) -> str:
    """The `endpoint=` part of a connection string (keys are case-insensitive)."""
    for part in connection_string.split(";"):
        key, sep, value = part.partition("=")
        if sep and key.strip().lower() == "endpoint":
            return value.strip()
    raise RuntimeError(f"no endpoint in connection string {connection_string!r}")


def _pump_stdout(stream, lines: "queue.Queue[str | None]") -> None:
    """Forward the emulator's stdout line by line, so its pipe never fills up."""
    for line in stream:
        lines.put(line.rstrip("\r\n"))
    lines.put(None)


def _read_announcement(proc: subprocess.Popen, lines: "queue.Queue[str | None]") -> dict:
    wanted = {"ACS_CONNECTION_STRING", "ACS_CA_CERT"}
    found: dict = {}
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not wanted <= found.keys():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise RuntimeError(f"emulator did not announce itself within {STARTUP_TIMEOUT_S}s")
        try:
            line = lines.get(timeout=remaining)
        except queue.Empty:
            continue
        if line is None:
            raise RuntimeError(f"emulator exited before announcing itself (code {proc.wait()})")
        key, sep, value = line.partition("=")
        if sep and key in wanted:
            found[key] = value
    return found


def _wait_healthy(endpoint: str, ca_cert: str) -> None:
    context = ssl.create_default_context(cafile=ca_cert)
    url = endpoint.rstrip("/") + "/emulator/health"
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, context=context, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError as error:  # URLError is an OSError
            last_error = error
        time.sleep(0.1)
    raise RuntimeError(f"emulator at {url} never became healthy: {last_error}")


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    binary = emulator_binary()
    previous_bundle = os.environ.get("REQUESTS_CA_BUNDLE")
    with tempfile.TemporaryDirectory(prefix="acs-chat-sdk-py-") as data_dir:
        log_path = Path(data_dir) / "emulator.log"
        store = Path(data_dir) / "data"
        store.mkdir()
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                [str(binary), "serve", "--port", "0", "--data-dir", str(store)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
            lines: "queue.Queue[str | None]" = queue.Queue()
            threading.Thread(target=_pump_stdout, args=(proc.stdout, lines), daemon=True).start()
            try:
                announced = _read_announcement(proc, lines)
                endpoint = endpoint_of(announced["ACS_CONNECTION_STRING"])
                _wait_healthy(endpoint, announced["ACS_CA_CERT"])
                os.environ["REQUESTS_CA_BUNDLE"] = announced["ACS_CA_CERT"]
                yield Emulator(
                    connection_string=announced["ACS_CONNECTION_STRING"],
                    endpoint=endpoint,
                    ca_cert=announced["ACS_CA_CERT"],
                )
            except BaseException:
                log.flush()
                print("---- emulator stderr ----")
                print(log_path.read_text(errors="replace")[-4000:])
                raise
            finally:
                if previous_bundle is None:
                    os.environ.pop("REQUESTS_CA_BUNDLE", None)
                else:
                    os.environ["REQUESTS_CA_BUNDLE"] = previous_bundle
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


@pytest.fixture(scope="session")
def identity_client(emulator: Emulator) -> CommunicationIdentityClient:
    return CommunicationIdentityClient.from_connection_string(emulator.connection_string)


@pytest.fixture
def make_user(identity_client: CommunicationIdentityClient) -> Callable[[str], User]:
    """Creates a fresh identity with a chat token, as the quickstart's server side does."""

    def make(display_name: str) -> User:
        identifier, token = identity_client.create_user_and_token(["chat"])
        return User(identifier=identifier, token=token.token, display_name=display_name)

    return make


@pytest.fixture
def chat_client(emulator: Emulator) -> Callable[[User | str], ChatClient]:
    """Builds a ChatClient for a user (or a raw token string)."""

    def make(user: User | str) -> ChatClient:
        token = user if isinstance(user, str) else user.token
        return ChatClient(emulator.endpoint, CommunicationTokenCredential(token))

    return make
