"""What the kiosk remembers of a conversation: for a couple of minutes, in memory only, a thousand at most.

Enough to answer "and the big one?" or "le deuxième, c'est combien ?": the
products the last answer showed, the last list of several, the last thing
asked about a product, and the products asked about one at a time, in
order. Nothing is written to disk; a conversation is forgotten
``session_minutes`` after its last question (docs/kiosk.md).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from hub.assistant import followup
from hub.assistant.language import Lang

#: Most conversations held at once; the oldest is forgotten first.
MOST = 1000


@dataclass
class Session:
    lang: Lang
    gtins: list[str]  # what the last answer was about (its products)
    expires: float
    listing: list[str] = field(default_factory=list)  # the last answer that showed several products
    intent: str = "product"  # the last thing asked about a product (price, stock, where...)
    history: tuple[str, ...] = ()  # the products the answers were about, in order, each once ("le deuxième")

    def conversation(self) -> followup.Conversation:
        return followup.Conversation(self.gtins, self.listing, self.intent, self.history)


class Sessions:
    """Conversations by key, each forgotten ``minutes`` after its last answer."""

    def __init__(self, minutes: float, monotonic: Callable[[], float]) -> None:
        self.minutes = minutes
        self.monotonic = monotonic
        self._held: OrderedDict[str, Session] = OrderedDict()

    def get(self, key: str | None) -> Session | None:
        if not key:
            return None
        now = self.monotonic()
        while self._held:
            oldest_key, oldest = next(iter(self._held.items()))
            if oldest.expires > now and len(self._held) <= MOST:
                break
            self._held.pop(oldest_key)
        return self._held.get(key)

    def remember(self, key: str | None, lang: Lang, gtins: list[str], intent: str, product_intents: frozenset[str],
                 ) -> None:
        """After an answer in ``lang`` about ``gtins`` (the products it showed) for ``intent``."""
        if not key:
            return
        previous = self._held.pop(key, None)
        self._held[key] = Session(
            lang, gtins or (previous.gtins if previous else []), self.monotonic() + self.minutes * 60,
            listing=gtins if len(gtins) > 1 else (previous.listing if previous else []),
            intent=intent if intent in product_intents else (previous.intent if previous else "product"),
            history=_history(previous.history if previous else (), gtins))


def _history(before: tuple[str, ...], shown: list[str]) -> tuple[str, ...]:
    """The products asked about one at a time, in order, each once, the last ten (a list adds none)."""
    if len(shown) != 1 or shown[0] in before:
        return before
    return (*before, shown[0])[-10:]
