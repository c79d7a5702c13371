"""``GET /epcis/events``: the tags' movements as EPCIS 2.0 ObjectEvents, for partners with their own token.

A partner's token (``comptoir hub partners add NAME``) opens this endpoint and
nothing else; a manager's session opens it too, so the shop sees what its
partners see. The query parameters are the EPCIS 2.0 SimpleEventQuery's
names (hub/epcis/query.py lists the subset); a list is given by repeating
the parameter or separating values with ``|``. Each list parameter declares
the shape of its values in the OpenAPI document (hub/epcis/query.py's
patterns), so a client generated from it knows what a CBV step, an EPC or a
GTIN looks like here; the query reads each value by the same patterns and
refuses one outside them with a 422 that says, in EPCIS's words, which
parameter and why (``QueryParameterException: EQ_bizStep: '4.2e+153' is
neither a CBV business step ... nor a URI``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Security
from fastapi.responses import JSONResponse
from pydantic import WithJsonSchema

from hub.auth import session_for
from hub.epcis.document import NotConfigured, query_document
from hub.epcis.partners import partner_for
from hub.epcis.query import BIZ_STEP, EPC, EVENT_TYPE, PRODUCT, EventQuery, QueryError, listed, select, split
from hub.http.deps import Hub, bearer_scheme, session_token
from hub.http.errors import ErrorOut
from hub.timeutil import ts

router = APIRouter(prefix="/epcis", tags=["epcis"])

MEDIA_TYPE = "application/ld+json"
#: an ISO 8601 date and time as EPCIS writes them (seconds, fraction and offset optional)
TIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:[0-9]{2})?$"
#: a page token: a row id (SQLite's integers end at 2**63 - 1, 19 digits: 18 are always one)
PAGE_TOKEN = "[0-9]{1,18}"


def _shaped(pattern: str) -> WithJsonSchema:
    """The document's schema of one occurrence of a parameter. The query reads the value by the same pattern
    (and refuses it in EPCIS's words, which pydantic's own pattern check would not say)."""
    return WithJsonSchema({"type": "string", "pattern": pattern})


#: one occurrence of a list parameter: its values separated by ``|``, each of the parameter's shape
Epcs = Annotated[str, _shaped(listed(EPC))]
Products = Annotated[str, _shaped(listed(PRODUCT))]
BizSteps = Annotated[str, _shaped(listed(BIZ_STEP))]
EventTypes = Annotated[str, _shaped(listed(EVENT_TYPE))]
PageToken = Annotated[str, _shaped(f"^{PAGE_TOKEN}$")]


async def require_partner(request: Request, hub: Hub, _bearer: Annotated[Any, Security(bearer_scheme)] = None,
                          ) -> str:
    """The partner (or manager) asking; 401 without a valid token."""
    token = session_token(request)
    if token:
        partner = partner_for(hub.db, token)
        if partner is not None:
            return partner
        session = session_for(hub.db, token, ts(hub.clock.now()))
        if session is not None and session.role == "manager":
            return session.username
        if session is not None:
            raise HTTPException(403, f"EPCIS needs a partner token or the manager role; {session.username} is "
                                f"{session.role}")
    raise HTTPException(401, "EPCIS needs a partner token: Authorization: Bearer <token> "
                        "(comptoir hub partners add NAME)", headers={"WWW-Authenticate": "Bearer"})


def _seconds(value: str | None, name: str) -> float | None:
    """A time without an offset is taken as UTC (EPCIS times carry one; a partner's script may not)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise _refused(422, "QueryParameterException", f"{name}: {value!r} is not a time: {exc}") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _refused(status: int, exception: str, reason: str) -> HTTPException:
    """An error in the hub's one error shape (``detail``), led by the EPCIS 2.0 exception's name."""
    return HTTPException(status, f"{exception}: {reason}")


RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {MEDIA_TYPE: {}}, "description": "an EPCISQueryDocument"},
    422: {"model": ErrorOut, "description": "a query parameter the hub cannot read: ``detail`` starts with the "
          "EPCIS exception's name (QueryParameterException) and names the parameter (a time outside its pattern: "
          "FastAPI's validation error, ``error`` naming ``query.<parameter>``)"},
    401: {"model": ErrorOut, "description": "no partner token (nor a manager's session)"},
    403: {"model": ErrorOut, "description": "a staff session without the manager role"},
    501: {"model": ErrorOut, "description": "EPCIS is not configured (epcis.gln): ImplementationException"},
}


@router.get("/events", response_class=JSONResponse, responses=RESPONSES)
async def events(
    request: Request,
    hub: Hub,
    _partner: Annotated[str, Security(require_partner)],
    ge_time: Annotated[str | None, Query(alias="GE_eventTime", pattern=TIME, description="events at or after "
                                         "this time (ISO 8601; no offset: UTC)")] = None,
    lt_time: Annotated[str | None, Query(alias="LT_eventTime", pattern=TIME, description="events before this "
                                         "time")] = None,
    epcs: Annotated[list[Epcs] | None, Query(
        alias="MATCH_epc", description="items: Digital Link URIs (https://id.gs1.org/01/<GTIN>/21/<serial>), raw "
        "EPC URIs (urn:epc:raw:96.x<hex>) or the hub's hexadecimal EPCs")] = None,
    products: Annotated[list[Products] | None, Query(
        alias="MATCH_epcClass", description="products: Digital Link URIs (https://id.gs1.org/01/<GTIN>) or "
        "GTINs")] = None,
    steps: Annotated[list[BizSteps] | None, Query(
        alias="EQ_bizStep", description="business steps: CBV words (receiving), their URIs "
        "(urn:epcglobal:cbv:bizstep:receiving, https://ref.gs1.org/cbv/BizStep-receiving) or another "
        "vocabulary's URIs (none of the hub's events has one)")] = None,
    types: Annotated[list[EventTypes] | None, Query(
        alias="eventType", description="EPCIS event types; the hub makes ObjectEvents only")] = None,
    per_page: Annotated[int | None, Query(alias="perPage", ge=1, description="at most epcis.max_events")] = None,
    page_token: Annotated[PageToken | None, Query(alias="nextPageToken",
                                                  description="from the Link header of the page before")] = None,
) -> JSONResponse:
    settings = hub.config.epcis
    limit = min(per_page or settings.max_events, settings.max_events)
    if page_token is not None and not re.fullmatch(PAGE_TOKEN, page_token):
        raise _refused(422, "QueryParameterException", f"nextPageToken: {page_token!r} is not a token this hub gave")
    try:
        query = EventQuery(
            ge_time=_seconds(ge_time, "GE_eventTime"), lt_time=_seconds(lt_time, "LT_eventTime"),
            epcs=split("MATCH_epc", epcs), products=split("MATCH_epcClass", products),
            biz_steps=split("EQ_bizStep", steps), event_types=split("eventType", types),
            after_id=int(page_token or 0), limit=limit + 1)
        found = select(hub.db.conn, query)
        body = query_document(found[:limit], settings, hub.config.store, ts(hub.clock.now()))
    except QueryError as exc:
        raise _refused(422, "QueryParameterException", str(exc)) from None
    except NotConfigured as exc:
        raise _refused(501, "ImplementationException", str(exc)) from None
    headers = {}
    if len(found) > limit:
        url = request.url.remove_query_params("nextPageToken").include_query_params(nextPageToken=found[limit - 1].id)
        headers["Link"] = f'<{url}>; rel="next"'
    return JSONResponse(body, media_type=MEDIA_TYPE, headers=headers)
