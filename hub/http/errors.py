"""One error shape for every answer that is not a success, and the 422 that says in one line what is wrong."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel


class Issue(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ErrorOut(BaseModel):
    """Every error answer: ``detail`` says what is wrong (for a request that fails validation, ``error`` says it
    in one line and ``detail`` lists each field)."""

    detail: str | list[Issue]
    error: str | None = None


MANAGER_ONLY = {403: {"model": ErrorOut, "description": "needs the manager role"}}
#: Every public answer may be a 429 (the per-address budget, with Retry-After).
RATE_LIMITED = {429: {"model": ErrorOut, "description": "too many requests from this address; see Retry-After"}}


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """A 422 that says in one line what is wrong, with the details below."""
    errors = exc.errors()
    summary = "; ".join(
        f"{'.'.join(str(p) for p in err.get('loc', ()))}: {err.get('msg')}" for err in errors[:3]
    )
    detail: list[dict[str, Any]] = [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg"), "type": err.get("type")} for err in errors
    ]
    return JSONResponse({"error": summary, "detail": detail}, status_code=422)
