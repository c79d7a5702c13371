"""Answers that list several products: a kind asked for ("fromage ?", "dog food"), or a property asked for
("gluten-free pasta?").

``kind_scope`` finds the kind a question names and, when the question says
more ("fromage râpé", "milk chocolate"), the members that match the rest. The
listing sentences then say each product once, grouped by place, with its
price and shelf count; a property is stated only for the products whose
catalog row states it (attributes.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np

from hub.assistant import phrasing
from hub.assistant.kinds import Kind, KindIndex
from hub.assistant.matching import ProductIndex, _numeric
from hub.assistant.text import tokens
from hub.inventory.facts import ProductFacts

#: Most products one answer lists (the rest are counted, and the customer can name one).
SHOWN = 6


@dataclass
class KindScope:
    kind: Kind
    gtins: list[str]  # the members that answer the question, most relevant first
    narrowed: bool  # the question said more than the kind, and these members match it


def kind_scope(text: str, index: ProductIndex, kinds: KindIndex, ignore: frozenset[str],
               confident: float, blend: np.ndarray | None = None) -> KindScope | None:
    """The kind ``text`` (normalised) names, if any, with the members that answer it, most relevant first.

    A kind's name inside a longer glossary phrase ("coffee beans", "sunflower oil") is not the kind: the
    phrase names products. Two kinds named and neither narrowed by the rest ("pomme chien") is ambiguous:
    the caller asks which product.
    """
    words = [w for w in tokens(text) if w not in ignore]
    matches = [m for m in kinds.find(words) if not _inside_phrase(words, m.start, m.size, index)]
    if not matches:
        return None
    if blend is None:  # the caller's scores of the whole question, when it has them
        blend = index.scores(text, ignore)[1]

    def relevance(gtin: str) -> float:
        return float(blend[index.position[gtin]]) if len(blend) else 0.0

    def by_relevance(gtins: list[str]) -> list[str]:
        return sorted(gtins, key=lambda g: -relevance(g))

    best: tuple[float, KindScope] | None = None
    unnarrowed: list[Kind] = []
    rest_scores: dict[str, np.ndarray] = {}  # per kind, the lexical score of the rest of the question
    for match in matches:
        rest = [w for i, w in enumerate(words) if not match.start <= i < match.start + match.size]
        if not [w for w in rest if not _numeric(w)]:
            return KindScope(match.kind, by_relevance(match.kind.members), narrowed=False)  # the kind's name alone
        lexical = index.lexical_only(" ".join(rest), ignore=ignore)  # the rest of the question, words only
        rest_scores[match.kind.spec.key] = lexical
        hits = [(float(lexical[index.position[g]]), g) for g in match.kind.members]
        hits = sorted((h for h in hits if h[0] > 0), reverse=True)
        if hits:
            top = hits[0][0]
            chosen = by_relevance([g for score, g in hits if score >= top - 0.15])
            score = relevance(chosen[0])
            if best is None or score > best[0]:
                best = (score, KindScope(match.kind, chosen, narrowed=True))
        elif match.kind not in unnarrowed:
            unnarrowed.append(match.kind)
    first = int(np.argmax(blend)) if len(blend) else -1
    top_gtin, top_score = (index.gtins[first], float(blend[first])) if first >= 0 else ("", 0.0)
    if best is not None:
        if top_gtin not in best[1].kind.members and top_score >= confident and top_score > best[0] + 0.05:
            return None  # "sardines à l'huile d'olive": a product outside the kind matches more of the question
        return best[1]
    if len(unnarrowed) != 1:
        return None
    kind = unnarrowed[0]
    named_by_rest = first >= 0 and float(rest_scores[kind.spec.key][first]) > 0
    if top_score >= confident and top_gtin not in kind.members and named_by_rest:
        return None  # "miel pops", "heinz-style ketchup": the rest names a product outside the kind
    return KindScope(kind, by_relevance(kind.members), narrowed=False)


def _inside_phrase(words: list[str], start: int, size: int, index: ProductIndex) -> bool:
    """Words ``start:start+size`` lie inside a longer glossary phrase of the question."""
    for key in index.glossary:
        if len(key) <= size:
            continue
        for at in range(max(0, start + size - len(key)), min(start, len(words) - len(key)) + 1):
            if tuple(words[at:at + len(key)]) == key:
                return True
    return False


def ordered(facts: list[ProductFacts]) -> list[ProductFacts]:
    """Most relevant first (the order given), those on the shelf before those not."""
    return sorted(facts, key=lambda f: f.on_shelf == 0)


def lines(facts: list[ProductFacts], lang: str, zone: ZoneInfo, now: float, stale_s: float) -> list[str]:
    return [f"• {phrasing.summary(f, lang)} {phrasing.shelf_state(f, zone, lang, now, stale_s)}" for f in facts]


def kind_label(kind: Kind, lang: str) -> str:
    label = kind.spec.label(lang)
    return label[:1].upper() + label[1:]
