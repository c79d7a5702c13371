"""Item-to-item "often bought together": cosine of co-occurrence counts, with a minimum support.

Cosine (co-count / sqrt(count_a * count_b)) rather than raw lift: lift ranks
rare pairs first, which makes a poor top 10; cosine keeps the benefit of
lift (popular items do not win everything) with less noise. A pair seen in
fewer than ``min_support`` baskets is ignored.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Pairing:
    gtin: str
    score: float
    together: int  # baskets holding both
    lift: float


@dataclass
class CoOccurrence:
    min_support: int = 2
    max_neighbours: int = 50
    counts: Counter[str] = field(default_factory=Counter)
    baskets: int = 0
    neighbours: dict[str, list[Pairing]] = field(default_factory=dict)

    def fit(self, baskets: Iterable[list[str]]) -> CoOccurrence:
        pairs: dict[str, Counter[str]] = defaultdict(Counter)
        self.counts = Counter()
        self.baskets = 0
        for items in baskets:
            distinct = list(dict.fromkeys(items))
            self.baskets += 1
            self.counts.update(distinct)
            for a in distinct:
                row = pairs[a]
                for b in distinct:
                    if a != b:
                        row[b] += 1
        self.neighbours = {}
        for a, row in pairs.items():
            scored = []
            for b, together in row.items():
                if together < self.min_support:
                    continue
                cosine = together / math.sqrt(self.counts[a] * self.counts[b])
                lift = together * self.baskets / (self.counts[a] * self.counts[b])
                scored.append(Pairing(b, cosine, together, lift))
            scored.sort(key=lambda p: (-p.score, p.gtin))
            self.neighbours[a] = scored[: self.max_neighbours]
        return self

    def scores(self, context: Iterable[str]) -> dict[str, tuple[float, Pairing]]:
        """Candidates for a basket holding ``context``: summed cosine, with the strongest pairing as the reason."""
        given = set(context)
        result: dict[str, tuple[float, Pairing]] = {}
        for item in given:
            for pairing in self.neighbours.get(item, ()):
                if pairing.gtin in given:
                    continue
                total, best = result.get(pairing.gtin, (0.0, pairing))
                result[pairing.gtin] = (total + pairing.score, best if best.score >= pairing.score else pairing)
        return result

    def top(self, context: Iterable[str], k: int = 10) -> list[str]:
        ranked = sorted(self.scores(context).items(), key=lambda kv: (-kv[1][0], kv[0]))
        return [g for g, _ in ranked[:k]]


@dataclass
class Popularity:
    counts: Counter[str] = field(default_factory=Counter)

    def fit(self, baskets: Iterable[list[str]]) -> Popularity:
        self.counts = Counter()
        for items in baskets:
            self.counts.update(set(items))
        self._order = [g for g, _ in sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))]
        return self

    def ranked(self) -> list[str]:
        return getattr(self, "_order", [])

    def top(self, exclude: Iterable[str] = (), k: int = 10) -> list[str]:
        skip = set(exclude)
        return [g for g in self.ranked() if g not in skip][:k]
