"""Offline evaluation: hide one product of each test basket and see whether it comes back in the top k.

Split: with customers, each customer's last basket (by ``ts``, else file order)
is a test basket and the rest train (a time-respecting hold-out); without
customers, one basket in five (chosen by a hash of its id, so the split is
stable) is a test basket. The recommender scored here is the one the kiosk
runs: co-occurrence with the rest of the basket, the customer's own history
("buy again") when known, popularity to fill. The baseline is popularity alone.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass

from hub.recommend.baskets import Basket
from hub.recommend.cooccurrence import CoOccurrence, Popularity


@dataclass(frozen=True)
class EvalSettings:
    """``k``: list length; ``min_support``: least co-occurrences for a pair; ``personal_weight``: weight of the
    customer's own purchase share against co-occurrence; ``test_every``: one test basket in this many (no customers)."""

    k: int = 10
    min_support: int = 2
    personal_weight: float = 1.0
    test_every: int = 5
    seed: int = 7


def _stable(text: str) -> int:
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16)


def split(baskets: list[Basket], settings: EvalSettings) -> tuple[list[Basket], list[Basket]]:
    if any(b.customer_id for b in baskets):
        last: dict[str, tuple[int, Basket]] = {}
        for order, basket in enumerate(baskets):
            if basket.customer_id:
                key = (basket.ts or "", order)
                current = last.get(basket.customer_id)
                if current is None or key >= (current[1].ts or "", current[0]):
                    last[basket.customer_id] = (order, basket)
        test_ids = {id(b) for _, b in last.values()}
    else:
        test_ids = {id(b) for b in baskets if _stable(b.basket_id) % settings.test_every == 0}
    train = [b for b in baskets if id(b) not in test_ids]
    test = [b for b in baskets if id(b) in test_ids]
    return train, test


def recommend(context: list[str], model: CoOccurrence, popularity: Popularity, history: Counter[str] | None,
              settings: EvalSettings) -> list[str]:
    """The kiosk's ranking for one basket: co-occurrence + own history, popularity to fill."""
    scores: dict[str, float] = {g: s for g, (s, _) in model.scores(context).items()}
    if history:
        total = sum(history.values())
        for gtin, count in history.items():
            if gtin not in context:
                scores[gtin] = scores.get(gtin, 0.0) + settings.personal_weight * count / total
    ranked = [g for g, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))][: settings.k]
    if len(ranked) < settings.k:
        ranked += popularity.top(exclude=[*context, *ranked], k=settings.k - len(ranked))
    return ranked


def _hit(ranked: list[str], hidden: str) -> tuple[float, float]:
    if hidden not in ranked:
        return 0.0, 0.0
    return 1.0, 1.0 / math.log2(ranked.index(hidden) + 2)


def evaluate(baskets: list[Basket], settings: EvalSettings | None = None) -> dict[str, object]:
    settings = settings or EvalSettings()
    train, test = split(baskets, settings)
    model = CoOccurrence(min_support=settings.min_support).fit(b.items for b in train)
    popularity = Popularity().fit(b.items for b in train)
    histories: dict[str, Counter[str]] = defaultdict(Counter)
    for basket in train:
        if basket.customer_id:
            histories[basket.customer_id].update(basket.items)
    totals = {"recommender": [0.0, 0.0], "popularity": [0.0, 0.0]}
    evaluated = 0
    for basket in test:
        if len(basket.items) < 2:
            continue
        rng = random.Random(_stable(basket.basket_id) ^ settings.seed)
        hidden = rng.choice(basket.items)
        context = [g for g in basket.items if g != hidden]
        history = histories.get(basket.customer_id) if basket.customer_id else None
        for name, ranked in (("recommender", recommend(context, model, popularity, history, settings)),
                             ("popularity", popularity.top(exclude=context, k=settings.k))):
            hr, ndcg = _hit(ranked, hidden)
            totals[name][0] += hr
            totals[name][1] += ndcg
        evaluated += 1
    k = settings.k
    result: dict[str, object] = {
        name: {f"hr@{k}": round(hr / evaluated, 4) if evaluated else 0.0,
               f"ndcg@{k}": round(ndcg / evaluated, 4) if evaluated else 0.0}
        for name, (hr, ndcg) in totals.items()
    }
    result["baskets"] = evaluated
    result["train_baskets"] = len(train)
    return result
