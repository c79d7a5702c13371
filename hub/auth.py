"""Staff accounts and sign-in sessions.

Passwords are hashed with Argon2id (argon2-cffi); only a SHA-256 of each
session token is stored, so a copy of the database opens no session.
Hashing costs tens of milliseconds of CPU on purpose: the API runs
:func:`hash_password` and :func:`verify_password` in a worker thread (they
touch no database), and the database steps on the event loop's thread.
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
MAX_PASSWORD = 200

_hasher = PasswordHasher()
# verified against when the user does not exist or is disabled, so every refusal takes the same time. A constant
# made by _hasher (hashing one at import cost every hub process and CLI command ~0.15 s); made anew only if the
# library's parameters ever change, so that its verification still costs what a real one does
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$G6bA7/paNh99W/SvajT7rA$Mhy97Ww6Q94ux9QB4UrjroAvUAg97BTZjISo+KjRMbs"
if _hasher.check_needs_rehash(_DUMMY_HASH):
    _DUMMY_HASH = _hasher.hash("not a real password")


class AuthError(ValueError):
    """A user or password that cannot be accepted; the message says why."""


class UnknownUser(AuthError):
    """No account has this name."""


@dataclass(frozen=True)
class Session:
    username: str
    role: str
    expires: float


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    created: float
    disabled: float | None
    sessions: int


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_new_account(username: str, password: str, role: str) -> None:
    if not _USERNAME.match(username):
        raise AuthError("username must be 2-40 letters, digits, '.', '_' or '-'")
    check_password(password)
    if role not in ROLES:
        raise AuthError(f"role must be one of {', '.join(ROLES)}")


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"password must have at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AuthError(f"password must have at most {MAX_PASSWORD} characters")


def hash_password(password: str) -> str:
    """Argon2id; slow on purpose (call it from a worker thread in a server)."""
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; a missing hash costs the same time as a wrong password."""
    try:
        _hasher.verify(stored_hash or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return stored_hash is not None


def exists(db: sqlite_utils.Database, username: str) -> bool:
    return db.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone() is not None


def add_user(db: sqlite_utils.Database, username: str, password_hash: str, role: str, now: float) -> None:
    """A new account; an existing one is never overwritten (use :func:`set_password`)."""
    if role not in ROLES:
        raise AuthError(f"role must be one of {', '.join(ROLES)}")
    with db.conn:
        found = db.conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone()
        if found:
            raise AuthError(f"user {username} already exists; set a new password with --reset-password")
        db.conn.execute("INSERT INTO users (username, password_hash, role, created) VALUES (?, ?, ?, ?)",
                        (username, password_hash, role, now))


def create_user(db: sqlite_utils.Database, username: str, password: str, role: str, now: float) -> None:
    """Check and add a new account (hashes here: for the command line and tests, not the event loop)."""
    check_new_account(username, password, role)
    add_user(db, username, hash_password(password), role, now)


def set_password(db: sqlite_utils.Database, username: str, password_hash: str, role: str | None = None) -> int:
    """A new password (and role, if given) for an account; every session of it ends. Returns sessions ended."""
    if role is not None and role not in ROLES:
        raise AuthError(f"role must be one of {', '.join(ROLES)}")
    with db.conn:
        changed = db.conn.execute("UPDATE users SET password_hash = ?, role = COALESCE(?, role) WHERE username = ?",
                                  (password_hash, role, username)).rowcount
        if not changed:
            raise UnknownUser(f"no user {username}")
        return db.conn.execute("DELETE FROM sessions WHERE username = ?", (username,)).rowcount


def set_disabled(db: sqlite_utils.Database, username: str, disabled: bool, now: float) -> int:
    """Disable (its sessions end, sign-in is refused) or enable an account. Returns sessions ended."""
    with db.conn:
        changed = db.conn.execute("UPDATE users SET disabled = ? WHERE username = ?",
                                  (now if disabled else None, username)).rowcount
        if not changed:
            raise UnknownUser(f"no user {username}")
        if not disabled:
            return 0
        return db.conn.execute("DELETE FROM sessions WHERE username = ?", (username,)).rowcount


def delete_user(db: sqlite_utils.Database, username: str) -> None:
    with db.conn:
        db.conn.execute("DELETE FROM sessions WHERE username = ?", (username,))
        if not db.conn.execute("DELETE FROM users WHERE username = ?", (username,)).rowcount:
            raise UnknownUser(f"no user {username}")


def accounts(db: sqlite_utils.Database) -> list[Account]:
    rows = db.execute(
        "SELECT u.username, u.role, u.created, u.disabled, "
        "(SELECT COUNT(*) FROM sessions s WHERE s.username = u.username) FROM users u ORDER BY u.username")
    return [Account(*row) for row in rows]


def account(db: sqlite_utils.Database, username: str) -> Account:
    found = [a for a in accounts(db) if a.username == username]
    if not found:
        raise UnknownUser(f"no user {username}")
    return found[0]


def stored_hash(db: sqlite_utils.Database, username: str) -> str | None:
    """The hash to verify a sign-in against; None for an unknown or disabled account."""
    row = db.execute("SELECT password_hash FROM users WHERE username = ? AND disabled IS NULL",
                     (username,)).fetchone()
    return row[0] if row else None


def open_session(db: sqlite_utils.Database, username: str, now: float, hours: float) -> str:
    """A new session token for an account whose password was verified."""
    token = secrets.token_urlsafe(32)
    with db.conn:
        db.conn.execute("DELETE FROM sessions WHERE expires < ?", (now,))
        db.conn.execute(
            "INSERT INTO sessions (token_hash, username, created, expires) VALUES (?, ?, ?, ?)",
            (_token_hash(token), username, now, now + hours * 3600),
        )
    return token


def sign_in(db: sqlite_utils.Database, username: str, password: str, now: float, hours: float) -> str | None:
    """Check the password; return a new session token, or None (blocking: command line and tests)."""
    if not verify_password(stored_hash(db, username), password):
        return None
    return open_session(db, username, now, hours)


def session_for(db: sqlite_utils.Database, token: str, now: float) -> Session | None:
    row = db.execute(
        "SELECT s.username, u.role, s.expires FROM sessions s JOIN users u USING (username) "
        "WHERE s.token_hash = ? AND s.expires >= ? AND u.disabled IS NULL",
        (_token_hash(token), now),
    ).fetchone()
    return Session(*row) if row else None


def sign_out(db: sqlite_utils.Database, token: str) -> None:
    with db.conn:
        db.conn.execute("DELETE FROM sessions WHERE token_hash = ?", (_token_hash(token),))

