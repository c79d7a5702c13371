"""The kiosk: answer latency on a 5,000-SKU catalog, recommendation latency, hub memory with the assistant.

Each figure comes with a baseline measured in the same run:

* answer: ``Assistant.ask`` on questions from tests/kiosk/conversations.yaml (spelling varied so the
  embedding cache never helps: every question pays for its embedding). Baseline: the hub's plain product
  search (the SQL ``LIKE`` of ``GET /api/kiosk/products``) for the same words.
* recommendation: ``Recommender.for_product`` (co-occurrence, on-shelf filter, facts). Baseline: the
  popularity list alone.
* memory: resident set size of a real ``comptoir hub`` process on the 5,000-SKU database, before and
  after its first ``POST /api/kiosk/ask`` (which loads the model and the catalog index).

The catalog is the demo catalog spread into variants (sizes, ranges) up to ``--skus`` products; its
embeddings are computed once and kept in ``--cache`` (a one-off cost, reported separately).

    python bench/kiosk.py [--skus 5000] [--questions 300] [--cache /tmp/comptoir-kiosk-bench.db]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psutil
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from comptoir.catalog_csv import OPTIONAL_COLUMNS
from comptoir.contract.fields import gtin_check_digit
from hub import catalog
from hub.assistant.assistant import Assistant
from hub.config import FusionSettings
from hub.inventory.facts import StockReader
from hub.inventory.fusion import Fusion
from hub.store import open_database
from simulators.world.catalog import COLUMNS, default_catalog_path
from tests.kiosk.shop import write_receipts
from tests.kiosk.world_baskets import world_receipts

VARIANTS = ["", "bio", "format familial", "lot de 2", "sans sucre", "allégé", "premium", "éco", "mini", "maxi",
            "nature", "classique", "extra", "saveur intense", "édition limitée", "recharge", "origine France"]
NOW = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)


def big_catalog(path: Path, skus: int) -> None:
    """The demo catalog, each product repeated in variants (new GTINs) until ``skus`` rows."""
    with open(default_catalog_path(), encoding="utf-8") as handle:
        base = list(csv.DictReader(handle))
    rows = []
    for variant in VARIANTS:
        for row in base:
            if len(rows) >= skus:
                break
            new = dict(row)
            if variant:
                body = f"37{len(rows):010d}"
                new["gtin"] = body + str(gtin_check_digit(body))
                new["name"] = f"{row['name']} {variant}"
            rows.append(new)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*COLUMNS, *OPTIONAL_COLUMNS])
        writer.writeheader()
        writer.writerows(rows)


def build(cache: Path, skus: int) -> float:
    """The database (catalog, three units on each shelf, a day of receipts, embeddings); seconds spent embedding."""
    if cache.exists():
        db = open_database(cache)
        if db.execute("SELECT COUNT(*) FROM product_vectors").fetchone()[0] >= skus:
            db.close()
            return 0.0
        db.close()
        cache.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "catalog.csv"
        big_catalog(csv_path, skus)
        db = open_database(cache)
        catalog.import_products(db, csv_path)
    t = NOW.timestamp()
    gtins = [g for (g,) in db.execute("SELECT gtin FROM products")]
    rows = [(f"30{i:022X}", g, str(n), "floor", "floor-a1", t - 600, t - 600, 0)
            for i, (g, n) in enumerate((g, n) for g in gtins for n in range(3))]
    with db.conn:
        db.conn.executemany("INSERT INTO items (epc, gtin, serial, state, zone, since, last_seen, paid) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    write_receipts(db, world_receipts(hours=24), NOW)
    assistant = Assistant(db, StockReader(db, Fusion(db, FusionSettings())), clock_now=lambda: NOW)
    from rich.progress import Progress

    started = time.perf_counter()
    with Progress(transient=True) as progress:
        task = progress.add_task(f"embedding {skus} products (once)", total=None)
        assistant.ensure_index(lambda done, total: progress.update(task, completed=done, total=total))
    spent = time.perf_counter() - started
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return spent


def questions(count: int, seed: int = 3) -> list[str]:
    """The conversation cases and the development question set (kinds, properties, disclosure, everyday words)."""
    root = Path(__file__).resolve().parents[1] / "tests/kiosk"
    cases = yaml.safe_load((root / "conversations.yaml").read_text())
    texts = [c["text"] for c in cases if c.get("text", "").strip() and len(c["text"]) < 200]
    texts += [json.loads(line)["text"] for line in (root / "questions/dev.jsonl").read_text().splitlines() if line]
    rng = random.Random(seed)
    out = []
    for i in range(count):
        text = texts[i % len(texts)]
        if i >= len(texts):  # a typo, so the text (and its embedding) is new
            k = rng.randrange(len(text))
            text = text[:k] + text[k + 1:]
        out.append(text)
    return out


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(0.95 * (len(ordered) - 1))] * 1000


def bench_answers(cache: Path, count: int) -> dict[str, float]:
    db = open_database(cache)
    assistant = Assistant(db, StockReader(db, Fusion(db, FusionSettings())), clock_now=lambda: NOW)
    assistant.ensure_index()
    texts = questions(count)
    assistant.ask("bonjour")
    answer, baseline = [], []
    for text in texts:
        assistant.embedder._cache.clear()  # every question pays for its embedding
        started = time.perf_counter()
        assistant.ask(text)
        answer.append(time.perf_counter() - started)
        words = [w for w in text.split() if len(w) > 3][:3] or [text[:10]]
        started = time.perf_counter()
        where = " AND ".join(["(name LIKE ? OR brand LIKE ? OR category LIKE ?)"] * len(words))
        list(db.query(f"SELECT gtin, name, price_cents, aisle, shelf FROM products WHERE {where} LIMIT 10",
                      [f"%{w}%" for w in words for _ in range(3)]))
        baseline.append(time.perf_counter() - started)
    gtins = [g for (g,) in db.execute("SELECT gtin FROM products ORDER BY gtin LIMIT 400")]
    assistant.recommender.refresh(force=True)
    recommend, popular = [], []
    for gtin in gtins:
        started = time.perf_counter()
        assistant.recommender.for_product(gtin, NOW.timestamp(), k=5)
        recommend.append(time.perf_counter() - started)
        started = time.perf_counter()
        assistant.recommender.popularity.top(exclude=[gtin], k=5)
        popular.append(time.perf_counter() - started)
    db.close()
    a50, a95 = percentiles(answer)
    b50, b95 = percentiles(baseline)
    r50, r95 = percentiles(recommend)
    p50, p95 = percentiles(popular)
    return {"answer_p50": a50, "answer_p95": a95, "like_p50": b50, "like_p95": b95,
            "rec_p50": r50, "rec_p95": r95, "pop_p50": p50, "pop_p95": p95, "questions": len(texts)}


def bench_memory(cache: Path) -> tuple[float, float]:
    from tests.conftest import make_broker
    from tests.hub.support import HubProcess

    with tempfile.TemporaryDirectory() as tmp:
        broker = make_broker(Path(tmp) / "broker")
        broker.start()
        hub = HubProcess(Path(tmp) / "hub", broker.url)
        try:
            hub.write_config()
            import shutil

            shutil.copy(cache, hub.db_path)
            hub.start()
            process = psutil.Process(hub.proc.pid)  # type: ignore[union-attr]
            httpx.get(f"{hub.url}/api/kiosk/products", params={"q": "farine"}, timeout=30).raise_for_status()
            before = process.memory_info().rss / 2**20
            httpx.post(f"{hub.url}/api/kiosk/ask", json={"text": "où est la farine ?"}, timeout=120).raise_for_status()
            after = process.memory_info().rss / 2**20
        finally:
            hub.stop()
            broker.stop()
    return before, after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skus", type=int, default=5000)
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "comptoir-kiosk-bench.db")
    args = parser.parse_args()
    spent = build(args.cache, args.skus)
    if spent:
        print(f"catalog index: {args.skus} products embedded in {spent:.0f} s (once; kept in the database)")
    load = os.getloadavg()[0]
    r = bench_answers(args.cache, args.questions)
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.1f} -> {os.getloadavg()[0]:.1f} during the run")
    print(f"answer ({r['questions']:.0f} questions, {args.skus} SKUs, embedding included, cache off): "
          f"p50 {r['answer_p50']:.1f} ms, p95 {r['answer_p95']:.1f} ms (goal p95 <= 100 ms)")
    print(f"  baseline SQL LIKE search: p50 {r['like_p50']:.2f} ms, p95 {r['like_p95']:.2f} ms; "
          f"ratio p95 {r['answer_p95'] / max(r['like_p95'], 1e-6):.0f}x")
    print(f"recommendation: p50 {r['rec_p50']:.2f} ms, p95 {r['rec_p95']:.2f} ms (goal p95 <= 20 ms)")
    ratio = r["rec_p95"] / max(r["pop_p95"], 1e-6)
    print(f"  baseline popularity list: p95 {r['pop_p95']:.3f} ms; ratio p95 {ratio:.0f}x")
    before, after = bench_memory(args.cache)
    print(f"hub memory (RSS): {before:.0f} MiB before the first question, {after:.0f} MiB with the assistant loaded "
          f"(ratio {after / before:.2f}x, +{after - before:.0f} MiB)")


if __name__ == "__main__":
    main()
