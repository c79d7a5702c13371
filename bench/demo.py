"""The whole shop's score as the simulation runs faster: a busy simulated hour at a baseline speed and at 60x.

Prints every score figure at each speed and its ratio to the baseline run in
this same invocation (the machine is shared: absolute figures vary, the
ratio says what speed costs). ``--minutes`` of simulated time per run.

    .venv/bin/python bench/demo.py --baseline 20 --speed 60 --minutes 60
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulators.demo.run import run_demo
from simulators.demo.shop import DemoOptions
from simulators.score import SCORE_KEYS
from tests.demo.test_scenario import BUSY


def run(speed: float, minutes: int, seed: int) -> tuple[dict, float]:
    with tempfile.TemporaryDirectory() as tmp:
        options = DemoOptions(speed=speed, duration_s=minutes * 60.0, seed=seed, port=0, world=BUSY,
                              workdir=Path(tmp) / "shop")
        began = time.monotonic()
        report = asyncio.run(run_demo(options, say=lambda *_: None))
        assert report is not None
        return report["score"], time.monotonic() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=float, default=20.0)
    parser.add_argument("--speed", type=float, default=60.0)
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    base, base_s = run(args.baseline, args.minutes, args.seed)
    fast, fast_s = run(args.speed, args.minutes, args.seed)
    print(f"{'figure':22} {'x' + format(args.baseline, 'g'):>10} {'x' + format(args.speed, 'g'):>10} {'ratio':>8}")
    for key in SCORE_KEYS:
        a, b = base[key], fast[key]
        ratio = f"{b / a:.2f}" if isinstance(a, int | float) and isinstance(b, int | float) and a else "-"
        print(f"{key:22} {a!s:>10} {b!s:>10} {ratio:>8}")
    print(f"{'wall seconds':22} {base_s:10.0f} {fast_s:10.0f} {fast_s / base_s:8.2f}")


if __name__ == "__main__":
    main()
