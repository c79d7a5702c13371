"""What power-loss durability costs: SQLite ``synchronous=FULL`` against ``NORMAL``, same run, same disk.

Two measurements, each a ratio FULL/NORMAL of the time per operation:

* hub batches: the hub's real ingest (contract models, dedup, fusion, alert
  rules, one transaction per batch) writing zone-event batches into a database
  opened as the hub opens it (``storage.synchronous``), for a few batch sizes;
* edge outbox appends: ``Outbox(durable=...)`` (the edge's ``durable_outbox``),
  one message per append, as a device that emits readings one at a time, and
  100 per append, as the RFID agent's batches.

The runs alternate NORMAL, FULL, NORMAL, FULL... and each figure is the median
of its rounds, so a noisy neighbour hits both sides alike. The ratio depends
on the disk's fsync: run it on the target (a Pi's SD card) before deciding.

    python bench/durability.py [--rounds 5] [--batches 40] [--appends 300] [--dir /path/on/the/target/disk]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ (the hub tests' reference data)

from comptoir.clock import RealClock
from comptoir.contract import ZoneEvent
from comptoir.link import Outbox
from hub.config import FusionSettings
from hub.ingest import Ingest
from hub.store import open_database
from tests.hub.support import NUTELLA, STORE, epc, write_reference


def hub_batches(directory: Path, synchronous: str, batch: int, batches: int, offset: int) -> float:
    """Seconds per batch of ``batch`` zone events, through Ingest.handle_batch."""
    from hub.catalog import import_planogram, import_products, import_zones

    path = directory / f"hub-{synchronous}-{batch}-{offset}.sqlite"
    db = open_database(path, synchronous=synchronous)  # type: ignore[arg-type]
    refs = write_reference(directory)
    import_products(db, refs["catalog"])
    import_planogram(db, refs["planogram"])
    import_zones(db, refs["zones"])
    ingest = Ingest(db, RealClock(), FusionSettings(), store=STORE)
    seq = 0
    made = []
    for b in range(batches):
        messages = []
        for i in range(batch):
            seq += 1
            messages.append(ZoneEvent.create(device="reader-1", seq=seq, time=datetime.now(UTC), event="arrived",
                                             epc=epc(offset + b * batch + i), gtin=NUTELLA, location="floor-a2"))
        made.append(messages)
    start = time.perf_counter()
    for messages in made:
        ingest.handle_batch(messages)
    elapsed = time.perf_counter() - start
    db.close()
    return elapsed / batches


def outbox_appends(directory: Path, durable: bool, per_append: int, appends: int, tag: int) -> float:
    """Seconds per ``put_many`` of ``per_append`` messages."""
    outbox = Outbox(directory / f"outbox-{durable}-{per_append}-{tag}.sqlite", durable=durable)
    payload = b'{"schema":"comptoir.rfid.zone_event"}' + b" " * 300
    rows = [("comptoir/v1/bench/rfid/reader-1/events", payload, False)] * per_append
    start = time.perf_counter()
    for _ in range(appends):
        outbox.put_many(rows)
    elapsed = time.perf_counter() - start
    outbox.close()
    return elapsed / appends


def compare(name: str, rounds: int, run: Callable[[bool, int], float]) -> tuple[str, float, float, float]:
    normal, full = [], []
    for r in range(rounds):
        normal.append(run(False, r))
        full.append(run(True, r))
    n, f = statistics.median(normal), statistics.median(full)
    return name, n * 1000, f * 1000, f / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batches", type=int, default=40, help="hub batches per round")
    parser.add_argument("--appends", type=int, default=300, help="outbox appends per round")
    parser.add_argument("--dir", type=Path, default=None, help="where the files go (default: a temporary directory)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        directory = Path(tmp)
        rows = []
        for batch in (1, 20, 200):
            rows.append(compare(
                f"hub batch of {batch} events", args.rounds,
                lambda full, r, batch=batch: hub_batches(directory, "FULL" if full else "NORMAL", batch,
                                                         args.batches, 1_000_000 * (r + 1) + 100_000 * full)))
        for per in (1, 100):
            rows.append(compare(
                f"outbox append of {per} message{'s' if per > 1 else ''}", args.rounds,
                lambda full, r, per=per: outbox_appends(directory, full, per, args.appends, r)))
    print(f"{'operation':34} {'NORMAL ms':>10} {'FULL ms':>10} {'FULL/NORMAL':>12}")
    for name, n, f, ratio in rows:
        print(f"{name:34} {n:10.3f} {f:10.3f} {ratio:12.2f}")


if __name__ == "__main__":
    main()
