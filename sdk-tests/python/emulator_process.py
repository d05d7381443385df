"""Starting and stopping `acs-chat serve` for the tests: a free loopback port, a given
data directory, and the two lines it announces itself with on stdout."""

from __future__ import annotations

import contextlib
import os
import queue
import ssl
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from typing import Iterator

from helpers import Emulator

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


@contextlib.contextmanager
def running_emulator(store: Path, log_path: Path) -> Iterator[Emulator]:
    """Runs the emulator on `store` until the block ends; on a failed start, shows its log."""
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [str(emulator_binary()), "serve", "--port", "0", "--data-dir", str(store)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        lines: "queue.Queue[str | None]" = queue.Queue()
        threading.Thread(target=_pump_stdout, args=(proc.stdout, lines), daemon=True).start()
        try:
            try:
                announced = _read_announcement(proc, lines)
                endpoint = endpoint_of(announced["ACS_CONNECTION_STRING"])
                _wait_healthy(endpoint, announced["ACS_CA_CERT"])
            except BaseException:
                log.flush()
                print("---- emulator stderr ----")
                print(log_path.read_text(errors="replace")[-4000:])
                raise
            yield Emulator(
                connection_string=announced["ACS_CONNECTION_STRING"],
                endpoint=endpoint,
                ca_cert=announced["ACS_CA_CERT"],
            )
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
