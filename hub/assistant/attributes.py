"""Label properties a customer asks about ("gluten-free pasta?", "lait sans lactose ?", "nut free"),
and whether the catalog states them for a product.

The rule that matters: a property is only ever *stated* from the catalog's
columns (see docs/catalog.md). An empty cell means "the catalog does not say",
which the assistant answers with "I can't confirm", never with yes or no.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words naming each allergen in a question (folded text), EU names as the catalog's allergens column uses them.
_ALLERGEN_WORDS: dict[str, str] = {
    "gluten": r"gluten", "crustaceans": r"crustace\w*|crustacean\w*|shellfish|fruits de mer",
    "eggs": r"oeufs?|eggs?", "fish": r"poissons?|fish", "peanuts": r"arachides?|cacahuetes?|peanuts?",
    "soy": r"soja|soya|soy", "milk": r"lait|milk|dairy|produits laitiers|laitiers?",
    "nuts": r"noix|fruits a coque|fruit a coque|nuts?|tree nuts?|noisettes?|amandes?|hazelnuts?|almonds?",
    "celery": r"celeri|celery", "mustard": r"moutarde|mustard", "sesame": r"sesame",
    "sulphites": r"sulfites?|sulphites?",
    "lupin": r"lupin", "molluscs": r"mollusques?|molluscs?",
}
_FREE_OF = (r"(?:sans|without|no|free of|free from|pas de|zero|aucun\w*|not? contain\w*|ne contient pas|"
            r"allergi\w* (?:to|aux?|a la|au)|intolerant\w* (?:to|aux?|au)|intolerance (?:to|aux?|au))")
_LABELS: dict[str, str] = {
    "organic": r"bio|biologiques?|organic|organique",
    "gluten_free": r"(?:sans|without|no|pas de) gluten|gluten ?free|coeliaque|celiaque|coeliac|celiac|"
                   r"intolerant\w* (?:au|to) gluten|gluten intolerant|allergi\w* (?:au|to) gluten",
    "lactose_free": r"(?:sans|without|no|pas de) lactose|lactose ?free|intolerant\w* (?:au|to) lactose|"
                    r"lactose intolerant|intolerance (?:au|to) lactose",
    "vegan": r"vegan\w*|vegetalien\w*|plant based|vegane?s?",
    "vegetarian": r"vegetarien\w*|vegetarian\w*|sans viande|no meat|meat free|meatless",
    "halal": r"halal",
}


@dataclass(frozen=True)
class Asked:
    """The property a question asks for: a label column, or ``allergen:<name>`` (free of that allergen)."""

    name: str
    start: int  # span of the words that asked it, in the normalised text
    end: int

    @property
    def allergen(self) -> str | None:
        return self.name.split(":", 1)[1] if self.name.startswith("allergen:") else None


_LABEL_PATTERNS = [(name, re.compile(rf"\b(?:{words})\b")) for name, words in _LABELS.items()]
_ALLERGEN_PATTERNS = [
    (name, re.compile(rf"\b(?:{_FREE_OF} (?:les |des |du |de la |the |any )?(?:{words})|(?:{words}) ?free)\b"))
    for name, words in _ALLERGEN_WORDS.items()
]


def asked(text: str) -> Asked | None:
    """The property ``text`` (normalised) asks about; gluten asks as the gluten_free label, lactose likewise."""
    for name, pattern in _LABEL_PATTERNS:
        found = pattern.search(text)
        if found:
            return Asked(name, found.start(), found.end())
    for name, pattern in _ALLERGEN_PATTERNS:
        found = pattern.search(text)
        if found:
            return Asked(f"allergen:{name}", found.start(), found.end())
    return None


def without(text: str, what: Asked) -> str:
    """``text`` without the words that asked the property (left: the product or kind asked about)."""
    return " ".join((text[:what.start] + " " + text[what.end:]).split())


LABEL_NAMES = {
    "organic": {"fr": "bio", "en": "organic"},
    "gluten_free": {"fr": "sans gluten", "en": "gluten-free"},
    "lactose_free": {"fr": "sans lactose", "en": "lactose-free"},
    "vegan": {"fr": "végan", "en": "vegan"},
    "vegetarian": {"fr": "végétarien", "en": "vegetarian"},
    "halal": {"fr": "halal", "en": "halal"},
}
ALLERGEN_NAMES = {
    "gluten": ("gluten", "gluten"), "crustaceans": ("crustacés", "crustaceans"), "eggs": ("œufs", "eggs"),
    "fish": ("poisson", "fish"), "peanuts": ("arachides", "peanuts"), "soy": ("soja", "soy"), "milk": ("lait", "milk"),
    "nuts": ("fruits à coque", "nuts"), "celery": ("céleri", "celery"), "mustard": ("moutarde", "mustard"),
    "sesame": ("sésame", "sesame"), "sulphites": ("sulfites", "sulphites"), "lupin": ("lupin", "lupin"),
    "molluscs": ("mollusques", "molluscs"),
}


def said(name: str, lang: str) -> str:
    """The property as a customer reads it: "sans gluten", "nut-free" ("sans fruits à coque")."""
    if name.startswith("allergen:"):
        fr, en = ALLERGEN_NAMES.get(name.split(":", 1)[1], (name, name))
        return f"sans {fr}" if lang == "fr" else f"{en}-free"
    return LABEL_NAMES.get(name, {}).get(lang, name)
