"""What ``GET /api/kpis`` answers (the OpenAPI document integrators read)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class PartOut(BaseModel):
    key: str
    name: str = Field(description="in the reader's language")
    display: str = Field(description="written by Babel in the reader's language")


class FigureOut(BaseModel):
    key: str = Field(description="revenue, units_sold, receipts, revenue_net_of_waste, waste_value, waste_rate, "
                     "donations, markdown_recovered, shrink, availability, stockout_rate, inventory_accuracy, "
                     "forecast_wape")
    value: int | float | None = Field(description="money in cents, rates as fractions; null when nothing was measured")
    unit: str = Field(description="cents, fraction, units, count")
    parts: dict[str, int | float | None] = Field(description="the counts the figure is made of")
    parts_said: list[PartOut]
    name: str
    display: str
    definition: str = Field(description="the definition's key in the message catalog (kpi.<key>.how)")
    how: str = Field(description="how the figure is computed, in the reader's language")


class CategoryDisplay(BaseModel):
    turnover: str
    days_of_cover: str


class CategoryOut(BaseModel):
    category: str
    turnover: float | None = Field(description="cost of goods sold / average stock value at cost, for the period")
    days_of_cover: float | None = Field(description="units on hand at the period's end / mean units sold a day")
    cogs_cents: int
    stock_value_cents: int
    units_sold: int
    units_now: int
    mean_daily_units: float
    products_without_cost: int
    display: CategoryDisplay


class DefinitionOut(BaseModel):
    definition: str
    name: str
    how: str


class DayOut(BaseModel):
    day: str
    revenue_cents: int
    waste_cents: int


class KpisOut(BaseModel):
    first: str
    last: str
    timezone: str
    said: str = Field(description="the period in the reader's language")
    figures: list[FigureOut]
    categories: list[CategoryOut]
    category_definitions: dict[str, DefinitionOut]
    daily: list[DayOut]
