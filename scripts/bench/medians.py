#!/usr/bin/env python3
"""The median of every figure across the runs that scripts/bench/all.sh wrote.

    scripts/bench/medians.py [bench-results]

Reads each NAME.N.txt in the directory, takes every `name value unit` line (the
figures each benchmark prints before its table) and prints, per benchmark, the
median of each figure over the runs, with the runs' values beside it.
"""

import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path

FIGURE = re.compile(r"^(\S+)\s+(-?[0-9]+(?:\.[0-9]+)?)\s+(\S+)$")
RUN_FILE = re.compile(r"^(?P<bench>[a-z_]+)\.(?P<run>[0-9]+)\.txt$")


def main() -> int:
    directory = Path(sys.argv[1] if len(sys.argv) > 1 else "bench-results")
    if not directory.is_dir():
        print(f"medians: no directory {directory} (run scripts/bench/all.sh first)", file=sys.stderr)
        return 2
    # bench -> figure -> (unit, [values in run order])
    figures: dict[str, dict[str, tuple[str, list[float]]]] = defaultdict(dict)
    runs: dict[str, list[int]] = defaultdict(list)
    for path in sorted(directory.iterdir(), key=lambda p: p.name):
        m = RUN_FILE.match(path.name)
        if not m:
            continue
        bench = m["bench"]
        runs[bench].append(int(m["run"]))
        seen = set()
        for line in path.read_text(errors="replace").splitlines():
            f = FIGURE.match(line.strip())
            # A figure printed twice in one run (the list, then the table) counts once.
            if not f or f[1] in seen:
                continue
            seen.add(f[1])
            unit, values = figures[bench].setdefault(f[1], (f[3], []))
            values.append(float(f[2]))
    if not figures:
        print(f"medians: no figures in {directory}", file=sys.stderr)
        return 1
    for bench in sorted(figures):
        print(f"== {bench} (median of {len(runs[bench])} runs)")
        for name, (unit, values) in figures[bench].items():
            shown = " ".join(f"{v:g}" for v in values)
            print(f"{name} {statistics.median(values):g} {unit}    [{shown}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
