"""Short-lived customer tokens: the only way the public kiosk reaches a loyalty customer's purchases.

Staff (or a till signed in as staff) scan a consenting customer's card and
get a random token bound to that card; the kiosk sends it back for
personalised suggestions. The kiosk never names a card, so no public answer
can tell whether a card exists or consented.

Tokens live in memory only, hashed: they last minutes, a restart ending them
costs a customer one more scan, and nothing on disk (or in a backup) links a
token to a card. The store is bounded; the oldest token goes first. Expiry
counts wall-clock time (``time.monotonic``): a person stands at the kiosk,
whatever speed a simulated shop runs at.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable

MAX_TOKENS = 10_000


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CustomerTokens:
    def __init__(self, ttl_s: float, monotonic: Callable[[], float] = time.monotonic,
                 max_tokens: int = MAX_TOKENS) -> None:
        self.ttl_s = ttl_s
        self.monotonic = monotonic
        self.max_tokens = max_tokens
        self._tokens: OrderedDict[str, tuple[str, float]] = OrderedDict()

    def issue(self, customer_id: str) -> str:
        """A new token for ``customer_id`` (whose consent the caller has checked)."""
        now = self.monotonic()
        self._drop_expired(now)
        while len(self._tokens) >= self.max_tokens:
            self._tokens.popitem(last=False)
        token = secrets.token_urlsafe(24)
        self._tokens[_digest(token)] = (customer_id, now + self.ttl_s)
        return token

    def customer(self, token: str | None) -> str | None:
        """The card a live token is bound to; None for no token, an unknown or an expired one."""
        if not token or len(token) > 100:
            return None
        found = self._tokens.get(_digest(token))
        if found is None or found[1] < self.monotonic():
            return None
        return found[0]

    def revoke(self, customer_id: str) -> int:
        """End every token of a card (consent withdrawn, data erased)."""
        gone = [key for key, (customer, _) in self._tokens.items() if customer == customer_id]
        for key in gone:
            del self._tokens[key]
        return len(gone)

    def _drop_expired(self, now: float) -> None:
        while self._tokens:
            key, (_, expires) = next(iter(self._tokens.items()))
            if expires >= now:
                break
            del self._tokens[key]
