"""The hub's web app, assembled: the toolkit's guards and error shapes around every slice's router.

The one module that imports every slice (tests/test_hub_layers.py holds the
rule); the slices import the core and the toolkit (``hub/http/``), never
each other's routers. ``hub/service.py`` builds it beside ingest. Every
endpoint is ``async``: the hub keeps one SQLite connection, used from the
event loop's thread only, shared with ingest.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError

from comptoir import __version__
from hub import web
from hub.api.accounts import session, users
from hub.api.alerts import routes as alerts
from hub.api.cameras import routes as cameras
from hub.api.devices import routes as devices
from hub.api.epcis import routes as epcis
from hub.api.fresh import page as fresh_page
from hub.api.fresh import routes as fresh
from hub.api.inventory import kiosk as kiosk_products
from hub.api.inventory import routes as inventory
from hub.api.kpis import page as numbers_page
from hub.api.kpis import routes as kpis
from hub.api.markdowns import page as markdowns_page
from hub.api.markdowns import routes as markdowns
from hub.api.notify import routes as notify
from hub.api.status import routes as status
from hub.api.stock import page as stock_page
from hub.api.stock import routes as stock
from hub.api.tags import page as tags_page
from hub.api.tags import routes as tags
from hub.assistant import api as assistant
from hub.forecast import api as reorder
from hub.forecast import page as reorder_page
from hub.http import guards, openapi
from hub.http.deps import HubState
from hub.http.errors import validation_error
from hub.http.ratelimit import RateLimiter
from hub.kiosk_page import pages as kiosk_pages
from hub.privacy import api as privacy

DESCRIPTION = ("Inventory, alerts and devices of one shop. Staff endpoints need a session "
               "(POST /api/session); some need the manager role (docs/api.md); /api/kiosk/* is public and "
               "rate-limited. A state-changing request from a browser must come from the hub's own pages (Origin).")


def create_app(hub: HubState) -> FastAPI:
    settings = hub.config.api
    app = FastAPI(title="Comptoir hub", version=__version__, description=DESCRIPTION,
                  openapi_url=None, docs_url=None, redoc_url=None)
    openapi.install(app, settings.openapi)
    guards.install(app, settings.max_body_bytes, settings.max_header_bytes, settings.trusted_origins)
    app.state.hub = hub
    app.state.kiosk_limiter = RateLimiter(settings.kiosk_rate_per_minute)
    app.state.login_limiter = RateLimiter(settings.login_rate_per_minute)
    app.add_exception_handler(RequestValidationError, validation_error)  # type: ignore[arg-type]
    # the staff API: ingest's state, sign-in and accounts, inventory, alerts, devices
    for slice_router in (status.router, session.router, inventory.router, alerts.router, devices.router,
                         users.router):
        app.include_router(slice_router)
    # the kiosk: product search, the assistant and recommendations, customers' rights, the kiosk pages
    for slice_router in (kiosk_products.router, assistant.router, privacy.router, kiosk_pages.router):
        app.include_router(slice_router)
    web.install(app, hub)  # the staff pages, their data, the live stream, the history recorder
    app.include_router(reorder.router)  # forecasts, reorder suggestions, purchase orders
    app.include_router(reorder_page.router)  # the /reorder page and its forms
    app.include_router(notify.router)  # notification channels' health and deliveries (docs/integrations.md)
    app.include_router(epcis.router)  # partners: the tags' movements as EPCIS 2.0 (docs/integrations.md)
    app.include_router(cameras.router)  # cameras: slots drawn on a still, stills, model rollout (and the page)
    app.include_router(stock.router)  # deliveries, counts, adjustments and the audit log
    app.include_router(stock_page.router)  # the /stock page
    app.include_router(tags.router)  # tag commissioning: serials, EPCs, labels (manager)
    app.include_router(tags_page.router)  # the /tags page
    app.include_router(fresh.router)  # lots and dates, what to check today, waste (issue 21)
    app.include_router(fresh_page.router)  # the /fresh page
    app.include_router(kpis.router)  # issue 21: the shop's numbers, the weekly CSV/PDF report
    app.include_router(numbers_page.router)  # the /numbers page
    app.include_router(markdowns.router)  # markdown suggestions staff approve, their labels (issue 21)
    app.include_router(markdowns_page.router)  # the /markdowns page
    return app
