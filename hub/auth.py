"""Staff accounts and sign-in sessions.

Passwords are hashed with Argon2id (argon2-cffi); only a SHA-256 of each
session token is stored, so a copy of the database opens no session.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

import sqlite_utils
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ROLES = ("staff", "manager")
_USERNAME = re.compile(r"^[A-Za-z0-9._-]{2,40}$")
MIN_PASSWORD = 8

_hasher = PasswordHasher()
# verified against when the user does not exist, so both cases take the same time
_DUMMY_HASH = _hasher.hash("not a real password")


class AuthError(ValueError):
    """A user or password that cannot be accepted; the message says why."""


@dataclass(frozen=True)
class Session:
    username: str
    role: str
    expires: float


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(db: sqlite_utils.Database, username: str, password: str, role: str, now: float) -> None:
    if not _USERNAME.match(username):
        raise AuthError("username must be 2-40 letters, digits, '.', '_' or '-'")
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"password must have at least {MIN_PASSWORD} characters")
    if role not in ROLES:
        raise AuthError(f"role must be one of {', '.join(ROLES)}")
    with db.conn:
        db.conn.execute(
            "INSERT INTO users (username, password_hash, role, created) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(username) DO UPDATE SET password_hash=excluded.password_hash, role=excluded.role",
            (username, _hasher.hash(password), role, now),
        )


def sign_in(db: sqlite_utils.Database, username: str, password: str, now: float, hours: float) -> str | None:
    """Check the password; return a new session token, or None."""
    row = db.execute("SELECT password_hash FROM users WHERE username = ?", (username,)).fetchone()
    try:
        _hasher.verify(row[0] if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    token = secrets.token_urlsafe(32)
    with db.conn:
        db.conn.execute("DELETE FROM sessions WHERE expires < ?", (now,))
        db.conn.execute(
            "INSERT INTO sessions (token_hash, username, created, expires) VALUES (?, ?, ?, ?)",
            (_token_hash(token), username, now, now + hours * 3600),
        )
    return token


def session_for(db: sqlite_utils.Database, token: str, now: float) -> Session | None:
    row = db.execute(
        "SELECT s.username, u.role, s.expires FROM sessions s JOIN users u USING (username) "
        "WHERE s.token_hash = ? AND s.expires >= ?",
        (_token_hash(token), now),
    ).fetchone()
    return Session(*row) if row else None


def sign_out(db: sqlite_utils.Database, token: str) -> None:
    with db.conn:
        db.conn.execute("DELETE FROM sessions WHERE token_hash = ?", (_token_hash(token),))
