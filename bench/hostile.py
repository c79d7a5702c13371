"""The hostile-input suite at a larger size, tabulated.

Runs ``tests/hostile`` (each part: hostile payloads, frames, lines, bodies or
injected faults against the real processes) with ``COMPTOIR_HOSTILE_SCALE``
set, collects the one ``HOSTILE part=... tried=... lost=0`` line each part
prints, and prints them as a table. CI runs the same parts at scale 1.

    python bench/hostile.py [--scale 10] [-k PART]

Exit status: pytest's (non-zero when any part failed). The figures go into
docs/reliability.md.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINE = re.compile(r"HOSTILE (part=.*)$", re.MULTILINE)  # pytest's progress dots may precede it


def parse(line: str) -> dict[str, str]:
    """``part=x tried=3 lost=0`` -> ``{"part": "x", "tried": "3", "lost": "0"}``."""
    return dict(pair.split("=", 1) for pair in line.split() if "=" in pair)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10, help="multiplies every part's inputs (CI: 1)")
    parser.add_argument("-k", dest="keyword", help="run only the parts matching this pytest -k expression")
    args = parser.parse_args()
    env = {**os.environ, "COMPTOIR_HOSTILE_SCALE": str(args.scale)}
    command = [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", "tests/hostile"]
    if args.keyword:
        command += ["-k", args.keyword]
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    rows = [parse(m) for m in LINE.findall(done.stdout)]
    keys = ["part", "tried", "rejected", "accepted", "alive", "lost"]
    table = [[row.get(k, "") for k in keys] + [" ".join(f"{k}={v}" for k, v in row.items() if k not in keys)]
             for row in rows]
    header = [*keys, "other"]
    widths = [max(len(h), *(len(r[i]) for r in table)) if table else len(h) for i, h in enumerate(header)]
    print(f"hostile suite at scale {args.scale}: {len(rows)} lines in {elapsed:.0f} s")
    for line in [header, *table]:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())
    summary = [line for line in done.stdout.splitlines() if " passed" in line or " failed" in line]
    print(summary[-1] if summary else done.stdout[-2000:])
    if done.returncode:
        print(done.stdout[-4000:], done.stderr[-2000:], sep="\n")
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main())
