"""``GET /epcis/events``: the tags' movements as EPCIS 2.0 ObjectEvents, for partners with their own token.

A partner's token (``comptoir hub partners add NAME``) opens this endpoint and
nothing else; a manager's session opens it too, so the shop sees what its
partners see. The query parameters are the EPCIS 2.0 SimpleEventQuery's
names (hub/epcis/query.py lists the subset); a list is given by repeating
the parameter or separating values with ``|``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Security
from fastapi.responses import JSONResponse

from hub.auth import session_for
from hub.epcis.document import NotConfigured, query_document
from hub.epcis.partners import partner_for
from hub.epcis.query import EventQuery, QueryError, select
from hub.http.deps import Hub, bearer_scheme, session_token
from hub.http.errors import ErrorOut
from hub.timeutil import ts

router = APIRouter(prefix="/epcis", tags=["epcis"])

MEDIA_TYPE = "application/ld+json"
#: an ISO 8601 date and time as EPCIS writes them (seconds, fraction and offset optional)
TIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:[0-9]{2})?$"


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


def _values(raw: list[str] | None) -> list[str]:
    return [v.strip() for item in raw or [] for v in item.split("|") if v.strip()]


def _refused(status: int, exception: str, reason: str) -> HTTPException:
    """An error in the hub's one error shape (``detail``), led by the EPCIS 2.0 exception's name."""
    return HTTPException(status, f"{exception}: {reason}")


RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {MEDIA_TYPE: {}}, "description": "an EPCISQueryDocument"},
    422: {"model": ErrorOut, "description": "a query parameter the hub cannot read: ``detail`` starts with the "
          "EPCIS exception's name (QueryParameterException) and names the parameter"},
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
    epcs: Annotated[list[str] | None, Query(alias="MATCH_epc", description="EPC URIs or hex EPCs")] = None,
    products: Annotated[list[str] | None, Query(alias="MATCH_epcClass",
                                                description="products: Digital Link URIs or GTINs")] = None,
    steps: Annotated[list[str] | None, Query(alias="EQ_bizStep", description="CBV business steps")] = None,
    types: Annotated[list[str] | None, Query(alias="eventType", description="only ObjectEvent here")] = None,
    per_page: Annotated[int | None, Query(alias="perPage", ge=1, description="at most epcis.max_events")] = None,
    page_token: Annotated[str | None, Query(alias="nextPageToken", max_length=20)] = None,
) -> JSONResponse:
    settings = hub.config.epcis
    limit = min(per_page or settings.max_events, settings.max_events)
    if page_token is not None and not page_token.isdigit():
        raise _refused(422, "QueryParameterException", "nextPageToken: not a token this hub gave")
    query = EventQuery(
        ge_time=_seconds(ge_time, "GE_eventTime"), lt_time=_seconds(lt_time, "LT_eventTime"),
        epcs=_values(epcs), products=_values(products), biz_steps=_values(steps),
        after_id=int(page_token or 0), limit=limit + 1)
    kinds = _values(types)
    try:
        found = select(hub.db.conn, query) if not kinds or "ObjectEvent" in kinds else []
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
