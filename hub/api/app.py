"""The FastAPI application: routers and error handlers assembled around the hub (dependencies: deps.py).

Every endpoint is ``async``: the hub keeps one SQLite connection, used from
the event loop's thread only, shared with ingest.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from comptoir import __version__
from hub.api.deps import HubState
from hub.ratelimit import RateLimiter


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
    from hub.api import guards, kiosk, openapi, staff, stream, users

    settings = hub.config.api
    app = FastAPI(
        title="Comptoir hub",
        version=__version__,
        description="Inventory, alerts and devices of one shop. Staff endpoints need a session "
        "(POST /api/session); some need the manager role (docs/api.md); /api/kiosk/* is public and "
        "rate-limited. A state-changing request from a browser must come from the hub's own pages (Origin).",
        openapi_url=None, docs_url=None, redoc_url=None,
    )
    openapi.install(app, settings.openapi)
    guards.install(app, settings.max_body_bytes, settings.max_header_bytes, settings.trusted_origins)
    app.state.hub = hub
    app.state.kiosk_limiter = RateLimiter(hub.config.api.kiosk_rate_per_minute)
    app.state.login_limiter = RateLimiter(hub.config.api.login_rate_per_minute)
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.include_router(staff.router)
    app.include_router(users.router)
    app.include_router(stream.router)
    app.include_router(kiosk.router)
    from hub.assistant.api import install as install_kiosk  # assistant, recommendations, privacy, /kiosk

    install_kiosk(app, hub)
    from hub.web import install as install_dashboard  # the staff pages (hub/web/)

    install_dashboard(app, hub)
    from hub.forecast.api import router as reorder_router  # forecasts, reorder suggestions, purchase orders

    app.include_router(reorder_router)
    from hub.forecast.page import router as reorder_page  # the /reorder page and its forms

    app.include_router(reorder_page)
    return app
