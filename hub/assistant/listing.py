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

from hub.assistant import phrasing
from hub.assistant.kinds import Kind, KindIndex
from hub.assistant.matching import ProductIndex, _numeric
from hub.assistant.stock import ProductFacts
from hub.assistant.text import tokens

#: Most products one answer lists (the rest are counted, and the customer can name one).
SHOWN = 6


@dataclass
class KindScope:
    kind: Kind
    gtins: list[str]  # the members that answer the question, most relevant first
    narrowed: bool  # the question said more than the kind, and these members match it


def kind_scope(text: str, index: ProductIndex, kinds: KindIndex, ignore: frozenset[str],
               confident: float) -> KindScope | None:
    """The kind ``text`` (normalised) names, if any, with the members that answer it."""
    words = [w for w in tokens(text) if w not in ignore]
    matches = kinds.find(words)
    if not matches:
        return None
    best: tuple[float, KindScope] | None = None
    first: KindScope | None = None
    for match in matches:
        rest = [w for i, w in enumerate(words) if not match.start <= i < match.start + match.size]
        members = set(match.kind.members)
        if not [w for w in rest if not _numeric(w)]:
            return KindScope(match.kind, list(match.kind.members), narrowed=False)  # the kind's name alone
        _, candidates = index.search(" ".join(rest), ignore=ignore, limit=len(index))
        hits = [c for c in candidates if c.gtin in members and c.lexical > 0]
        if hits:
            top = hits[0].lexical
            scope = KindScope(match.kind, [c.gtin for c in hits if c.lexical >= top - 0.15], narrowed=True)
            if best is None or hits[0].score > best[0]:
                best = (hits[0].score, scope)
        else:
            first = first or KindScope(match.kind, list(match.kind.members), narrowed=False)
    if best is not None:
        return best[1]
    if first is None:
        return None
    _, candidates = index.search(text, ignore=ignore, limit=1)
    if candidates and candidates[0].score >= confident and candidates[0].gtin not in first.kind.members \
            and _all_named(text, candidates[0].gtin, index, ignore):
        return None  # "miel pops": a product's own name, not the kind one of its words names
    return first


def _all_named(text: str, gtin: str, index: ProductIndex, ignore: frozenset[str]) -> bool:
    """Every word of the question is in the product's name or brand ("miel pops" is a product, not honey)."""
    entry = index.entries[index.position[gtin]]
    own = set(tokens(f"{entry.name} {entry.brand}"))
    words = [w for w in tokens(text) if w not in ignore and not _numeric(w)]
    return bool(words) and all(w in own for w in words)


def ordered(facts: list[ProductFacts]) -> list[ProductFacts]:
    """On the shelf first, then by place, so one aisle's products read together."""
    return sorted(facts, key=lambda f: (not f.on_shelf, f.aisle, f.shelf, f.name))


def lines(facts: list[ProductFacts], lang: str, zone: ZoneInfo, now: float, stale_s: float) -> list[str]:
    return [f"• {phrasing.summary(f, lang)} {phrasing.shelf_state(f, zone, lang, now, stale_s)}" for f in facts]


def kind_label(kind: Kind, lang: str) -> str:
    label = kind.spec.label(lang)
    return label[:1].upper() + label[1:]
