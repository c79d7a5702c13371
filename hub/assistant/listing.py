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
    """The kind ``text`` (normalised) names, if any, with the members that answer it, most relevant first.

    A kind's name inside a longer glossary phrase ("coffee beans", "sunflower oil") is not the kind: the
    phrase names products. Two kinds named and neither narrowed by the rest ("pomme chien") is ambiguous:
    the caller asks which product.
    """
    words = [w for w in tokens(text) if w not in ignore]
    matches = [m for m in kinds.find(words) if not _inside_phrase(words, m.start, m.size, index)]
    if not matches:
        return None
    _, ranked = index.search(text, ignore=ignore, limit=len(index))
    relevance = {c.gtin: c.score for c in ranked}

    def by_relevance(gtins: list[str]) -> list[str]:
        return sorted(gtins, key=lambda g: -relevance.get(g, 0.0))

    best: tuple[float, KindScope] | None = None
    unnarrowed: list[Kind] = []
    for match in matches:
        rest = [w for i, w in enumerate(words) if not match.start <= i < match.start + match.size]
        if not [w for w in rest if not _numeric(w)]:
            return KindScope(match.kind, by_relevance(match.kind.members), narrowed=False)  # the kind's name alone
        members = set(match.kind.members)
        _, candidates = index.search(" ".join(rest), ignore=ignore, limit=len(index))
        hits = [c for c in candidates if c.gtin in members and c.lexical > 0]
        if hits:
            top = hits[0].lexical
            chosen = by_relevance([c.gtin for c in hits if c.lexical >= top - 0.15])
            score = relevance.get(chosen[0], 0.0)
            if best is None or score > best[0]:
                best = (score, KindScope(match.kind, chosen, narrowed=True))
        elif match.kind not in unnarrowed:
            unnarrowed.append(match.kind)
    if best is not None:
        top = ranked[0] if ranked else None
        if top is not None and top.gtin not in best[1].kind.members and top.score >= confident \
                and top.score > best[0] + 0.05:
            return None  # "sardines à l'huile d'olive": a product outside the kind matches more of the question
        return best[1]
    if len(unnarrowed) != 1:
        return None
    kind = unnarrowed[0]
    if ranked and ranked[0].score >= confident and ranked[0].gtin not in kind.members \
            and _all_named(text, ranked[0].gtin, index, ignore):
        return None  # "miel pops": a product's own name, not the kind one of its words names
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


def _all_named(text: str, gtin: str, index: ProductIndex, ignore: frozenset[str]) -> bool:
    """Every word of the question is in the product's name or brand ("miel pops" is a product, not honey)."""
    entry = index.entries[index.position[gtin]]
    own = set(tokens(f"{entry.name} {entry.brand}"))
    words = [w for w in tokens(text) if w not in ignore and not _numeric(w)]
    return bool(words) and all(w in own for w in words)


def ordered(facts: list[ProductFacts]) -> list[ProductFacts]:
    """Most relevant first (the order given), those on the shelf before those not."""
    return sorted(facts, key=lambda f: f.on_shelf == 0)


def lines(facts: list[ProductFacts], lang: str, zone: ZoneInfo, now: float, stale_s: float) -> list[str]:
    return [f"• {phrasing.summary(f, lang)} {phrasing.shelf_state(f, zone, lang, now, stale_s)}" for f in facts]


def kind_label(kind: Kind, lang: str) -> str:
    label = kind.spec.label(lang)
    return label[:1].upper() + label[1:]
