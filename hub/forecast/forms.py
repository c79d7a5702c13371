"""The reorder page's HTML forms read into the API's terms: urlencoded fields (without python-multipart), a
promotion, a quantity. What does not read is a 422 naming the field, as the JSON API says it."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs

from fastapi import HTTPException, Request
from pydantic import ValidationError

from hub.forecast.schemas import PromotionIn

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


def quantity(form: dict[str, str]) -> int | None:
    """The decision form's quantity: empty means the suggested one."""
    text = form.get("quantity", "")
    if text and not text.isdigit():
        raise HTTPException(422, f"quantity: {text!r} is not a whole number")
    return int(text) if text else None
