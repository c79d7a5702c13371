"""Sign in, see and end a staff session (``/api/session``): a token as an HttpOnly cookie and in the body."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, HTTPException, Request, Response

from hub.api.accounts.models import SessionOut, SignIn
from hub.auth import open_session, sign_out, stored_hash, verify_password
from hub.http.deps import SESSION_COOKIE, Hub, Staff, login_limit, session_token
from hub.http.errors import ErrorOut
from hub.timeutil import iso, ts

router = APIRouter(prefix="/api", tags=["session"])


@router.post("/session", response_model=SessionOut, dependencies=[login_limit],
             responses={401: {"model": ErrorOut, "description": "wrong username or password (or account disabled)"},
                        429: {"model": ErrorOut, "description": "too many sign-in attempts from this address"}})
async def create_session(body: SignIn, hub: Hub, response: Response) -> SessionOut:
    """Sign in; the session token comes back as a cookie and in the body. Argon2 runs in a worker thread."""
    hashed = stored_hash(hub.db, body.username)
    if not await asyncio.to_thread(verify_password, hashed, body.password):
        raise HTTPException(401, "wrong username or password")
    now = ts(hub.clock.now())
    hours = hub.config.api.session_hours
    if stored_hash(hub.db, body.username) != hashed:  # disabled or given a new password meanwhile
        raise HTTPException(401, "wrong username or password")
    token = open_session(hub.db, body.username, now, hours)
    response.set_cookie(SESSION_COOKIE, token, max_age=int(hours * 3600), httponly=True, samesite="strict",
                        secure=hub.config.api.cookie_secure)
    role = hub.db.execute("SELECT role FROM users WHERE username=?", (body.username,)).fetchone()[0]
    return SessionOut(username=body.username, role=role, expires=iso(now + hours * 3600) or "", token=token)


@router.get("/session", response_model=SessionOut)
async def current_session(staff: Staff) -> SessionOut:
    return SessionOut(username=staff.username, role=staff.role, expires=iso(staff.expires) or "")


@router.delete("/session", status_code=204)
async def end_session(request: Request, hub: Hub, staff: Staff) -> Response:
    token = session_token(request)
    if token:
        sign_out(hub.db, token)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE)
    return response
