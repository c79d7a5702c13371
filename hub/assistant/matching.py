"""Finding the product a customer means: lexical/fuzzy matching (rapidfuzz) plus a sentence embedding.

The lexical side folds accents and plurals, translates everyday English shop
words to the catalog's French (``data/glossary.yaml``) and forgives typos
token by token (OSA edit distance against the catalog's vocabulary). The
embedding side (multilingual-e5) catches what the word lists miss, such as
a paraphrase. Each gives a score in 0..1; the blend is the confidence the
assistant compares with its thresholds.
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml
from rapidfuzz import process
from rapidfuzz.distance import OSA
from threadpoolctl import ThreadpoolController

from hub.assistant.embeddings import Embedder
from hub.assistant.text import STOPWORDS, fold, singular, tokens

GLOSSARY_FILE = Path(__file__).with_name("data") / "glossary.yaml"
#: One matrix-vector product is too small for BLAS threads: on a busy CPU they cost milliseconds of waiting.
_BLAS = ThreadpoolController()


@dataclass(frozen=True)
class MatchSettings:
    """How product matching weighs its two signals and forgives typos.

    ``lexical_weight`` + ``semantic_weight`` make the blend when some word of
    the question is in the catalog; with no word in common the embedding alone
    can reach at most ``semantic_only_cap`` (so the assistant asks rather than answers).
    ``typo_cutoff`` is the least normalised OSA similarity (edits, swapped letters counting as one) for a
    word to count as a misspelling of a catalog word: "hulie" is "huile", "alert" is not "alter".
    Words of ``long_word`` letters or more may carry two slips ("camanbert", "pedigri"): ``long_typo_cutoff``.
    ``semantic_span`` is how far above the median similarity a product must be to score 1.
    ``head_bonus`` favours products whose name starts with a word of the question (French names start
    with the head noun: "Beurre demi-sel" is butter, "Galettes au beurre" are biscuits); ``phrase_bonus``
    those holding a phrase of several words in its order ("jus d'orange", not "oranges à jus").
    """

    lexical_weight: float = 0.7
    semantic_weight: float = 0.3
    semantic_only_cap: float = 0.3
    typo_cutoff: float = 0.78
    long_word: int = 7
    long_typo_cutoff: float = 0.75
    semantic_span: float = 0.08
    category_factor: float = 0.6
    head_bonus: float = 0.1
    phrase_bonus: float = 0.05


@dataclass(frozen=True)
class CatalogEntry:
    gtin: str
    name: str
    brand: str
    category: str

    @property
    def text(self) -> str:
        return f"{self.name} {self.brand} ({self.category})"


@dataclass
class Candidate:
    gtin: str
    score: float
    lexical: float
    semantic: float


@dataclass
class Query:
    """A question's product words: concepts, each a list of alternative spellings (token lists)."""

    concepts: list[list[list[str]]] = field(default_factory=list)
    translated: bool = False
    english_words: int = 0  # glossary phrases that are English, not also French
    french_words: int = 0  # words that are the catalog's own (French) words


    @property
    def empty(self) -> bool:
        return not self.concepts


def load_glossary(path: Path = GLOSSARY_FILE) -> dict[tuple[str, ...], list[list[str]]]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    glossary: dict[tuple[str, ...], list[list[str]]] = {}
    for english, french in raw.items():
        key = tuple(tokens(str(english)))
        if key:
            glossary[key] = [tokens(str(f)) for f in french if tokens(str(f))]
    return glossary


def parse_query(text: str, glossary: dict[tuple[str, ...], list[list[str]]], ignore: frozenset[str],
                respell: Callable[[str], str] | None = None) -> Query:
    """Split a question into concepts, longest glossary phrases first (``olive oil`` before ``oil``).

    ``respell`` puts a misspelt English shop word right first ("suger" -> "sugar", "juce" -> "juice").
    """
    words = [w for w in tokens(text) if w not in ignore]
    if respell is not None:
        words = [respell(w) for w in words]
    longest = max((len(k) for k in glossary), default=1)
    query = Query()
    i = 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            phrase = tuple(words[i:i + size])
            if phrase in glossary:
                query.concepts.append([list(phrase), *glossary[phrase]])
                if list(phrase) not in glossary[phrase]:  # "pizza" is no sign of English
                    query.translated = True
                    query.english_words += 1
                i += size
                break
        else:
            query.concepts.append([[words[i]]])
            i += 1
    return query


class ProductIndex:
    """The catalog, ready to be searched: an inverted index of folded tokens and a matrix of vectors."""

    def __init__(self, entries: list[CatalogEntry], vectors: np.ndarray, embedder: Embedder | None,
                 settings: MatchSettings | None = None,
                 glossary: dict[tuple[str, ...], list[list[str]]] | None = None) -> None:
        self.entries = entries
        self.gtins = [e.gtin for e in entries]
        self.by_gtin = {e.gtin: e for e in entries}
        self.position = {g: i for i, g in enumerate(self.gtins)}
        self.vectors = vectors
        self.embedder = embedder
        self.settings = settings or MatchSettings()
        self.glossary = glossary if glossary is not None else load_glossary()
        self.postings: dict[str, dict[int, float]] = defaultdict(dict)
        self.heads: dict[str, set[int]] = defaultdict(set)
        self.phrases = [" " + " ".join(tokens(f"{e.name} {e.brand}")) + " " for e in entries]
        for i, e in enumerate(entries):
            name_tokens = tokens(e.name)
            if name_tokens:
                self.heads[name_tokens[0]].add(i)
            for token in tokens(f"{e.name} {e.brand}"):
                self.postings[token][i] = 1.0
            for token in tokens(e.category):
                self.postings[token].setdefault(i, self.settings.category_factor)
        self.vocabulary = list(self.postings)
        self.english = sorted({w for key in self.glossary for w in key if w not in self.postings and len(w) > 3})
        self.brand_words = {t for e in entries for t in tokens(e.brand)}
        n = max(1, len(entries))
        self.idf = {t: math.log(1 + n / len(p)) for t, p in self.postings.items()}

    def __len__(self) -> int:
        return len(self.entries)

    def _similar_tokens(self, token: str) -> list[tuple[str, float]]:
        """Catalog tokens that are ``token`` or a plausible misspelling of it, with a similarity in 0..1."""
        exact = [(token, 1.0)] if token in self.postings else []
        if len(token) <= 3 or any(c.isdigit() for c in token):
            return exact
        cutoff = self.settings.long_typo_cutoff if len(token) >= self.settings.long_word else self.settings.typo_cutoff
        found = process.extract(token, self.vocabulary, scorer=OSA.normalized_similarity,
                                score_cutoff=cutoff, limit=8)
        fuzzy = [(word, float(score)) for word, score, _ in found if word != token]
        return exact + fuzzy

    @functools.lru_cache(maxsize=4096)  # noqa: B019 (one index per catalog; rebuilt, not mutated)
    def respell(self, token: str) -> str:
        """``token``, or the English glossary word it misspells when that is closer than any catalog word."""
        if token in self.postings or len(token) <= 3 or any(c.isdigit() for c in token) or token in self.english:
            return token
        cutoff = self.settings.long_typo_cutoff if len(token) >= self.settings.long_word else self.settings.typo_cutoff
        english = process.extractOne(token, self.english, scorer=OSA.normalized_similarity, score_cutoff=cutoff)
        if english is None:
            return token
        catalog = process.extractOne(token, self.vocabulary, scorer=OSA.normalized_similarity)
        return english[0] if catalog is None or english[1] > catalog[1] else token

    def lexical(self, query: Query) -> np.ndarray:
        """Per product, the weighted share of the question's concepts it matches."""
        total = np.zeros(len(self.entries), dtype=np.float32)
        heads = np.zeros(len(self.entries), dtype=np.float32)
        phrases = np.zeros(len(self.entries), dtype=np.float32)
        weights = 0.0
        named = False  # sizes alone ("1", "500 g") never make a match
        for concept in query.concepts:
            best = np.zeros(len(self.entries), dtype=np.float32)
            weight = 0.0
            for alternative in concept:
                if len(alternative) > 1:
                    phrase = " " + " ".join(alternative) + " "
                    for i, text in enumerate(self.phrases):
                        if phrase in text:
                            phrases[i] = 1.0
                per_token = []
                for position, token in enumerate(alternative):
                    score = np.zeros(len(self.entries), dtype=np.float32)
                    for word, similarity in self._similar_tokens(token):
                        weight = max(weight, self.idf[word])
                        # the head noun of a French phrase (not of the English one it translates) starts the name
                        if position == 0 and (len(concept) == 1 or alternative is not concept[0]):
                            for i in self.heads.get(word, ()):
                                heads[i] = max(heads[i], similarity)
                        for i, factor in self.postings[word].items():
                            score[i] = max(score[i], similarity * factor)
                    per_token.append(score)
                if per_token:
                    best = np.maximum(best, np.mean(per_token, axis=0))
            if weight:  # a word found nowhere in the catalog (a greeting, a verb) does not count against anyone
                total += weight * best
                weights += weight
                named |= not all(_numeric(t) and not self.names_number(t) for t in concept[0])
        if not weights or not named:
            return np.zeros(len(self.entries), dtype=np.float32)
        head, phrase = self.settings.head_bonus, self.settings.phrase_bonus
        return (1.0 - head - phrase) * (total / weights) + (head * heads + phrase * phrases) * (total > 0)

    def names_number(self, token: str) -> bool:
        """A number that is a word of few names, not a size ("1664" of the beer; "500" is in every "500 g")."""
        return token.isdigit() and len(token) >= 3 and 0 < len(self.postings.get(token, ())) <= 3

    def semantic(self, text: str) -> np.ndarray:
        if self.embedder is None or not len(self.entries) or not text.strip():
            return np.zeros(len(self.entries), dtype=np.float32)
        query = self.embedder.one(text)
        with _BLAS.limit(limits=1, user_api="blas"):
            similarities = self.vectors @ query
        median = float(np.median(similarities))
        return np.clip((similarities - median) / self.settings.semantic_span, 0.0, 1.0)

    def scores(self, text: str, ignore: frozenset[str] = frozenset()) -> tuple[Query, np.ndarray, np.ndarray,
                                                                              np.ndarray]:
        """The question's product words, and per product its confidence (the blend), lexical and semantic scores."""
        query = parse_query(text, self.glossary, ignore, self.respell)
        if all(all(_numeric(t) and not self.names_number(t) for t in c[0]) for c in query.concepts):
            query.concepts = []  # "1", "500 g": sizes qualify a product, they do not name one
        # a brand ("Lipton", "Pampers") is no sign of French
        query.french_words = sum(1 for c in query.concepts if len(c) == 1 and all(
            t in self.postings and t not in self.brand_words for t in c[0]))
        zeros = np.zeros(len(self.entries), dtype=np.float32)
        if query.empty or not len(self.entries):
            return query, zeros, zeros, zeros
        lexical = self.lexical(query)
        product_words = " ".join(" ".join(c[0]) for c in query.concepts)
        semantic = self.semantic(product_words)
        s = self.settings
        if lexical.max() > 0:
            blend = s.lexical_weight * lexical + s.semantic_weight * semantic
        else:
            blend = s.semantic_only_cap * semantic
        return query, blend, lexical, semantic

    def lexical_only(self, text: str, ignore: frozenset[str] = frozenset()) -> np.ndarray:
        """Per product, the lexical score alone (no embedding: cheap enough to call again on part of a question)."""
        query = parse_query(text, self.glossary, ignore, self.respell)
        if query.empty or not len(self.entries):
            return np.zeros(len(self.entries), dtype=np.float32)
        return self.lexical(query)

    def search(self, text: str, ignore: frozenset[str] = frozenset(), limit: int = 5) -> tuple[Query, list[Candidate]]:
        """The best ``limit`` products for ``text`` with their confidence, best first."""
        query, blend, lexical, semantic = self.scores(text, ignore)
        return query, self.top(blend, lexical, semantic, limit)

    def top(self, blend: np.ndarray, lexical: np.ndarray, semantic: np.ndarray, limit: int = 5) -> list[Candidate]:
        """The ``limit`` best products of a ``scores`` result, best first."""
        if not len(blend):
            return []
        top = np.argsort(-blend)[:limit]
        return [Candidate(self.gtins[i], round(float(blend[i]), 4), round(float(lexical[i]), 4),
                          round(float(semantic[i]), 4)) for i in top if blend[i] > 0]

    def nearest(self, gtin: str, among: list[str]) -> list[str]:
        """``among`` ordered by embedding similarity to ``gtin`` (for alternatives in the same category)."""
        if gtin not in self.position or not among:
            return among
        base = self.vectors[self.position[gtin]]
        scored = [(float(self.vectors[self.position[g]] @ base), g) for g in among if g in self.position]
        return [g for _, g in sorted(scored, reverse=True)]


_UNITS = frozenset({"g", "kg", "l", "cl", "ml", "x", "m", "%"})


def _numeric(token: str) -> bool:
    return token in _UNITS or any(c.isdigit() for c in token)


def folded_words(text: str) -> set[str]:
    return {singular(w) for w in fold(text).split() if w not in STOPWORDS}
