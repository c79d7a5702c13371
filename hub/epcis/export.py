"""The export: movements of a time window, optionally of some products, as one EPCISDocument."""

from __future__ import annotations

import sqlite3
from typing import Any

from hub.epcis.document import epcis_document
from hub.epcis.query import EventQuery, Movement, select
from hub.epcis.settings import EpcisSettings


class TooManyEvents(ValueError):
    """The window holds more movements than ``epcis.max_events``: export a shorter window."""


def movements(conn: sqlite3.Connection, start: float, end: float, gtins: list[str] | None = None,
              limit: int = 10_000) -> list[Movement]:
    """Every movement with ``start <= time < end`` (of ``gtins`` if given), oldest first; TooManyEvents past limit."""
    found = select(conn, EventQuery(ge_time=start, lt_time=end, products=gtins or [], limit=limit + 1))
    if len(found) > limit:
        raise TooManyEvents(f"more than {limit} movements between these times; export a shorter window "
                            "(or raise epcis.max_events)")
    return sorted(found, key=lambda m: (m.time, m.id))


def export(conn: sqlite3.Connection, settings: EpcisSettings, store: str, start: float, end: float, now: float,
           gtins: list[str] | None = None) -> dict[str, Any]:
    """The EPCISDocument of the window."""
    return epcis_document(movements(conn, start, end, gtins, settings.max_events), settings, store, now)
