"""Partners' API tokens: a supplier or retail partner reads the EPCIS events and nothing else.

A token is not a staff session: it is checked only by the EPCIS endpoints
(hub/api/epcis/), and staff endpoints look only at ``sessions``, so a
partner's token opens nothing else. As with sessions, only a SHA-256 of the
token is stored. ``comptoir hub partners add NAME`` prints it once.
"""

from __future__ import annotations

import hashlib
import re
import secrets

import sqlite_utils

_NAME = re.compile(r"^[A-Za-z0-9._-]{2,40}$")


class PartnerError(ValueError):
    """A partner name or token that cannot be accepted; the message says why."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_partner(db: sqlite_utils.Database, name: str, now: float) -> str:
    """A new partner's token (returned once, stored hashed); an existing name gets a new token, the old one ends."""
    if not _NAME.match(name):
        raise PartnerError("a partner name is 2-40 letters, digits, '.', '_' or '-'")
    token = "epcis_" + secrets.token_urlsafe(32)
    with db.conn:
        db.conn.execute(
            "INSERT INTO partner_tokens (name, token_hash, created, revoked) VALUES (?,?,?,NULL) "
            "ON CONFLICT(name) DO UPDATE SET token_hash=excluded.token_hash, created=excluded.created, revoked=NULL",
            (name, _hash(token), now))
    return token


def revoke_partner(db: sqlite_utils.Database, name: str, now: float) -> bool:
    with db.conn:
        return db.conn.execute("UPDATE partner_tokens SET revoked=? WHERE name=? AND revoked IS NULL",
                               (now, name)).rowcount > 0


def partner_for(db: sqlite_utils.Database, token: str) -> str | None:
    """The partner a token belongs to, or None (unknown or revoked)."""
    row = db.execute("SELECT name FROM partner_tokens WHERE token_hash=? AND revoked IS NULL",
                     (_hash(token),)).fetchone()
    return row[0] if row else None


def partners(db: sqlite_utils.Database) -> list[tuple[str, float, float | None]]:
    """(name, created, revoked) of every partner."""
    return [tuple(r) for r in db.execute("SELECT name, created, revoked FROM partner_tokens ORDER BY name")]
