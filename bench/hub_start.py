"""How long a test's hub process takes to set up: ``HubProcess.prepare()`` (the reference catalog, planogram,
zones and a staff account in a new database) and ``HubProcess.start()`` (``comptoir hub`` until its API answers
and its MQTT link is up), against the same preparation through the CLI commands as processes (the baseline,
``prepare_by_cli()``: what every hub fixture did before), measured in the same run, the two alternating.

    python bench/hub_start.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ (the hub tests' HubProcess, the broker)

from tests.conftest import make_broker
from tests.hub.support import HubProcess


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    times: dict[str, dict[str, list[float]]] = {"cli": {"prepare": [], "start": []},
                                                "in process": {"prepare": [], "start": []}}
    with tempfile.TemporaryDirectory() as tmp:
        broker = make_broker(Path(tmp) / "broker")
        broker.start()
        try:
            HubProcess(Path(tmp) / "warm-up", broker.url).prepare()  # the hub's modules, imported once here
            for n in range(args.rounds):
                for mode in times:
                    hub = HubProcess(Path(tmp) / f"{mode}-{n}".replace(" ", "-"), broker.url)
                    began = time.perf_counter()
                    hub.prepare_by_cli() if mode == "cli" else hub.prepare()
                    prepared = time.perf_counter()
                    hub.start()
                    times[mode]["prepare"].append(prepared - began)
                    times[mode]["start"].append(time.perf_counter() - prepared)
                    hub.stop()
        finally:
            broker.stop()
    totals = {mode: [a + b for a, b in zip(parts["prepare"], parts["start"], strict=True)]
              for mode, parts in times.items()}
    base = statistics.median(totals["cli"])
    print(f"{args.rounds} rounds, {broker.kind} broker (medians, min-max)")
    for mode, parts in times.items():
        said = "  ".join(f"{part} {statistics.median(v):5.2f} s ({min(v):.2f}-{max(v):.2f})"
                         for part, v in parts.items())
        label = "prepare by CLI (baseline)" if mode == "cli" else "prepare in process"
        total = statistics.median(totals[mode])
        print(f"  {label:<26} {said}  total {total:5.2f} s  ratio {total / base:.2f}")

if __name__ == "__main__":
    main()
