"""The FastAPI application and its dependencies (the hub, the signed-in staff member, rate limits).

Every endpoint is ``async``: the hub keeps one SQLite connection, used from
the event loop's thread only, shared with ingest.
"""

from __future__ import annotations

from typing import Annotated, Any, Protocol

import sqlite_utils
from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from comptoir import __version__
from comptoir.clock import Clock
from hub.auth import Session, session_for
from hub.config import HubConfig
from hub.events import EventBus
from hub.ingest import Ingest
from hub.ratelimit import RateLimiter
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


async def require_staff(request: Request, hub: Hub) -> Session:
    token = session_token(request)
    session = session_for(hub.db, token, ts(hub.clock.now())) if token else None
    if session is None:
        raise HTTPException(401, "sign in first: POST /api/session", headers={"WWW-Authenticate": "Bearer"})
    return session


Staff = Annotated[Session, Depends(require_staff)]


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


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """A 422 that says in one line what is wrong, with the details below."""
    errors = exc.errors()
    summary = "; ".join(
        f"{'.'.join(str(p) for p in err.get('loc', ()))}: {err.get('msg')}" for err in errors[:3]
    )
    detail: list[dict[str, Any]] = [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg"), "type": err.get("type")} for err in errors
    ]
    return JSONResponse({"error": summary, "detail": detail}, status_code=422)


def create_app(hub: HubState) -> FastAPI:
    from hub.api import kiosk, staff, stream

    app = FastAPI(
        title="Comptoir hub",
        version=__version__,
        description="Inventory, alerts and devices of one shop. Staff endpoints need a session "
        "(POST /api/session); /api/kiosk/* is public, read-only and rate-limited.",
    )
    app.state.hub = hub
    app.state.kiosk_limiter = RateLimiter(hub.config.api.kiosk_rate_per_minute)
    app.state.login_limiter = RateLimiter(hub.config.api.login_rate_per_minute)
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.include_router(staff.router)
    app.include_router(stream.router)
    app.include_router(kiosk.router)
    from hub.assistant.api import install as install_kiosk  # assistant, recommendations, privacy, /kiosk

    install_kiosk(app, hub)
    from hub.web import install as install_dashboard  # the staff pages (hub/web/)

    install_dashboard(app, hub)
    from hub.forecast.api import router as reorder_router  # forecasts, reorder suggestions, purchase orders

    app.include_router(reorder_router)
    return app
