"""The ``fresh:`` section of the hub config: when a date warns, and how markdowns are chosen (docs/fresh.md).

Every figure is named, defaulted and documented here, so that a shop can see
and change what decides an expiry alert or a suggested price.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ExpirySettings(BaseModel):
    """When a lot's date raises an alert."""

    model_config = ConfigDict(extra="forbid")

    warn_days: int = Field(2, ge=0, le=60, description="days before its date that a lot is said to be expiring")
    warn_days_by_category: dict[str, int] = Field(
        default_factory=dict, description="the same per catalog category (e.g. dairy: 3, bakery: 0)")
    check_every_s: float = Field(600.0, gt=0, le=86400, description="how often the hub looks at the dates")

    def warn_days_for(self, category: str | None) -> int:
        return self.warn_days_by_category.get(category or "", self.warn_days)


class MarkdownSettings(BaseModel):
    """How the hub chooses a markdown: the discounts it weighs, the demand response it assumes without history."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(True, description="suggest markdowns (staff still approve each one)")
    discounts_pct: tuple[int, ...] = Field((20, 30, 40, 50, 70), description="the reductions weighed, in percent")
    default_elasticity: float = Field(
        -2.5, le=0, ge=-10,
        description="price elasticity of demand when the shop's own history is too short to learn one: sales "
                    "multiply by (price ratio) ** elasticity, so -2.5 sells ~2.4x at 30 % off")
    min_history_points: int = Field(
        8, ge=1, description="discounted selling days of a category needed before its own elasticity is used")
    donate: bool = Field(True, description="what would not sell can be given to a food bank before its date")
    donation_value_pct: int = Field(
        60, ge=0, le=100,
        description="what a donation is worth to the shop, in percent of its cost (France: a 60 % tax reduction on "
                    "the stock value given)")
    run_every_s: float = Field(3600.0, gt=0, le=86400, description="how often the hub reviews suggestions")


class FreshSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expiry: ExpirySettings = Field(default_factory=ExpirySettings)
    markdowns: MarkdownSettings = Field(default_factory=MarkdownSettings)
