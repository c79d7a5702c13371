"""FastAPI dependencies shared by every slice: the hub, the signed-in staff member and their role, rate limits.

Kept apart from the application factory (hub/app.py), so that routers import
their dependencies without importing the module that assembles them.
"""

from __future__ import annotations

from typing import Annotated, Any, Protocol

import sqlite_utils
from fastapi import Depends, HTTPException, Request, Response, Security
from fastapi.security import APIKeyCookie, HTTPBearer

from comptoir.clock import Clock
from hub.auth import Session, session_for
from hub.config import HubConfig
from hub.events import EventBus
from hub.http.ratelimit import RateLimiter
from hub.ingest import Ingest
from hub.timeutil import ts

SESSION_COOKIE = "comptoir_session"


class HubState(Protocol):
    """What the API needs from the running hub."""

    config: HubConfig
    db: sqlite_utils.Database
    ingest: Ingest
    bus: EventBus
    clock: Clock

    @property
    def mqtt_connected(self) -> bool: ...


async def get_hub(request: Request) -> HubState:
    return request.app.state.hub


Hub = Annotated[HubState, Depends(get_hub)]


def session_token(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    return request.cookies.get(SESSION_COOKIE)


def current_staff(request: Request, hub: HubState) -> Session | None:
    """The signed-in staff member, or None: for pages, which send a visitor to sign in rather than answer 401."""
    token = session_token(request)
    return session_for(hub.db, token, ts(hub.clock.now())) if token else None


#: How the OpenAPI page shows staff sign-in: a bearer token, or the session cookie a browser keeps.
bearer_scheme = HTTPBearer(auto_error=False, description="the token of POST /api/session")
cookie_scheme = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="set by POST /api/session")


async def require_staff(request: Request, hub: Hub,
                        _bearer: Annotated[Any, Security(bearer_scheme)] = None,
                        _cookie: Annotated[Any, Security(cookie_scheme)] = None) -> Session:
    session = current_staff(request, hub)
    if session is None:
        raise HTTPException(401, "sign in first: POST /api/session", headers={"WWW-Authenticate": "Bearer"})
    return session


Staff = Annotated[Session, Depends(require_staff)]


async def require_manager(staff: Staff) -> Session:
    """The actions that touch money, accounts or a customer's whole record (docs/api.md, roles)."""
    if staff.role != "manager":
        raise HTTPException(403, f"this needs the manager role; {staff.username} is {staff.role}")
    return staff


Manager = Annotated[Session, Depends(require_manager)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _limited(limiter_name: str) -> Any:
    async def check(request: Request, response: Response) -> None:
        limiter: RateLimiter = getattr(request.app.state, limiter_name)
        allowed, wait = limiter.allow(client_address(request))
        if not allowed:
            raise HTTPException(429, f"too many requests; retry in {wait:.1f} s",
                                headers={"Retry-After": str(max(1, round(wait)))})

    return check


kiosk_limit = Depends(_limited("kiosk_limiter"))
login_limit = Depends(_limited("login_limiter"))
