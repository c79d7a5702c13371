"""What the markdowns API answers."""

from __future__ import annotations

from pydantic import BaseModel, Field


class MarkdownOut(BaseModel):
    id: int
    gtin: str
    name: str | None
    lot_id: int
    lot: str | None = Field(description="the lot's code ('' when the lot was dated without one)")
    expiry: str | None = Field(description="the lot's date, YYYY-MM-DD")
    date_kind: str | None = Field(description="use_by or best_before")
    state: str = Field(description="suggested, approved, rejected, superseded or ended")
    created: str
    units: int = Field(description="units of the lot when the suggestion was made")
    regular_cents: int
    discount_pct: int
    price_cents: int
    start: str = Field(description="when the reduced price applies from (ISO, UTC)")
    end: str = Field(description="until when: the end of the date's day (best-before) or closing time (use-by)")
    expected_units: float = Field(description="units expected to sell in all, full price then reduced")
    expected_cents: int = Field(description="expected value: sales at both prices plus the fallback's value")
    fallback: str = Field(description="what becomes of units left at the end: donate or discard")
    fallback_cents: int
    why: str = Field(description="why, in the caller's language")
    decided: str | None
    decided_by: str | None
    printed: str | None
    sold_units: int = Field(description="units of the lot sold at or below the reduced price within its window")
    recovered_cents: int = Field(description="money those sales brought in (docs/markdowns.md)")


class ReviewOut(BaseModel):
    suggested: int = Field(description="new suggestions")
    updated: int = Field(description="suggestions kept, their figures refreshed")
    superseded: int = Field(description="suggestions replaced by a better one")
    ended: int = Field(description="suggestions and markdowns ended (lot gone, date passed, no longer worth it)")
    lots: int = Field(description="open dated lots looked at")
