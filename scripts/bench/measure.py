#!/usr/bin/env python3
"""Runs a command and prints `wall_ms max_rss_kib`: the wall time, and the peak
resident set size of the largest process in its tree (getrusage of children, which
includes every descendant that was waited for). Its own memory is not counted."""

import resource
import subprocess
import sys
import time

started = time.monotonic()
code = subprocess.call(sys.argv[1:])
wall_ms = (time.monotonic() - started) * 1000
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{wall_ms:.1f} {peak_kib}")
sys.exit(code)
