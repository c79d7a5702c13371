"""The kiosk assistant: one question in, one grounded answer out.

Flow: language (fr/en) -> intent (rules) -> product (lexical + embedding
match, with a confidence) -> facts from the hub (price, place, shelf count
and its time) -> sentences from fixed templates. Below the confidence
threshold it asks which product, or offers a person; it never answers with a
figure it did not read from the hub.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
import sqlite_utils

from hub.assistant import attributes, disclosure, followup, listing, phrasing
from hub.assistant.embeddings import DIM, Embedder, product_vectors
from hub.assistant.everyday import normalise
from hub.assistant.faq import DEFAULT_FAQ, load_faq
from hub.assistant.intents import CUE_WORDS, classify
from hub.assistant.kinds import KINDS_FILE, KindIndex, load_kinds
from hub.assistant.language import Lang, detect
from hub.assistant.matching import Candidate, CatalogEntry, ProductIndex, Query
from hub.assistant.sessions import Session, Sessions
from hub.assistant.text import tokens
from hub.config import KioskSettings
from hub.inventory.facts import ProductFacts, StockReader
from hub.recommend.service import Recommender

log = logging.getLogger("hub.assistant")

_THANKS = re.compile(r"\b(?:merci\w*|thanks?|thank you|cheers|ta|super|parfait|perfect|great|top|nickel)\b")
PRODUCT_INTENTS = frozenset({"where", "stock", "price", "details", "pairing", "product"})
FOLLOW_UPS = PRODUCT_INTENTS - {"product"}
#: Raises the "customer asks for help" alert for a kiosk; returns False if it could not.
CallStaff = Callable[[str], bool]


@dataclass
class Reply:
    answer: str
    lang: Lang
    intent: str
    products: list[ProductFacts] = field(default_factory=list)
    handoff: bool = False
    confidence: float = 0.0
    suggestions: list[str] = field(default_factory=list)  # reasons, parallel to products past the first ones
    #: What to say above the product cards on a screen that shows them (the answer minus the per-product lines).
    headline: str = ""
    #: The property asked about (``gluten_free``, ``allergen:nuts``...) and the products presented as having it:
    #: only those whose catalog row states it.
    attribute: str | None = None
    confirmed: list[str] = field(default_factory=list)
    #: The answer says it again in this other language (a disclosure whose language the question does not show).
    also_in: Lang | None = None


class Assistant:
    def __init__(self, db: sqlite_utils.Database, stock: StockReader, settings: KioskSettings | None = None,
                 clock_now: Callable[[], datetime] | None = None, call_staff: CallStaff | None = None,
                 embedder: Embedder | None = None, recommender: Recommender | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.db = db
        self.stock = stock
        self.settings = settings or KioskSettings()
        self.clock_now = clock_now or (lambda: datetime.now(UTC))
        self.call_staff = call_staff
        self.embedder = embedder or Embedder(threads=self.settings.embedding_threads)
        self.recommender = recommender or Recommender(db, stock, min_support=self.settings.min_support)
        self.monotonic = monotonic
        self.zone = ZoneInfo(self.settings.timezone)
        self.faq = load_faq(self.settings.faq or DEFAULT_FAQ)
        self.faq_keywords = {t: e.keywords for t, e in self.faq.items()}
        self.index: ProductIndex | None = None
        self.kind_specs = load_kinds(self.settings.kinds or KINDS_FILE)
        self.kinds: KindIndex | None = None
        self._catalog_signature: tuple | None = None
        self._catalog_checked = -float("inf")
        self._incomplete = False
        #: Most products embedded while answering one question (the rest wait for the next ones).
        self.embed_budget: int | None = None
        self.sessions = Sessions(self.settings.session_minutes, monotonic)

    # -- the catalog index ------------------------------------------------------------------
    def _signature(self) -> tuple:
        return tuple(self.db.execute(
            "SELECT COUNT(*), COALESCE(MAX(gtin), ''), TOTAL(LENGTH(name) + LENGTH(brand) + LENGTH(category)) "
            "FROM products").fetchone())

    def ensure_index(self, progress: Callable[[int, int], None] | None = None,
                     budget: int | None = None) -> ProductIndex:
        """(Re)build the product index when the catalog changed (checked at most every 30 s).

        ``budget``: most products embedded in this call; the rest are matched by words only until a
        later call (or ``comptoir ask --build-index``) has embedded them.
        """
        now = self.monotonic()
        if self.index is not None and now - self._catalog_checked < 30.0 and not self._incomplete:
            return self.index
        self._catalog_checked = now
        signature = self._signature()
        if self.index is None or signature != self._catalog_signature or self._incomplete:
            entries = [CatalogEntry(*row) for row in self.db.execute(
                "SELECT gtin, name, brand, category FROM products ORDER BY gtin")]
            vectors, left = product_vectors(self.db, {e.gtin: e.text for e in entries}, self.embedder, progress,
                                            budget)
            self._incomplete = left > 0
            blank = np.zeros(DIM, dtype=np.float32)
            matrix = (np.vstack([vectors.get(e.gtin, blank) for e in entries]) if entries
                      else np.zeros((0, DIM), dtype=np.float32))
            self.index = ProductIndex(entries, matrix, self.embedder)
            self.kinds = KindIndex(self.kind_specs, [(e.gtin, e.name, e.brand, e.category) for e in entries],
                                   ignore=CUE_WORDS)
            self.embedder.one("bonjour")  # the first call pays for the engine's warm-up, not a customer
            self._catalog_signature = signature
            log.info("product index built", extra={"products": len(entries)})
        return self.index

    # -- answering ------------------------------------------------------------------------------
    def ask(self, text: str, lang: Lang | None = None, session: str | None = None, kiosk: str = "kiosk",
            customer: str | None = None, page_lang: Lang | None = None) -> Reply:
        """Answer ``text``. ``lang`` forces the answer's language; ``page_lang`` (what the kiosk page shows)
        is only the fallback for a question that shows no language ("pesto"), before the conversation's."""
        text = text or ""
        remembered = self.sessions.get(session)
        fallback: Lang = page_lang if page_lang in ("fr", "en") else (remembered.lang if remembered else "fr")
        intent = classify(text, self.faq_keywords)
        reply = self._answer(text, intent.name, intent.faq_topic, lang, fallback, remembered, kiosk, customer,
                             hinted=page_lang in ("fr", "en") or remembered is not None)
        if reply.products and not reply.headline:  # the answer's lines that no card repeats
            reply.headline = "\n".join(line for line in reply.answer.split("\n") if not line.startswith("•"))
        self.sessions.remember(session, reply.lang, [p.gtin for p in reply.products[:listing.SHOWN]], reply.intent,
                               PRODUCT_INTENTS)
        self._count(reply, text, kiosk)
        return reply

    def _language(self, text: str, lang: Lang | None, fallback: Lang, query: Query | None = None,
                  hinted: bool = False) -> Lang:
        """``hinted``: ``fallback`` is the page's or the conversation's language, a better sign than a catalog
        word that both languages share ("pesto", "AAA"), so catalog words are not counted as French then."""
        if lang in ("fr", "en"):
            return lang
        found, _ = detect(text[:500], fallback, fr_words=query.french_words if query and not hinted else 0,
                          en_words=query.english_words if query else 0)
        return found

    def _answer(self, text: str, intent: str, topic: str | None, lang: Lang | None, fallback: Lang,
                remembered: Session | None, kiosk: str, customer: str | None, hinted: bool = False) -> Reply:
        if intent in ("empty", "too_long"):
            chosen = lang or fallback
            return Reply(phrasing.message(intent, chosen), chosen, intent)
        if intent == "refused":
            chosen = self._language(text, lang, fallback)
            return Reply(phrasing.message("refused", chosen), chosen, intent, handoff=True)
        if intent == "disclosure":
            return self._disclosure(text, lang, fallback)
        if intent in ("out_of_scope", "staff_offer"):
            chosen = self._language(normalise(text), lang, fallback)  # "r u a bot": its shortcuts spelled out
            return Reply(phrasing.message(intent, chosen), chosen, intent, handoff=True)
        if intent == "staff":
            chosen = self._language(text, lang, fallback)
            called = self.call_staff(kiosk) if self.call_staff else False
            return Reply(phrasing.message("staff" if called else "staff_failed", chosen), chosen, intent,
                         handoff=True)
        if intent == "faq" and topic:
            chosen = self._language(text, lang, fallback)
            entry = self.faq[topic]
            return Reply(entry.fr if chosen == "fr" else entry.en, chosen, intent)
        index = self.ensure_index(budget=self.embed_budget)
        plain = normalise(text)
        asked = attributes.asked(plain) if intent != "pairing" else None
        if remembered and remembered.gtins and intent != "pairing" and asked is None:
            pointed, intent = followup.point(
                plain, intent, remembered.conversation(), index,
                CUE_WORDS, FOLLOW_UPS, lambda gtins: {g: f.price_cents for g, f in
                                                      self.stock.facts(gtins, self._now()).items()}, raw=text)
            if pointed:
                return self._about(intent, pointed, self._language(text, lang, fallback), 1.0, customer)
        if asked is None and intent != "pairing":
            sized = followup.sized(plain, index, CUE_WORDS)
            if sized:
                return self._about(intent if intent != "greeting" else "product", [sized],
                                   self._language(text, lang, fallback), 1.0, customer)
        if asked is not None:
            plain = attributes.without(plain, asked)
        query, blend, lexical, semantic = index.scores(plain, ignore=CUE_WORDS)
        candidates = index.top(blend, lexical, semantic)
        if self.kinds is not None:
            fr, en = self.kinds.language_cues([w for w in tokens(plain) if w not in CUE_WORDS])
            query.french_words += fr
            query.english_words += en
        chosen = self._language(text, lang, fallback, query, hinted)
        scope = listing.kind_scope(plain, index, self.kinds, CUE_WORDS, self.settings.confident, blend) \
            if self.kinds is not None and intent != "pairing" else None
        if asked is not None:
            about = followup.asked_about(plain, remembered.conversation(), CUE_WORDS) \
                if query.empty and remembered and remembered.gtins else None
            return self._attribute(asked.name, scope, candidates, query.empty, intent, chosen, about)
        if scope is not None and not (scope.narrowed and len(scope.gtins) == 1):
            return self._listing(scope, intent, chosen)
        if scope is not None:
            return self._about(intent, scope.gtins, chosen, 1.0, customer)
        if intent == "greeting" and (not candidates or candidates[0].score < self.settings.confident):
            # "merci !" at the end of a conversation is thanks, not a new hello
            key = "thanks" if remembered and _THANKS.search(plain) else "greeting"
            return Reply(phrasing.message(key, chosen), chosen, intent)
        if intent == "greeting":
            intent = "product"
        named = any(c.lexical > 0 for c in candidates)
        if query.empty:
            # "et combien ça coûte ?": the product is the one this conversation was about
            if remembered and remembered.gtins and intent in FOLLOW_UPS:
                return self._about(intent, remembered.gtins[:1], chosen, 1.0, customer)
            if intent in FOLLOW_UPS:
                return Reply(phrasing.message("which_product", chosen), chosen, intent)
            return Reply(phrasing.message("unknown", chosen), chosen, "unknown", handoff=True)
        best = candidates[0].score if candidates else 0.0
        if not named:
            # no word of the question is in the catalog: not a product we know, maybe not a product at all
            key = "unknown" if intent == "product" else "not_found"
            return Reply(phrasing.message(key, chosen), chosen, "unknown" if intent == "product" else intent,
                         handoff=True, confidence=best)
        if best >= self.settings.confident:
            # the products the words name equally ("penne": every brand's) or nearly as well as the best
            top_lexical = candidates[0].lexical
            group = [c.gtin for c in candidates if c.score >= self.settings.confident
                     and (c.score >= best - 0.03 or c.lexical >= top_lexical > 0)][:4]
            return self._about(intent, group, chosen, best, customer)
        if best >= self.settings.ask_below:
            return self._clarify(intent, candidates[:3], chosen, best)
        return Reply(phrasing.message("not_found", chosen), chosen, intent, handoff=True, confidence=best)

    def _disclosure(self, text: str, lang: Lang | None, fallback: Lang) -> Reply:
        """Say it is an AI, in the customer's language; in both when the question does not show which."""
        if lang in ("fr", "en"):
            return Reply(phrasing.message("disclosure", lang), lang, "disclosure", handoff=True)
        found, other = disclosure.languages(normalise(text), fallback)
        answer = phrasing.message("disclosure", found)
        if other is not None:
            answer = f"{answer}\n\n{phrasing.message('disclosure', other)}"
        return Reply(answer, found, "disclosure", handoff=True, also_in=other)

    def _now(self) -> float:
        return self.clock_now().timestamp()

    def _clarify(self, intent: str, candidates: list[Candidate], lang: Lang, best: float) -> Reply:
        facts = self.stock.facts([c.gtin for c in candidates], self._now())
        ordered = [facts[c.gtin] for c in candidates if c.gtin in facts]
        joiner = " ou " if lang == "fr" else " or "
        options = joiner.join(phrasing.label(f) for f in ordered)
        return Reply(phrasing.message("clarify", lang, options=options), lang, intent, ordered, confidence=best,
                     headline=phrasing.message("clarify", lang, options=", ".join(f.name for f in ordered)))

    def _about(self, intent: str, gtins: list[str], lang: Lang, confidence: float, customer: str | None) -> Reply:
        now = self._now()
        facts = self.stock.facts(gtins, now)
        found = [facts[g] for g in gtins if g in facts]
        if not found:
            return Reply(phrasing.message("not_found", lang), lang, intent, handoff=True)
        stale = self.settings.stale_minutes * 60
        if intent == "pairing":
            return self._pairing(found[0], lang, now, confidence, customer)
        lines: list[str] = []
        if len(found) == 1:
            lines.append(phrasing.lead(intent, found[0], lang))
            lines.append(phrasing.shelf_state(found[0], self.zone, lang, now, stale))
        else:
            lines.append(phrasing.message("several", lang))
            for f in found:
                lines.append(f"• {phrasing.summary(f, lang)} {phrasing.shelf_state(f, self.zone, lang, now, stale)}")
        products = list(found)
        headline = [phrasing.message("several", lang)]
        handoff = False
        if all(f.on_shelf == 0 for f in found):
            alternative = self._alternative(found[0], now, exclude={f.gtin for f in found})
            if alternative is not None:
                lines.append(f"{phrasing.message('alternative', lang)} {phrasing.summary(alternative, lang)} "
                             f"{phrasing.shelf_state(alternative, self.zone, lang, now, stale)}")
                headline.append(phrasing.message("alternative", lang))
                products.append(alternative)
            else:
                lines.append(phrasing.message("no_alternative", lang))
                headline.append(lines[-1])
                handoff = True
        return Reply("\n".join(lines), lang, intent, products, handoff=handoff, confidence=confidence,
                     headline="\n".join(headline))

    def _listing(self, scope: listing.KindScope, intent: str, lang: Lang) -> Reply:
        """Several products of one kind, most relevant first, each with its place, price and shelf count."""
        now = self._now()
        looked = scope.gtins[:listing.SHOWN * 3]  # facts only for those that may be shown (a kind may be hundreds)
        facts = self.stock.facts(looked, now)
        found = listing.ordered([facts[g] for g in looked if g in facts])
        if not found:
            return Reply(phrasing.message("not_found", lang), lang, intent, handoff=True)
        shown = found[:listing.SHOWN]
        head = phrasing.message("kind", lang, label=listing.kind_label(scope.kind, lang))
        lines = [head, *listing.lines(shown, lang, self.zone, now, self.settings.stale_minutes * 60)]
        headline = [head]
        if len(scope.gtins) > len(shown):
            headline.append(phrasing.message("kind_more", lang))
            lines.append(headline[-1])
        return Reply("\n".join(lines), lang, intent, shown, confidence=1.0, headline="\n".join(headline))

    def _attribute(self, name: str, scope: listing.KindScope | None, candidates: list[Candidate], nothing_named: bool,
                   intent: str, lang: Lang, about: list[str] | None = None) -> Reply:
        """A property asked for: stated only for the products whose catalog row states it.

        ``about``: the products a follow-up points at ("is it organic?"), asked about instead of the catalog.
        """
        now = self._now()
        stating = self.stock.stating(name)
        if about:
            gtins, nothing_named = about, False
        elif scope is not None:
            gtins = scope.gtins
        elif nothing_named:  # "anything gluten-free?": what the catalog states, nothing else
            gtins = sorted(stating)
        else:
            best = candidates[0].score if candidates else 0.0
            gtins = [c.gtin for c in candidates if c.lexical > 0 and c.score >= max(self.settings.ask_below,
                                                                                    best - 0.1)]
        stated_gtins = [g for g in gtins if g in stating][:listing.SHOWN * 2]
        if not stated_gtins and scope is not None and not about and self.kinds is not None:
            # "vegan milk": no milk is, a plant drink may be (the kind's ``instead``)
            stated_gtins = [g for key in scope.kind.spec.instead if key in self.kinds.by_key
                            for g in self.kinds.by_key[key].members if g in stating][:listing.SHOWN * 2]
        prop = attributes.said(name, lang)
        stale = self.settings.stale_minutes * 60
        caution = [phrasing.message("attribute_caution", lang)] if name.startswith(("allergen:", "gluten",
                                                                                     "lactose")) else []
        if stated_gtins:
            facts = self.stock.facts(stated_gtins, now)
            shown = listing.ordered([facts[g] for g in stated_gtins if g in facts and facts[g].states(name)])
            shown = shown[:listing.SHOWN]
            head = phrasing.message("attribute_stated", lang, property=prop)
            lines = [head, *listing.lines(shown, lang, self.zone, now, stale), *caution]
            return Reply("\n".join(lines), lang, "attribute", shown, confidence=1.0, attribute=name,
                         confirmed=[f.gtin for f in shown], headline="\n".join([head, *caution]))
        head = [phrasing.message("attribute_unknown", lang, property=prop)]
        looked = [] if nothing_named else gtins[:listing.SHOWN * 2]
        facts = self.stock.facts(looked, now)
        shown = listing.ordered([facts[g] for g in looked if g in facts])[:listing.SHOWN]
        if shown:
            head.append(phrasing.message("attribute_unknown_list", lang, property=prop))
        lines = [*head, *listing.lines(shown, lang, self.zone, now, stale)]
        return Reply("\n".join(lines), lang, "attribute", shown, handoff=True, attribute=name,
                     headline="\n".join(head))

    def _alternative(self, product: ProductFacts, now: float, exclude: set[str]) -> ProductFacts | None:
        members = [g for g in self.stock.category_members(product.category, product.gtin) if g not in exclude]
        ordered = self.ensure_index(budget=self.embed_budget).nearest(product.gtin, members)
        for start in range(0, len(ordered), 20):
            facts = self.stock.facts(ordered[start:start + 20], now)
            for gtin in ordered[start:start + 20]:
                f = facts.get(gtin)
                if f is not None and f.on_shelf:
                    return f
        return None

    def _pairing(self, product: ProductFacts, lang: Lang, now: float, confidence: float,
                 customer: str | None) -> Reply:
        suggestions, _ = self.recommender.for_product(product.gtin, now, customer=customer, k=3)
        together = [s for s in suggestions if s.kind in ("together", "buy_again")]
        name = phrasing.label(product)
        if not together:
            return Reply(phrasing.message("pairing_none", lang, name=name), lang, "pairing", [product],
                         confidence=confidence)
        lines = [phrasing.message("pairing", lang, name=name)]
        stale = self.settings.stale_minutes * 60
        for s in together:
            state = phrasing.shelf_state(s.facts, self.zone, lang, now, stale)
            lines.append(f"• {phrasing.summary(s.facts, lang)} {state}")
        return Reply("\n".join(lines), lang, "pairing", [product, *(s.facts for s in together)],
                     confidence=confidence)

    # -- what is kept -----------------------------------------------------------------------------
    def _count(self, reply: Reply, text: str, kiosk: str) -> None:
        now = self.clock_now()
        day = now.astimezone(UTC).date().isoformat()
        try:
            with self.db.conn:
                self.db.conn.execute(
                    "INSERT INTO kiosk_intent_counts (day, intent, lang, count) VALUES (?, ?, ?, 1) "
                    "ON CONFLICT(day, intent, lang) DO UPDATE SET count = count + 1", (day, reply.intent, reply.lang))
                if self.settings.log_conversations:
                    self.db.conn.execute(
                        "INSERT INTO kiosk_log (time, kiosk, lang, intent, question, answer) VALUES (?, ?, ?, ?, ?, ?)",
                        (now.timestamp(), kiosk, reply.lang, reply.intent, text[:500], reply.answer[:2000]))
        except Exception:
            log.exception("could not count a kiosk question")

