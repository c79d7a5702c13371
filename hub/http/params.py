"""Path, query and body parameters shared by the slices: GTINs, pages of rows, searches, whole numbers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import HTTPException, Path, Query
from pydantic import BeforeValidator, Field, Strict

from comptoir.contract import gtin14
from hub.http.errors import ErrorOut

#: GTIN-8, -12, -13 or -14 as digits; the check digit is checked by :func:`parse_gtin` (JSON Schema cannot)
GTIN_PATTERN = r"^([0-9]{8}|[0-9]{12,14})$"
Gtin = Annotated[str, Path(pattern=GTIN_PATTERN, description="GTIN-8, -12, -13 or -14 (a wrong check digit: 404)")]
NOT_FOUND = {404: {"model": ErrorOut, "description": "nothing by that name (a GTIN with a wrong check digit names "
                                                      "no product either)"}}
Limit = Annotated[int, Query(ge=1, le=500, description="rows per page")]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Search = Annotated[str | None, Query(max_length=100, description="words in the name, brand or category")]
#: A row id in a path: a positive SQLite integer.
RowId = Annotated[int, Path(ge=1, le=2**62)]


def parse_gtin(gtin: str) -> str:
    """The GTIN-14 of a GTIN the schema let through; one whose check digit is wrong names no product: 404."""
    try:
        return gtin14(gtin)
    except ValueError as exc:
        raise HTTPException(404, f"no product with GTIN {gtin[:20]}: {exc}") from None


def like(text: str) -> str:
    """``text`` as a SQL ``LIKE ... ESCAPE '\\'`` pattern that finds it anywhere: its ``%`` and ``_`` are literal."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _whole(value: Any) -> Any:
    """JSON has one number type: 105.0 is the whole number 105 (JSON Schema agrees); "105" and true are not."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def whole_number(low: int, high: int) -> Any:
    """An integer in a request body, ``low`` to ``high``: 3 or 3.0, never "3", true or 3.5.

    The bounds sit inside, before the conversion, so that the OpenAPI document shows them.
    """
    return Annotated[int, Strict(), Field(ge=low, le=high), BeforeValidator(_whole)]
