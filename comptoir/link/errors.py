"""What a subscriber tells the link when it cannot take a message now."""

from __future__ import annotations


class StoreUnavailable(Exception):
    """The subscriber's storage cannot take messages now (disk full, database locked, I/O error, read-only).

    Not the message's fault, so it must not become a dead letter: the link
    keeps the messages unacknowledged, waits (bounded exponential backoff)
    and hands the same messages again, in the same order, until the store
    takes them. ``reason`` is what health pages and log lines show.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
