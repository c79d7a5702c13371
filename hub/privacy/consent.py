"""The consent ledger: every consent given or withdrawn, by whom it was recorded, and when.

The ledger is append-only; the current state of a consent is its latest
entry. Personalisation reads it on every request, so a withdrawal takes
effect at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlite_utils

#: The one purpose the kiosk asks consent for.
PERSONALISATION = "personalised_recommendations"
PURPOSES = (PERSONALISATION,)
CUSTOMER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class ConsentError(ValueError):
    pass


@dataclass(frozen=True)
class ConsentEntry:
    customer_id: str
    purpose: str
    action: str  # given | withdrawn
    time: float
    recorded_by: str


def check_customer(customer_id: str) -> str:
    if not CUSTOMER_ID.match(customer_id or ""):
        raise ConsentError("a loyalty id is 1 to 64 letters, digits, '.', '_' or '-'")
    return customer_id


def record(db: sqlite_utils.Database, customer_id: str, purpose: str, given: bool, now: float,
           recorded_by: str) -> ConsentEntry:
    check_customer(customer_id)
    if purpose not in PURPOSES:
        raise ConsentError(f"unknown purpose {purpose!r}; known: {', '.join(PURPOSES)}")
    entry = ConsentEntry(customer_id, purpose, "given" if given else "withdrawn", now, recorded_by)
    with db.conn:
        db.conn.execute("INSERT INTO consent_ledger (customer_id, purpose, action, time, recorded_by) "
                        "VALUES (?, ?, ?, ?, ?)", (customer_id, purpose, entry.action, now, recorded_by))
    return entry


def has_consent(db: sqlite_utils.Database, customer_id: str, purpose: str = PERSONALISATION) -> bool:
    row = db.execute("SELECT action FROM consent_ledger WHERE customer_id = ? AND purpose = ? ORDER BY id DESC "
                     "LIMIT 1", [customer_id, purpose]).fetchone()
    return bool(row) and row[0] == "given"


def history(db: sqlite_utils.Database, customer_id: str) -> list[ConsentEntry]:
    return [ConsentEntry(*row) for row in db.execute(
        "SELECT customer_id, purpose, action, time, recorded_by FROM consent_ledger WHERE customer_id = ? "
        "ORDER BY id", [customer_id])]
