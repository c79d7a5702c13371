"""How the reorder slice's routes answer: the statuses they declare, and its domain errors said in HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import HTTPException

from hub.forecast import orders, promotions
from hub.forecast.actions import UnknownProduct
from hub.forecast.runs import RunInProgress
from hub.http.errors import MANAGER_ONLY, ErrorOut
from hub.http.params import NOT_FOUND

CONFLICT = {409: {"model": ErrorOut, "description": "the suggestion or order is not in a state that allows it"}}
DECISION = {**NOT_FOUND, **MANAGER_ONLY, **CONFLICT}
RUN_GOING = {409: {"model": ErrorOut, "description": "a run is already going on"}}


@contextmanager
def domain_errors() -> Iterator[None]:
    """Say the domain's refusals as HTTP: a run already going 409, an unknown product 404, and an order or
    promotion refused with the status its error names."""
    try:
        yield
    except RunInProgress as exc:
        raise HTTPException(409, str(exc)) from None
    except UnknownProduct as exc:
        raise HTTPException(404, str(exc)) from None
    except (orders.OrderError, promotions.PromotionError) as exc:
        raise HTTPException(exc.status, str(exc)) from None
