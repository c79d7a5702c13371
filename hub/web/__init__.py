"""The staff dashboard: pages served by the hub (no build step), their data endpoints and history.

:func:`install` adds it to the hub's FastAPI app; the hub service runs
``app.state.dashboard.run()`` beside ingest to keep stock history and
device rates.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from hub.web.recorder import DashboardRecorder

STATIC_URL = "/dashboard/static"

#: Pages load nothing from elsewhere: scripts, styles and data come from the hub itself.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")


def install(app: FastAPI, hub: Any) -> None:
    from hub.web import data, pages

    app.state.dashboard = DashboardRecorder(hub)
    app.include_router(data.router)
    app.include_router(pages.router)
    app.mount(STATIC_URL, StaticFiles(directory=Path(__file__).parent / "static"), name="dashboard-static")

    app.add_middleware(PageHeaders)


class PageHeaders:
    """Security headers on HTML responses. Plain ASGI, so the event stream passes through untouched."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if content_type.startswith(b"text/html"):
                    headers += [(b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
                                (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin")]
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
