"""The tags API (manager role): what `comptoir tags` does, over HTTP, for the dashboard and other tools."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response
from fastapi.responses import JSONResponse

from hub.api.tags.models import (
    AllocationIn,
    AllocationOut,
    EncodedOut,
    PrintedOut,
    PrintIn,
    RecordedOut,
    Scheme,
    WriteResultsIn,
)
from hub.http.deps import Hub, Manager
from hub.http.errors import MANAGER_ONLY, ErrorOut
from hub.http.params import GTIN_PATTERN, NOT_FOUND, Limit, Offset, RowId
from hub.tags import epcs, printer, serials
from hub.tags.errors import TagError
from hub.tags.labels import label_bytes
from hub.timeutil import iso, ts

router = APIRouter(prefix="/api/tags", tags=["tags (manager)"], responses=MANAGER_ONLY)
PRINT_TIMEOUT_S = 5.0  # a printer on the shop's network answers at once; the API must not hang on a wrong address
BAD = {422: {"model": ErrorOut, "description": "bad input; the field is named, nothing was changed"}}


def bad_input(exc: TagError, where: str = "body") -> JSONResponse:
    """A TagError as the API's 422: one line, and the field in ``detail``."""
    return JSONResponse({"error": f"{exc} (nothing was changed)",
                         "detail": [{"loc": [where, exc.field], "msg": exc.message, "type": "value_error"}]},
                        status_code=422)


def _out(db: Any, a: serials.Allocation, with_tags: bool) -> AllocationOut:
    return AllocationOut(
        id=a.id, gtin=a.gtin, product=a.product, scheme=a.scheme, company_prefix_length=a.company_prefix_length,
        first_serial=a.first_serial, last_serial=a.last_serial, count=a.count, created=iso(a.created),
        created_by=a.created_by, states=serials.state_counts(db, a.id),
        tags=[asdict(t) for t in a.tags] if with_tags else None)


def _get(hub: Any, allocation_id: int) -> serials.Allocation:
    allocation = serials.get(hub.db, allocation_id)
    if allocation is None:
        raise HTTPException(404, f"no tag allocation #{allocation_id}")
    return allocation


@router.post("/allocations", response_model=AllocationOut, status_code=201, responses={
    **BAD, 503: {"model": ErrorOut, "description": "another process holds the database's write lock (the service's "
                                                    "store handler, Retry-After): nothing was allocated"}})
async def allocate(body: AllocationIn, hub: Hub, manager: Manager) -> Any:
    """Take serials of a product that no tag has had (all or nothing) and give their EPCs."""
    try:
        allocation = serials.allocate(hub.db, body.gtin, body.count, now=ts(hub.clock.now()), scheme=body.scheme,
                                      serial_start=body.serial_start, prefix_length=body.company_prefix_length,
                                      by=manager.username)
    except TagError as exc:
        return bad_input(exc)
    return _out(hub.db, allocation, True)


@router.get("/allocations", response_model=list[AllocationOut], responses=BAD)
async def allocations(hub: Hub, manager: Manager,
                      gtin: Annotated[str | None, Query(pattern=GTIN_PATTERN)] = None,
                      limit: Limit = 100, offset: Offset = 0) -> Any:
    try:
        rows = serials.listing(hub.db, gtin, limit, offset)
    except TagError as exc:
        return bad_input(exc, "query")
    return [_out(hub.db, a, False) for a in rows]


@router.get("/allocations/{allocation_id}", response_model=AllocationOut, responses=NOT_FOUND)
async def allocation(allocation_id: RowId, hub: Hub, manager: Manager) -> Any:
    return _out(hub.db, _get(hub, allocation_id), True)


@router.get("/allocations/{allocation_id}/labels.zpl", response_class=Response, responses=NOT_FOUND)
async def labels(allocation_id: RowId, hub: Hub, manager: Manager) -> Response:
    """ZPL II for an RFID label printer: one label per tag not yet written (the printer encodes it)."""
    allocation = _get(hub, allocation_id)
    return Response(label_bytes(allocation), media_type="text/plain; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="tags-{allocation_id}.zpl"'})


@router.post("/allocations/{allocation_id}/print", response_model=PrintedOut, responses={**NOT_FOUND, **BAD})
async def print_labels(allocation_id: RowId, body: PrintIn, hub: Hub, manager: Manager) -> Any:
    """Send the labels to a printer's raw TCP port; the tags are marked sent only once it took every byte.

    A printer that cannot be reached is a 422 naming ``host``: the address given leads nowhere.
    """
    allocation = _get(hub, allocation_id)
    data = label_bytes(allocation)
    try:
        sent = await asyncio.to_thread(printer.send, body.host, data, body.port, PRINT_TIMEOUT_S)
    except printer.PrinterError as exc:
        return bad_input(TagError("host", f"{exc}; no tag marked sent"))
    return PrintedOut(bytes=sent, labels=serials.mark_sent_to_printer(hub.db, allocation_id,
                                                                      now=ts(hub.clock.now())))


@router.post("/results", response_model=RecordedOut, responses=BAD)
async def results(body: WriteResultsIn, hub: Hub, manager: Manager) -> Any:
    """Record what the writer did with each EPC (all or nothing: every EPC must be one allocated here)."""
    outcomes = [serials.WriteOutcome(r.epc, r.written, r.tag, r.reason) for r in body.results]
    try:
        return serials.record_writes(hub.db, outcomes, now=ts(hub.clock.now()))
    except TagError as exc:
        return bad_input(exc)


@router.get("/encode", response_model=EncodedOut, responses=BAD)
async def encode(hub: Hub, manager: Manager, gtin: Annotated[str, Query(pattern=GTIN_PATTERN)],
                 serial: Annotated[int, Query(ge=0, le=10**18 - 1)],
                 scheme: Annotated[Scheme, Query()] = "sgtin-96",
                 company_prefix_length: Annotated[int, Query(ge=6, le=12)] = 7) -> Any:
    """The EPC of one unit (allocates nothing: a serial encoded here is not reserved)."""
    try:
        return EncodedOut(epc=epcs.encode(gtin, serial, scheme, company_prefix_length),
                          tag_uri=epcs.tag_uri(gtin, serial, scheme, company_prefix_length))
    except TagError as exc:
        return bad_input(exc, "query")
