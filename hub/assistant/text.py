"""Folding customer text into comparable tokens (case, accents, apostrophes, plurals)."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9%]+")
_MARKUP = re.compile(r"<[^>]{0,200}>")
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "’": "'", "ß": "ss"})
#: French "thé" folds to the English article "the", a stopword: spelled "tea" instead, with or without its accent
#: after a French article ("du the", "y a du the ?").
_TEA_ACCENTED = re.compile(r"\bth[éèêÉ]s?\b", re.IGNORECASE)
_TEA_AFTER_ARTICLE = re.compile(r"\b(du|de|le|au|un|des|en|mon|ton|votre|ce|sans|bio|d) thes?\b")

def words(text: str) -> frozenset[str]:
    """A word set written as a block of text (easier to read and edit than a list)."""
    return frozenset(text.split())


#: Words that carry no product meaning in either language (after folding).
STOPWORDS = words(
    """
    a au aux avec ce ces cet cette d de des du en et il ils je j l la le les leur m ma mes mon n ne nous on ou
    par pas pour qu que qui s sa se ses son sur t ta te tes ton tu un une vos votre vous y c est sont ai as avez
    avons ont suis etes ca cela ceci celui celle ceux celles ci
    an and any are at be can could do does for from have i is it its me my of on or please some that the their
    there this to we what which with would you your yours
    """
)


def fold(text: str) -> str:
    """Lower case, no accents, ligatures spelled out, punctuation as spaces."""
    text = _TEA_ACCENTED.sub("tea", _MARKUP.sub(" ", text).translate(_LIGATURES))
    decomposed = unicodedata.normalize("NFKD", text.lower())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _TEA_AFTER_ARTICLE.sub(r"\1 tea", _NON_WORD.sub(" ", stripped).strip())


def singular(token: str) -> str:
    """A crude singular that serves both languages: bananes -> banane, batteries -> battery, oeufs -> oeuf."""
    if len(token) <= 3 or token.isdigit():
        return token
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith(("s", "x")) and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def tokens(text: str, keep_stopwords: bool = False) -> list[str]:
    """Folded, singular tokens of ``text``; stopwords dropped unless asked."""
    words = fold(text).split()
    return [singular(w) for w in words if keep_stopwords or w not in STOPWORDS]


def has_letters_or_digits(text: str) -> bool:
    return any(c.isalnum() for c in text)
