"""The reorder page's HTML forms read into the API's terms: urlencoded fields (without python-multipart), a
promotion, a quantity. What does not read is a 422 naming the field, as the JSON API says it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from urllib.parse import parse_qs

from fastapi import HTTPException, Request
from pydantic import ValidationError

from hub.folding import fold
from hub.forecast.schemas import PromotionIn

#: a GTIN typed or scanned, alone or at the end of a picked name ("Huile d'olive 1 L · 3017620422003")
_TRAILING_GTIN = re.compile(r"(?:^|[\s·(])(\d{8,14})\)?$")

#: A page's form is a few short fields: more than this is not read.
FORM_MAX_CHARS = 2000


async def read_form(request: Request) -> dict[str, str]:
    """A page's urlencoded form: each field's first value, stripped."""
    fields = parse_qs((await request.body()).decode("utf-8", "replace")[:FORM_MAX_CHARS])
    return {name: values[0].strip() for name, values in fields.items() if values}


def promotion(form: dict[str, str]) -> PromotionIn:
    """The promotion form's fields as the API's body; a day that is not YYYY-MM-DD is named."""

    def field(name: str) -> str:
        return form.get(name, "")

    days = {}
    for name in ("first_day", "last_day"):
        try:
            days[name] = date.fromisoformat(field(name))
        except ValueError:
            raise HTTPException(422, f"{name}: {field(name)!r} is not a date (YYYY-MM-DD)") from None
    try:
        return PromotionIn(gtin=field("gtin"), note=field("note")[:200], **days)
    except ValidationError as exc:
        problem = exc.errors()[0]
        raise HTTPException(422, f"{'.'.join(str(p) for p in problem['loc'])}: {problem['msg']}") from None


def product_gtin(said: str, catalog: Iterable[tuple[str, str | None]]) -> str:
    """The GTIN of the product the promotion form names: a GTIN (typed, or from a barcode scanner), a name picked
    from the list (which ends with its GTIN), or a name typed whole (accents and case aside). ``catalog``: the
    (gtin, name) rows. A name that matches no product, or several, is a 422 that says so."""
    said = said.strip()
    if not said:
        raise HTTPException(422, "product: give a product's name or its GTIN")
    code = _TRAILING_GTIN.search(said)
    if code:
        return code[1]
    wanted = fold(said)
    named = [gtin for gtin, name in catalog if fold(name) == wanted]
    if not named:
        named = [gtin for gtin, name in catalog if wanted in fold(name)]
    if len(named) == 1:
        return named[0]
    if not named:
        raise HTTPException(422, f"product: no product is named {said[:100]!r}")
    raise HTTPException(422, f"product: {len(named)} products match {said[:100]!r}; pick one from the list")


def quantity(form: dict[str, str]) -> int | None:
    """The decision form's quantity: empty means the suggested one."""
    text = form.get("quantity", "")
    if text and not text.isdigit():
        raise HTTPException(422, f"quantity: {text!r} is not a whole number")
    return int(text) if text else None
