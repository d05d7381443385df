#!/usr/bin/env python3
"""Runs a command and prints `wall_ms max_rss_kib`: the wall time, and the peak
resident set size of the largest process in its tree.

The peak comes from GNU time (`/usr/bin/time -f %M`), which starts the command from
its own small process. Reading it here with getrusage(RUSAGE_CHILDREN) would not do:
a child forked from this Python process starts with Python's memory mapped, and the
kernel keeps that high-water mark through the exec, so every command would measure
at least this interpreter's own ~14 MiB."""

import os
import subprocess
import sys
import tempfile
import time

GNU_TIME = "/usr/bin/time"

if not os.access(GNU_TIME, os.X_OK):
    sys.exit("measure: GNU time is needed at /usr/bin/time (Debian package 'time')")

with tempfile.NamedTemporaryFile(mode="r", suffix=".rss") as out:
    started = time.monotonic()
    code = subprocess.call([GNU_TIME, "-f", "%M", "-o", out.name, *sys.argv[1:]])
    wall_ms = (time.monotonic() - started) * 1000
    # On failure GNU time writes a line about the exit status before the figure.
    lines = [line for line in out.read().splitlines() if line.strip()]
peak_kib = int(lines[-1]) if lines and lines[-1].strip().isdigit() else 0
print(f"{wall_ms:.1f} {peak_kib}")
sys.exit(code)
