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
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from hub.assistant.matching import CatalogEntry, ProductIndex
from hub.assistant.text import STOPWORDS, fold, singular, tokens, words

_BIG = words("big bigger biggest large larger largest huge grand grande grands grandes plus_grand gros grosse "
             "maxi familial family giant geant")
_SMALL = words("small smaller smallest little tiny mini petit petite petits petites")
_OTHER = words("other autre autres")
_FIRST = words("first premier premiere")
_SECOND = words("second seconde deuxieme")
_LAST = words("last dernier derniere")
#: "le pack d'Evian", "the multipack": the product sold as several units ("6 x 1,5 L", "x24").
_PACK = words("pack packs multipack lot lots carton cartons")
_CHEAP = ("cheapest", "cheaper", "moins cher", "moins chere", "moins cheres", "moins chers", "least expensive",
          "pas cher", "pas chere", "bon marche")
_PRICE_WORDS = words("cher chere chers cheres moins cheap cheaper cheapest least expensive bon marche")
#: Words that stand for "the product" in a reference ("the big bottle", "le gros pot", "celui-là").
_POINTERS = words("""
    one ones bottle bottles bouteille bouteilles pot pots pack packs packet paquet paquets format formats taille size
    sizes modele model version boite box jar tub tube sachet bag sac carton thing truc celui celle ceux celles ci
    that this it those these them ca cela il elle ils elles they can cans canette canettes brand marque marques
    lequel laquelle lesquels lesquelles which
""")
#: Words a reference is built with that name no product.
_GLUE = words("the le la les l un une de des du and et what how about quid pour for so alors ok okay aussi also "
              "then donc coup plus more most is est two three four deux trois quatre")
_ARTICLES = words("the le la les l")
#: Words that ask a property of the whole shop rather than of what was just shown ("anything organic?").
_WHOLE_SHOP = words("anything something everything all what which tout tous toutes quoi quel quels quelle quelles "
                    "produit produits product products item items chose choses thing things rien autre autres "
                    "other others else")
_BRAND = words("brand brands marque marques")
#: A question that carries the conversation on to another product: "and the brie?", "et le demi-sel ?".
_CONTINUES = re.compile(r"^(?:ok |okay |alors |so |du coup )?(?:and|et|what about|how about|et pour|and for|"
                        r"quid de|also|aussi)\b")
_SIZE = re.compile(r"(?:(\d+)\s*x\s*)?(\d+(?:[.,]\d+)?)\s*(kg|g|cl|ml|l)\b", re.IGNORECASE)
_COUNT = re.compile(r"\bx\s*(\d+)\b", re.IGNORECASE)
_UNIT = {"kg": 1000.0, "g": 1.0, "l": 1000.0, "cl": 10.0, "ml": 1.0}


@dataclass(frozen=True)
class Reference:
    """What a follow-up points at: a position, a size, the price, or ``None`` (a word or nothing)."""

    which: str | None  # big, small, cheap, other, first, second, last, pack
    rest: list[str]  # the question's other words (folded), for "the green one"
    continues: bool  # "and ...", "et ..."
    pointer: bool  # "one", "celui", "the bottle": it points at something shown
    brand: bool = False  # "l'autre marque", "another brand": the same product of another brand


def reference(plain: str, cue_words: frozenset[str]) -> Reference:
    """What the normalised question ``plain`` points at; ``cue_words`` (intent cues) are not product words."""
    folded = fold(plain).replace("plus grand", "plus_grand")
    tokens = folded.split()
    which = None
    if any(phrase in folded for phrase in _CHEAP):
        which = "cheap"
    elif any(t in _BIG for t in tokens):
        which = "big"
    elif any(t in _SMALL for t in tokens) or "plus petit" in folded:
        which = "small"
    elif any(t in _OTHER for t in tokens):
        which = "other"
    elif any(t in _FIRST for t in tokens):
        which = "first"
    elif any(t in _SECOND for t in tokens):
        which = "second"
    elif any(t in _LAST for t in tokens):
        which = "last"
    elif any(t in _PACK for t in tokens):
        which = "pack"
    named = _BIG | _SMALL | _OTHER | _FIRST | _SECOND | _LAST | _PACK | _POINTERS | _GLUE | _PRICE_WORDS
    # a small count ("for 2", "the six organic ones") qualifies what is pointed at; by_number reads it
    rest = [t for t in tokens if t not in named and t not in cue_words and t not in STOPWORDS
            and not (t.isdigit() and len(t) <= 2)]
    pointing = folded.replace("il y a", " ").replace("il en reste", " ").split()
    # "le noir ?", "the dark one": an article and one word, right after a list, picks from the list
    short = 1 <= len(rest) <= 2 and bool(tokens) and tokens[0] in _ARTICLES
    return Reference(which, rest, bool(_CONTINUES.match(folded)) or short, any(t in _POINTERS for t in pointing),
                     brand=bool(set(tokens) & _BRAND))


def by_size(plain: str, cue_words: frozenset[str], candidates: list[CatalogEntry]) -> str | None:
    """"le grand Nutella", "the small Evian": the biggest or smallest of ``candidates`` (the products the
    question's other words match), or None when the question names no size or a size word is part of their
    names ("Petits pois", "Gros sel": a name, not a size)."""
    ref = reference(plain, cue_words)
    if ref.which not in ("big", "small", "pack") or not ref.rest or len(candidates) < 2:
        return None
    asked = {singular(t) for t in fold(plain).split()} & {singular(w) for w in _BIG | _SMALL | _PACK}
    if any(asked & set(tokens(e.name)) for e in candidates):
        return None
    if ref.which == "pack":
        return multipack([e.gtin for e in candidates], {e.gtin: e for e in candidates})
    sized = [(size, e.gtin) for e in candidates if (size := size_of(e.name)) is not None]
    if len({size for size, _ in sized}) < 2:
        return None
    return (max(sized) if ref.which == "big" else min(sized))[1]


def multipack(gtins: list[str], entries: dict[str, CatalogEntry]) -> str | None:
    """The product of ``gtins`` sold as the most units ("6 x 1,5 L", "x24"), None when none is a pack."""
    packs = [(max(_counts(entries[g].name)), -rank, g) for rank, g in enumerate(gtins)
             if g in entries and _counts(entries[g].name)]
    return max(packs)[2] if packs else None


def size_of(name: str, per_unit: bool = False) -> float | None:
    """A product's quantity from its name ("6 x 1,5 L" is 9000, "400 g" is 400, "x10" is 10), or None.

    ``per_unit``: one unit's ("6 x 33 cl" is 330): "the small cans" are the 33 cl ones, not the lighter pack.
    """
    found = _SIZE.findall(name)
    if found:
        count, amount, unit = found[-1]
        return float(amount.replace(",", ".")) * _UNIT[unit.lower()] * (int(count) if count and not per_unit else 1)
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


def kin(focus: CatalogEntry, entries: list[CatalogEntry]) -> list[CatalogEntry]:
    """Products of the same kind as ``focus`` whatever their brand: same shelf, same head noun ("Camembert ...")."""
    head = tokens(focus.name)[:1]
    return [e for e in entries if e.category == focus.category and tokens(e.name)[:1] == head]


def resolve(ref: Reference, focus: list[str], listing: list[str], entries: dict[str, CatalogEntry],
            prices: dict[str, int] | None = None, history: list[str] | None = None) -> list[str]:
    """The GTINs a reference points at, from what was shown (``focus``, ``listing``, ``history``) and the catalog.

    ``prices`` (cents per GTIN of the pool, read by the caller) for "the cheapest"; ``history``, the products
    the conversation's answers were about in order, for "the first one" after answers of one product each.
    """
    if ref.which is None or not focus or focus[0] not in entries:
        return []
    head = entries[focus[0]]
    if ref.which == "other" and ref.brand:  # the same kind of product ("Ketchup") by another brand
        return [e.gtin for e in kin(head, list(entries.values())) if e.brand != head.brand][:3]
    family = [e.gtin for e in siblings(head, list(entries.values()))]
    if ref.which in ("other", "first", "second", "last"):
        if len(focus) > 1:  # the last answer was a list: positions are in it
            shown = focus
        elif ref.which != "other" and history and len(history) > 1:  # "le deuxième" of the products asked about
            shown = history
        else:
            shown = listing if len(listing) > 1 else family
        if ref.which == "other":
            return [g for g in shown if g not in focus[:1]][:3]
        position = {"first": 0, "second": 1, "last": -1}[ref.which]
        return [shown[position]] if len(shown) > abs(position) - (position < 0) else []
    pool = [g for g in dict.fromkeys([*listing, *family]) if g in entries]
    if ref.which == "pack":
        pack = multipack(pool, entries)
        return [pack] if pack else []
    if ref.which == "cheap":  # among what the caller priced (``cheap_pool``)
        priced = sorted((cents, g) for g, cents in (prices or {}).items() if cents is not None and g in entries)
        return [priced[0][1]] if priced else []
    sized = [(size_of(entries[g].name, per_unit=ref.which == "small"), g) for g in pool]
    sized = [(size, g) for size, g in sized if size is not None]
    if not sized:
        return []
    chosen = max(sized) if ref.which == "big" else min(sized)
    return [chosen[1]]


def pool(focus: list[str], listing: list[str], entries: dict[str, CatalogEntry]) -> list[str]:
    """What a follow-up may point at: the products listed, else the focus product's family."""
    if len(listing) > 1:
        return listing
    if not focus or focus[0] not in entries:
        return []
    return [e.gtin for e in siblings(entries[focus[0]], list(entries.values()))]


def cheap_pool(focus: list[str], listing: list[str], entries: dict[str, CatalogEntry]) -> list[str]:
    """Where "the cheaper one" looks: the list on screen; after one product, its family and its kind
    ("the cheaper one" after Président's camembert may be another brand's)."""
    if len(focus) > 1:
        return focus
    near = pool(focus, listing, entries)
    if focus and focus[0] in entries:
        near = [*near, *(e.gtin for e in kin(entries[focus[0]], list(entries.values())))]
    return list(dict.fromkeys(near))


def nearby(focus: list[str], listing: list[str], index: ProductIndex) -> list[str]:
    """What a follow-up naming a word may point at, nearest first: the products listed, the focus product's
    family, then their categories, most like the focus product first ("et en grains ?" after ground coffee,
    "the Lindt one" after dark chocolate is Lindt's dark one)."""
    entries = index.by_gtin
    near = list(listing)
    if focus and focus[0] in entries:
        head = entries[focus[0]]
        near += [*focus, *(e.gtin for e in siblings(head, list(entries.values())))]
        shelves = {entries[g].category for g in [*focus, *listing] if g in entries}
        near += index.nearest(head.gtin, [e.gtin for e in entries.values() if e.category in shelves])
    return list(dict.fromkeys(g for g in near if g in entries))


def _counts(name: str) -> set[int]:
    """The counts a name states: "6 x 1,5 L" and "x12" say 6 and 12."""
    found = {int(count) for count, _, _ in _SIZE.findall(name) if count}
    return found | {int(c) for c in _COUNT.findall(name)}


def by_number(plain: str, near: list[str], entries: dict[str, CatalogEntry]) -> list[str]:
    """"and the 50 cl?", "the 6 pack", "la boîte de 12": the nearest product whose name states that size or
    count; none when the question states no number or no product near states it ("how much for 2?")."""
    folded = re.sub(r"\b(?:un|one|a|d un)\s+(?:litre|liter)s?\b", "1 l", plain.lower())  # "d'un litre" is "1 l"
    folded = re.sub(r"\b(?:demi|half a|half)[\s-]*(?:litre|liter)s?\b", "50 cl", folded)
    folded = re.sub(r"(\d)\s*(?:litres?|liters?)\b", r"\1 l", folded)  # "1 litre" is "1 l"
    percents = set(re.findall(r"(\d+)\s*(?:%|pour ?cents?|percent|per cent)", folded))
    if percents:  # "the 70% one": the cocoa or fat content a name states
        return [g for g in near if percents & set(re.findall(r"(\d+)\s*%", entries[g].name))][:1]
    asked_sizes = {float(a.replace(",", ".")) * _UNIT[u.lower()] for _, a, u in _SIZE.findall(folded)}
    if asked_sizes:
        whole = [g for g in near if size_of(entries[g].name) in asked_sizes]  # "1.5 L" before "6 x 1.5 L"
        return (whole or [g for g in near if size_of(entries[g].name, per_unit=True) in asked_sizes])[:1]
    asked_counts = {int(n) for n in re.findall(r"\b(\d+)\b", folded)}
    counted = [g for g in near if asked_counts & _counts(entries[g].name)][:1]
    # "the 1664": a number that is a word of a name, not a size or a count
    named = {n for n in re.findall(r"\b(\d{3,})\b(?!\s*(?:kg|g|cl|ml|l|x)\b)", folded)}
    return counted or [g for g in near if named & set(_name_numbers(entries[g].name))][:1]


def _name_numbers(name: str) -> list[str]:
    """The numbers of a name that are neither a size nor a count ("1664" in "1664 blonde 6 x 25 cl")."""
    return re.findall(r"\b\d{3,}\b", _COUNT.sub(" ", _SIZE.sub(" ", name)))


@dataclass(frozen=True)
class Conversation:
    """What a conversation showed: the last answer's products, the last list of several, the last thing asked."""

    focus: list[str]
    listing: list[str]
    intent: str
    history: tuple[str, ...] = ()  # the products the answers were about, in order, each once


def point(plain: str, intent: str, conversation: Conversation, index: ProductIndex, cue_words: frozenset[str],
          follow_ups: frozenset[str], prices: Callable[[list[str]], dict[str, int]],
          raw: str | None = None) -> tuple[list[str], str]:
    """The products a follow-up points at ("the big one", "l'autre", "the green one"), none when it names
    something else; and the intent, carried over when the question only continues ("and the brie?" after a
    price). ``prices`` reads the price in cents of some GTINs (for "the cheapest"); ``raw``, the question as
    typed, keeps the decimals of a size ("1.5 L") that normalising splits."""
    ref = reference(plain, cue_words)
    if intent not in follow_ups and (ref.continues or ref.which or ref.pointer) and conversation.intent in follow_ups:
        intent = conversation.intent
    focus, listing, entries = conversation.focus, conversation.listing, index.by_gtin
    near = nearby(focus, listing, index)
    if ref.pointer or ref.continues:
        # "and the 1 litre Puget?": the size among the products the words name, when they name some near
        words = [w for w in ref.rest if not any(c.isdigit() for c in w)]
        if words:
            scores = index.lexical_only(" ".join(words), ignore=cue_words)
            found = {g: float(scores[index.position[g]]) for g in near if g in index.position}
            top = max(found.values(), default=0.0)
            near = [g for g in near if top > 0 and found.get(g, 0.0) >= 0.9 * top] or near
        numbered = by_number(raw or plain, near, entries)
        if numbered:
            return numbered, intent
    if ref.pointer and not ref.rest and not ref.which and intent in follow_ups and focus:
        return focus[:1], intent  # "how much for two bottles?": the bottle just shown
    if ref.which and not ref.rest:
        priced = prices(cheap_pool(focus, listing, entries)) if ref.which == "cheap" else None
        return resolve(ref, focus, listing, entries, priced, list(conversation.history)), intent
    if not ref.rest or not (ref.continues or ref.pointer):
        return [], intent
    # "the green one" among the products just listed, "et en grains ?" among the focus product's family
    lexical = index.lexical_only(" ".join(ref.rest), ignore=cue_words)
    # what was shown first; the family and the shelf only when nothing shown has the word
    best, was_shown = (0.0, ""), False
    alone = focus[:1] if len(listing) <= 1 else []  # one product shown, not a list
    for nearest_first, among in ((False, pool(focus, listing, entries)), (True, near)):
        # equal words: the product just shown ("the Joker one" after Joker orange juice) before its family
        shown = [(float(lexical[index.position[g]]), -rank if nearest_first else g in alone, g)
                 for rank, g in enumerate(among) if g in index.position]
        top = max(shown, default=(0.0, 0, ""))
        if nearest_first and top[0] > 0:  # about as good is good enough: the nearest of those
            top = max((t for t in shown if t[0] >= 0.9 * top[0]), key=lambda t: t[1])
        if top[0] > 0 and (not best[0] or top[0] > 1.05 * best[0]):
            best, was_shown = (top[0], top[2]), not nearest_first
        # what was shown, unless the shelf has a product that the words name clearly better ("the Barilla
        # penne" after a list of pasta that showed Lustucru's)
        if best[0] >= 0.9 * float(lexical.max()) or (best[0] > 0 and nearest_first):
            break
    # "the apple one", "le liquide" after two honeys: into what was shown even when the catalog matches better
    if best[0] > 0 and (ref.pointer or was_shown or best[0] >= 0.9 * float(lexical.max())):
        return [best[1]], intent
    # "and the Panzani one?" after Barilla spaghetti: the same product of the brand named
    brands = tokens(" ".join(ref.rest))
    if focus[0] in entries and brands and all(w in index.brand_words for w in brands):
        head = tokens(entries[focus[0]].name)[:1]
        both = index.lexical_only(" ".join([*ref.rest, *head]), ignore=cue_words)
        pick = int(both.argmax())
        if both[pick] > 0 and lexical[pick] >= 0.9 * float(lexical.max()):
            return [index.gtins[pick]], intent
    return [], intent


def sized(plain: str, index: ProductIndex, cue_words: frozenset[str]) -> str | None:
    """"le grand Nutella": among the products the other words match equally, the biggest or smallest."""
    rest = reference(plain, cue_words).rest
    if not rest or not len(index):
        return None
    lexical = index.lexical_only(" ".join(rest), ignore=cue_words)
    top = float(lexical.max())
    if top <= 0:
        return None
    close = [index.entries[i] for i in np.flatnonzero(lexical >= 0.9 * top)]
    return by_size(plain, cue_words, close) if len(close) <= 12 else None


def asked_about(plain: str, conversation: Conversation, cue_words: frozenset[str]) -> list[str] | None:
    """The products a property question with no product word points at ("is it organic?", "the organic
    one?", "et en bio ?"), or None when it does not point (then it is about the whole catalog)."""
    ref = reference(plain, cue_words)
    general = bool(set(fold(plain).split()) & _WHOLE_SHOP)  # "anything organic?": the whole catalog
    if not (ref.pointer or ref.continues) and general:
        return None
    ones = {"one", "ones", "ceux", "celles", "lesquels"} & set(plain.split())
    return conversation.listing if len(conversation.listing) > 1 and ones else conversation.focus
