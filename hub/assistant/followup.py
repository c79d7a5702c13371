"""Follow-ups that point at a product by reference: "and the big one?", "et l'autre ?", "the green one".

A customer who has just been shown one product, or a list of several, goes on
as to a person: by size ("le grand", "the small one", "the biggest"), by
elimination ("the other one", "l'autre"), by a word of one of the products
shown ("the green one" after two teas), or carries the question on to another
product ("and the brie?" after a price keeps asking the price). Resolved
from what the conversation showed and from the catalog (sizes read from the
product names, the same brand and category for "the other sizes"), never
from a list written per product.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hub.assistant.matching import CatalogEntry
from hub.assistant.text import fold, words

_BIG = words("big bigger biggest large larger largest huge grand grande grands grandes plus_grand gros grosse "
             "maxi familial family giant geant")
_SMALL = words("small smaller smallest little tiny mini petit petite petits petites")
_OTHER = words("other autre autres second deuxieme")
#: Words that stand for "the product" in a reference ("the big bottle", "le gros pot", "celui-là").
_PLACEHOLDERS = words("""
    one ones bottle bottles bouteille bouteilles pot pots pack packs packet paquet paquets format formats taille size
    sizes modele model version boite box jar tub tube sachet bag sac carton thing truc celui celle ceux celles ci la
    that this it those these them ca cela plus more most the le la les l un une de des du and et what how about
    quid pour for so alors ok okay aussi also then donc coup du
""")
#: A question that carries the conversation on to another product: "and the brie?", "et le demi-sel ?".
_CONTINUES = re.compile(r"^(?:ok |okay |alors |so |du coup )?(?:and|et|what about|how about|et pour|and for|"
                        r"quid de|also|aussi)\b")
_SIZE = re.compile(r"(?:(\d+)\s*x\s*)?(\d+(?:[.,]\d+)?)\s*(kg|g|cl|ml|l)\b", re.IGNORECASE)
_COUNT = re.compile(r"\bx\s*(\d+)\b", re.IGNORECASE)
_UNIT = {"kg": 1000.0, "g": 1.0, "l": 1000.0, "cl": 10.0, "ml": 1.0}


@dataclass(frozen=True)
class Reference:
    """What a follow-up points at: ``big``, ``small``, ``other``, or ``None`` (a word or nothing)."""

    which: str | None
    rest: list[str]  # the question's other words (folded), for "the green one"
    continues: bool  # "and ...", "et ..."
    placeholder: bool  # "one", "celui", "the bottle": it points at something shown


def reference(plain: str, cue_words: frozenset[str]) -> Reference:
    """What the normalised question ``plain`` points at; ``cue_words`` (intent cues) are not product words."""
    folded = fold(plain).replace("plus grand", "plus_grand")
    tokens = folded.split()
    which = None
    if any(t in _BIG for t in tokens):
        which = "big"
    elif any(t in _SMALL for t in tokens) or "plus petit" in folded:
        which = "small"
    elif any(t in _OTHER for t in tokens):
        which = "other"
    rest = [t for t in tokens if t not in _BIG | _SMALL | _OTHER | _PLACEHOLDERS and t not in cue_words]
    return Reference(which, rest, bool(_CONTINUES.match(folded)), any(t in _PLACEHOLDERS - {"and", "et"}
                                                                        for t in tokens))


def size_of(name: str) -> float | None:
    """A product's quantity from its name ("6 x 1,5 L" is 9000, "400 g" is 400, "x10" is 10), or None."""
    found = _SIZE.findall(name)
    if found:
        count, amount, unit = found[-1]
        return float(amount.replace(",", ".")) * _UNIT[unit.lower()] * (int(count) if count else 1)
    counted = _COUNT.findall(name)
    return float(counted[-1]) if counted else None


def _stem(name: str) -> str:
    """A name without its sizes and counts: "Eau minérale 50 cl Evian" and "Eau minérale 1,5 L Evian" share one."""
    return " ".join(fold(_COUNT.sub(" ", _SIZE.sub(" ", name))).split())


def siblings(focus: CatalogEntry, entries: list[CatalogEntry]) -> list[CatalogEntry]:
    """The other sizes of ``focus`` (same brand, category and name but for the size), else its brand in its category."""
    same_shelf = [e for e in entries if e.brand == focus.brand and e.category == focus.category]
    same_name = [e for e in same_shelf if _stem(e.name) == _stem(focus.name)]
    return same_name if len(same_name) > 1 else same_shelf


def resolve(ref: Reference, focus: list[str], listing: list[str], entries: dict[str, CatalogEntry]) -> list[str]:
    """The GTINs a size or "other" reference points at, from what was shown (``focus``, ``listing``) and the catalog."""
    if ref.which is None or not focus or focus[0] not in entries:
        return []
    pool = list(dict.fromkeys(listing if len(listing) > 1 else
                              [e.gtin for e in siblings(entries[focus[0]], list(entries.values()))]))
    if ref.which == "other":
        others = [g for g in pool if g not in focus[:1]]
        return others[:3]
    sized = [(size_of(entries[g].name), g) for g in pool if g in entries]
    sized = [(s, g) for s, g in sized if s is not None]
    if not sized:
        return []
    chosen = max(sized) if ref.which == "big" else min(sized)
    return [chosen[1]]
