"""The staff dashboard: pages served by the hub (no build step), their data endpoints, the live stream.

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


def install(app: FastAPI, hub: Any) -> None:
    from hub.web import data, item_page, pages, products, stream

    app.state.dashboard = DashboardRecorder(hub)
    app.include_router(stream.router)
    app.include_router(data.router)
    app.include_router(products.router)
    app.include_router(pages.router)
    app.include_router(item_page.router)  # /items/<epc>: a tag's movements (hub/inventory/tag_history.py)
    app.mount(STATIC_URL, StaticFiles(directory=Path(__file__).parent / "static"), name="dashboard-static")
