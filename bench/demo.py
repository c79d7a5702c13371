"""The whole shop's score as the simulation runs faster: a busy simulated hour at a baseline speed and at 60x.

Prints every score figure at each speed and its ratio to the baseline run in
this same invocation (the machine is shared: absolute figures vary, the
ratio says what speed costs). ``--minutes`` of simulated time per run.

    .venv/bin/python bench/demo.py --baseline 20 --speed 60 --minutes 60

``--gate`` instead measures the exit gate alone, with no process and no
clock in the way: the busy world's walks through the gate, read by the
gate's simulated radio, merged per report as the LLRP simulator merges them
(one observation per tag and antenna: first/last seen, peak RSSI) and
judged by the gate detector, at the old cadence (500 ms rounds, a report a
second) and the demo's (100 ms rounds, a report every half second). It
prints the share of exits judged "out" and of thefts caught, and the ratio.

    .venv/bin/python bench/demo.py --gate --minutes 180
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


def gate_only(minutes: int, seed: int, round_ms: int, report_ms: int) -> tuple[float, float, int]:
    """Share of exits judged "out", share of thefts caught, and exits, over ``minutes`` of the busy world."""
    from datetime import timedelta

    from edge.rfid.gate import INSIDE, OUTSIDE, GateDetector, GateParams
    from simulators.llrp.radio import RadioParams, WorldRadio
    from simulators.score import Truth
    from simulators.world import World, default_antennas

    world = World(seed=seed, params=BUSY)
    antennas = [a for a in default_antennas() if a.zone == "exit"]
    radio = WorldRadio(world, antennas, RadioParams(0.8, 0.0), seed=seed + 1)
    inside = min(a.port for a in antennas)
    truth = Truth(world)
    gate = GateDetector("gate-exit", GateParams(quiet_s=10.0, max_visit_s=60.0))  # the demo's parameters
    outs: set[str] = set()
    t, end = world.now, world.now + timedelta(minutes=minutes)
    while t < end:
        merged: dict[tuple[bytes, int], list[float]] = {}  # per tag and antenna: last seen, peak RSSI
        for _ in range(max(1, report_ms // round_ms)):
            t_next = t + timedelta(milliseconds=round_ms)
            for r in radio.observe(radio.ports, t, t_next):
                have = merged.setdefault((r.epc, r.antenna), [0.0, -200.0])
                have[0], have[1] = max(have[0], r.last_seen_us / 1e6), max(have[1], r.peak_rssi)
            t = t_next
        for (epc, antenna), (when, rssi) in sorted(merged.items(), key=lambda kv: kv[1][0]):
            p = gate.observe(epc.hex().upper(), INSIDE if antenna == inside else OUTSIDE, rssi, when)
            if p is not None and p.direction == "out":
                outs.add(p.epc)
        outs.update(p.epc for p in gate.sweep(t.timestamp()) if p.direction == "out")
    settled = [e for e in truth.exits if e.time <= end - timedelta(seconds=30)]  # walks the gate has judged
    stolen = [e for e in settled if e.stolen]
    caught = sum(e.epc in outs for e in stolen) / max(1, len(stolen))
    return sum(e.epc in outs for e in settled) / len(settled), caught, len(settled)


def main_gate(minutes: int, seed: int) -> None:
    old = gate_only(minutes, seed, 500, 1000)
    new = gate_only(minutes, seed, 100, 500)
    print(f"exit gate alone, {old[2]} exits in {minutes} simulated minutes (seed {seed})")
    print(f"{'figure':22} {'500/1000 ms':>12} {'100/500 ms':>12} {'ratio':>8}")
    for name, a, b in (("exits judged out", old[0], new[0]), ("thefts caught", old[1], new[1])):
        print(f"{name:22} {a:12.3f} {b:12.3f} {b / a if a else float('nan'):8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=float, default=20.0)
    parser.add_argument("--speed", type=float, default=60.0)
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--gate", action="store_true", help="measure the exit gate alone (no processes, no clock)")
    args = parser.parse_args()
    if args.gate:
        main_gate(args.minutes, args.seed)
        return
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
