"""Staff accounts over HTTP (manager only), mirroring ``comptoir hub users``: list, create, new password,
disable, enable, delete. Argon2 runs in a worker thread, the database on the event loop's thread."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Response

from hub import auth
from hub.api.accounts.models import AccountIn, AccountOut, PasswordIn
from hub.http.deps import Hub, Manager
from hub.http.errors import ErrorOut
from hub.timeutil import iso, ts

router = APIRouter(prefix="/api/users", tags=["accounts (manager)"],
                   responses={403: {"model": ErrorOut, "description": "needs the manager role"}})
Username = Annotated[str, Path(pattern=r"^[A-Za-z0-9._-]{2,40}$", description="the account's name")]
_MISSING = {404: {"model": ErrorOut, "description": "no such account"}}
_SELF = {409: {"model": ErrorOut, "description": "a manager cannot lock themself out"}}


def _out(account: auth.Account) -> AccountOut:
    return AccountOut(username=account.username, role=account.role,  # type: ignore[arg-type]
                      created=iso(account.created) or "", disabled=iso(account.disabled), sessions=account.sessions)


def _one(hub: Hub, username: str) -> AccountOut:
    try:
        return _out(auth.account(hub.db, username))
    except auth.UnknownUser as exc:
        raise HTTPException(404, str(exc)) from None


def _not_self(manager: auth.Session, username: str, action: str) -> None:
    if manager.username == username:
        raise HTTPException(409, f"you cannot {action} your own account; ask another manager")


@router.get("", response_model=list[AccountOut])
async def list_accounts(hub: Hub, manager: Manager) -> list[AccountOut]:
    return [_out(a) for a in auth.accounts(hub.db)]


@router.post("", response_model=AccountOut, status_code=201,
             responses={409: {"model": ErrorOut, "description": "the account exists"}})
async def create_account(body: AccountIn, hub: Hub, manager: Manager) -> AccountOut:
    """A new account; an existing one is never overwritten (set its password instead)."""
    if auth.exists(hub.db, body.username):
        raise HTTPException(409, f"user {body.username} already exists; PUT /api/users/{body.username}/password")
    hashed = await asyncio.to_thread(auth.hash_password, body.password)
    try:
        auth.add_user(hub.db, body.username, hashed, body.role, ts(hub.clock.now()))
    except auth.AuthError as exc:
        raise HTTPException(409, str(exc)) from None
    return _one(hub, body.username)


@router.put("/{username}/password", response_model=AccountOut, responses=_MISSING)
async def new_password(username: Username, body: PasswordIn, hub: Hub, manager: Manager) -> AccountOut:
    """A new password; every session of the account ends."""
    hashed = await asyncio.to_thread(auth.hash_password, body.password)
    try:
        auth.set_password(hub.db, username, hashed)
    except auth.UnknownUser as exc:
        raise HTTPException(404, str(exc)) from None
    return _one(hub, username)


@router.post("/{username}/disable", response_model=AccountOut, responses={**_MISSING, **_SELF})
async def disable(username: Username, hub: Hub, manager: Manager) -> AccountOut:
    """Refuse the account's sign-in and end its sessions (reversible: enable)."""
    _not_self(manager, username, "disable")
    try:
        auth.set_disabled(hub.db, username, True, ts(hub.clock.now()))
    except auth.UnknownUser as exc:
        raise HTTPException(404, str(exc)) from None
    return _one(hub, username)


@router.post("/{username}/enable", response_model=AccountOut, responses=_MISSING)
async def enable(username: Username, hub: Hub, manager: Manager) -> AccountOut:
    try:
        auth.set_disabled(hub.db, username, False, ts(hub.clock.now()))
    except auth.UnknownUser as exc:
        raise HTTPException(404, str(exc)) from None
    return _one(hub, username)


@router.delete("/{username}", status_code=204, responses={**_MISSING, **_SELF})
async def delete(username: Username, hub: Hub, manager: Manager) -> Response:
    _not_self(manager, username, "delete")
    try:
        auth.delete_user(hub.db, username)
    except auth.UnknownUser as exc:
        raise HTTPException(404, str(exc)) from None
    return Response(status_code=204)
