"""Kinds of product ("cheese", "fromage", "dog food", "lessive"): what a customer names far more often than a product.

A kind is general grocery knowledge (``data/kinds.yaml``): the names customers
use in French and English, and how to recognise a member in any catalog from
what the catalog states (the head noun a French product name starts with, a
word of the name, the brand, the category). Every category of the catalog is a
kind too, under its own name. Nothing here lists this shop's products: a new
product joins its kinds when the index is rebuilt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rapidfuzz import process
from rapidfuzz.distance import OSA

from hub.assistant.text import tokens

KINDS_FILE = Path(__file__).with_name("data") / "kinds.yaml"
_SPEC_KEYS = frozenset({"en", "fr", "heads", "words", "brands", "categories", "within", "except", "instead"})
#: Least normalised OSA similarity for a misspelt kind name ("fromgae", "fromaje").
TYPO_CUTOFF = 0.8


class KindsError(ValueError):
    """A kinds file that cannot be used; the message names the kind and the key."""


@dataclass(frozen=True)
class KindSpec:
    key: str
    names: dict[str, list[tuple[str, ...]]]  # lang -> phrases a customer uses
    heads: list[tuple[str, ...]] = field(default_factory=list)
    words: list[tuple[str, ...]] = field(default_factory=list)
    brands: list[tuple[str, ...]] = field(default_factory=list)
    categories: list[tuple[str, ...]] = field(default_factory=list)
    within: list[tuple[str, ...]] = field(default_factory=list)
    excluded: list[tuple[str, ...]] = field(default_factory=list)
    display: dict[str, str] = field(default_factory=dict)  # lang -> the first name as written, for answers
    #: Kinds a customer accepts in its place when asking a property none of its members has ("vegan milk":
    #: a plant drink).
    instead: list[str] = field(default_factory=list)

    def label(self, lang: str) -> str:
        """The kind's first name in ``lang`` as written (the other language's, or the key, when none)."""
        return self.display.get(lang) or self.display.get("fr") or self.key


def _phrases(value: object, kind: str, key: str) -> list[tuple[str, ...]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise KindsError(f"kind {kind!r}: {key} must be a list of words or phrases")
    return [tuple(tokens(str(v), keep_stopwords=True)) for v in value if tokens(str(v), keep_stopwords=True)]


def _names(value: object, kind: str, key: str) -> list[tuple[str, ...]]:
    """Names as a question's words are compared: folded, singular, without stopwords."""
    _phrases(value, kind, key)  # the same checks
    return [tuple(tokens(str(v))) for v in value or [] if tokens(str(v))]  # type: ignore[attr-defined]


def load_kinds(path: Path = KINDS_FILE) -> list[KindSpec]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict):
        raise KindsError(f"{path}: expected a mapping of kinds")
    kinds = []
    for key, spec in raw.items():
        if not isinstance(spec, dict):
            raise KindsError(f"kind {key!r}: expected a mapping")
        unknown = set(spec) - _SPEC_KEYS
        if unknown:
            raise KindsError(f"kind {key!r}: unknown key(s) {', '.join(sorted(unknown))}")
        kinds.append(KindSpec(
            key=str(key), names={lang: _names(spec.get(lang), key, lang) for lang in ("en", "fr")},
            heads=_phrases(spec.get("heads"), key, "heads"), words=_phrases(spec.get("words"), key, "words"),
            brands=_phrases(spec.get("brands"), key, "brands"),
            categories=_phrases(spec.get("categories"), key, "categories"),
            within=_phrases(spec.get("within"), key, "within"), excluded=_phrases(spec.get("except"), key, "except"),
            display={lang: str(spec[lang][0]) for lang in ("en", "fr") if spec.get(lang)},
            instead=[str(k) for k in spec.get("instead") or []]))
    keys = {k.key for k in kinds}
    for kind in kinds:
        missing = [k for k in kind.instead if k not in keys]
        if missing:
            raise KindsError(f"kind {kind.key!r}: instead names unknown kind(s) {', '.join(missing)}")
    return kinds


def _holds(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    return any(words[i:i + size] == phrase for i in range(len(words) - size + 1))


@dataclass
class Kind:
    spec: KindSpec
    members: list[str]  # GTINs, catalog order


@dataclass(frozen=True)
class KindMatch:
    kind: Kind
    start: int  # position of the name in the question's words
    size: int


class KindIndex:
    """The kinds of one catalog: each kind's members, and the names that call them up."""

    def __init__(self, specs: list[KindSpec], products: list[tuple[str, str, str, str]],
                 ignore: frozenset[str] = frozenset()) -> None:
        """``products``: (gtin, name, brand, category) rows; ``ignore``: words never part of a kind's name
        (the intent cue words, removed from questions before matching)."""
        rows = [(gtin, tuple(tokens(name, keep_stopwords=True)), tuple(tokens(brand, keep_stopwords=True)),
                 tuple(tokens(category, keep_stopwords=True)), category) for gtin, name, brand, category in products]
        self.kinds: list[Kind] = []
        for spec in specs:
            members = [gtin for gtin, name, brand, category, _ in rows if _member(spec, name, brand, category)]
            if members:
                self.kinds.append(Kind(spec, members))
        known = {" ".join(n) for k in self.kinds for names in k.spec.names.values() for n in names}
        for category in sorted({row[4] for row in rows}):
            phrase = tuple(w for w in tokens(category) if w not in ignore)
            if phrase and " ".join(phrase) not in known:
                spec = KindSpec(key=category, names={"fr": [phrase], "en": []}, display={"fr": category})
                self.kinds.append(Kind(spec, [row[0] for row in rows if row[4] == category]))
        self.by_key = {kind.spec.key: kind for kind in self.kinds}
        self.by_name: dict[tuple[str, ...], list[Kind]] = {}
        self.name_langs: dict[tuple[str, ...], set[str]] = {}
        for kind in self.kinds:
            for lang, names in kind.spec.names.items():
                for name in (tuple(w for w in n if w not in ignore) for n in names):
                    if not name:
                        continue
                    self.name_langs.setdefault(name, set()).add(lang)
                    self.by_name.setdefault(name, [])
                    if kind not in self.by_name[name]:
                        self.by_name[name].append(kind)
        self.longest = max((len(n) for n in self.by_name), default=1)
        self.single_names = [n[0] for n in self.by_name if len(n) == 1]
        self.names_of_size: dict[int, list[tuple[str, ...]]] = {}
        for name in self.by_name:
            self.names_of_size.setdefault(len(name), []).append(name)
        self._found: dict[tuple[str, ...], list[KindMatch]] = {}

    def find(self, words: list[str]) -> list[KindMatch]:
        """The kinds named in ``words`` (folded, singular), longest names first, typos forgiven."""
        key = tuple(words)
        if key not in self._found:
            if len(self._found) > 256:
                self._found.clear()
            self._found[key] = self._find(words)
        return self._found[key]

    def _find(self, words: list[str]) -> list[KindMatch]:
        found: list[KindMatch] = []
        i = 0
        while i < len(words):
            for size in range(min(self.longest, len(words) - i), 0, -1):
                phrase = tuple(words[i:i + size])
                kinds = self.by_name.get(phrase) or (self._misspelt(phrase[0]) if size == 1
                                                     else self._misspelt_phrase(phrase))
                if kinds:
                    found.extend(KindMatch(k, i, size) for k in kinds)
                    i += size
                    break
            else:
                i += 1
        return found

    def language_cues(self, words: list[str]) -> tuple[int, int]:
        """(French, English) kind names in ``words`` that belong to one language only ("cheese", "fromage")."""
        fr = en = 0
        for match in self.find(words):
            langs = self.name_langs.get(tuple(words[match.start:match.start + match.size]))
            if langs is None and match.size == 1:
                langs = self.name_langs.get((self._closest(words[match.start]) or "",))
            if langs == {"fr"}:
                fr += 1
            elif langs == {"en"}:
                en += 1
        return fr, en

    def _closest(self, word: str) -> str | None:
        """The one-word kind name ``word`` is a plausible misspelling of, if any."""
        found = process.extractOne(word, self.single_names, scorer=OSA.normalized_similarity,
                                   score_cutoff=TYPO_CUTOFF)
        return found[0] if found else None

    def _misspelt_phrase(self, phrase: tuple[str, ...]) -> list[Kind]:
        """A name of several words with typos in some ("dog fod", "washing powdr"), never in all of them."""
        for name in self.names_of_size.get(len(phrase), ()):
            kinds = self.by_name[name]
            if name == phrase or name[0][:1] != phrase[0][:1]:  # a typo seldom changes the first letter
                continue
            exact = sum(a == b for a, b in zip(name, phrase, strict=True))
            close = all(a == b or (len(b) >= 3 and OSA.normalized_similarity(a, b) >= TYPO_CUTOFF - 0.05)
                        for a, b in zip(name, phrase, strict=True))
            if close and exact:
                return kinds
        return []

    def _misspelt(self, word: str) -> list[Kind]:
        best = self._closest(word) if len(word) >= 5 else None
        return self.by_name[(best,)] if best else []


def _member(spec: KindSpec, name: tuple[str, ...], brand: tuple[str, ...], category: tuple[str, ...]) -> bool:
    if any(_holds(name, phrase) for phrase in spec.excluded):
        return False
    if spec.within and not any(_holds(category, phrase) for phrase in spec.within):
        return False
    return (any(name[:len(h)] == h for h in spec.heads) or any(_holds(name, w) for w in spec.words)
            or any(brand == b for b in spec.brands) or any(_holds(category, c) for c in spec.categories))
