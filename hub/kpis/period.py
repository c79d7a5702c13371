"""A period of shop days, a figure, and the helpers every figure shares (days, values at cost)."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import sqlite_utils

#: A period longer than this is refused: the figures walk every day of it.
MAX_DAYS = 366
#: Days the hub can place in time (Unix seconds, a day after the last one still a date).
EARLIEST, LATEST = date(1970, 1, 2), date(9999, 12, 30)
WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


class KpiError(ValueError):
    """A period that cannot be read (the message names the field and why)."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


@dataclass(frozen=True)
class Period:
    """The shop days ``first`` to ``last`` (both included) in the shop's time zone ``zone``."""

    first: date
    last: date
    zone: ZoneInfo

    def __post_init__(self) -> None:
        for name, day in (("first", self.first), ("last", self.last)):
            if not EARLIEST <= day <= LATEST:
                raise KpiError(name, f"{day} is outside {EARLIEST} to {LATEST}")
        if self.last < self.first:
            raise KpiError("last", f"{self.last} is before first {self.first}")
        if self.days_count > MAX_DAYS:
            raise KpiError("last", f"a period is at most {MAX_DAYS} days, not {self.days_count}")

    @classmethod
    def parse(cls, first: str, last: str, zone: ZoneInfo) -> Period:
        return cls(_day("first", first), _day("last", last), zone)

    @classmethod
    def week(cls, text: str, zone: ZoneInfo) -> Period:
        """An ISO week, ``2026-W48``: Monday to Sunday."""
        match = WEEK.match(text or "")
        if not match:
            raise KpiError("week", f"{text!r} is not an ISO week such as 2026-W48")
        try:
            monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
            sunday = monday + timedelta(days=6)
        except ValueError:
            raise KpiError("week", f"{text!r}: {match[1]} has no week {match[2]}") from None
        except OverflowError:
            raise KpiError("week", f"{text!r} ends after {LATEST}") from None
        return cls(monday, sunday, zone)

    @property
    def days_count(self) -> int:
        return (self.last - self.first).days + 1

    def days(self) -> Iterator[date]:
        for n in range(self.days_count):
            yield self.first + timedelta(days=n)

    def midnight(self, day: date) -> float:
        """The Unix time a shop day begins (its midnight in the shop's zone)."""
        return datetime.combine(day, time(0), self.zone).timestamp()

    @cached_property
    def start(self) -> float:
        return self.midnight(self.first)

    @cached_property
    def end(self) -> float:
        """The first moment after the period (the next day's midnight)."""
        return self.midnight(self.last + timedelta(days=1))

    @cached_property
    def _midnights(self) -> list[float]:
        return [self.midnight(day) for day in self.days()]

    def day_of(self, seconds: float) -> date:
        """The shop day of a moment; within the period, found among its midnights (no time zone sum per row)."""
        if self.start <= seconds < self.end:
            return self.first + timedelta(days=bisect_right(self._midnights, seconds) - 1)
        return datetime.fromtimestamp(seconds, UTC).astimezone(self.zone).date()

    @property
    def label(self) -> str:
        return f"{self.first.isoformat()}/{self.last.isoformat()}"


def _day(name: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise KpiError(name, f"{text!r} is not a date YYYY-MM-DD") from None


@dataclass(frozen=True)
class Figure:
    """One figure: ``key`` (also its definition's catalog code ``kpi.<key>.how``), its value (None when nothing
    was there to measure), its unit (``cents``, ``fraction``, ``units``, ``count``, ``times``, ``days``) and the
    counts it is made of."""

    key: str
    value: float | int | None
    unit: str
    parts: dict[str, float | int | None] = field(default_factory=dict)


def ratio(top: float, bottom: float) -> float | None:
    return top / bottom if bottom else None


def unit_costs(db: sqlite_utils.Database) -> dict[str, tuple[int, bool]]:
    """gtin -> (unit value at cost, whether it is the real cost): cost_cents, else the shelf price."""
    rows = db.execute("SELECT gtin, cost_cents, price_cents FROM products").fetchall()
    return {g: (cost, True) if cost is not None else (price, False) for g, cost, price in rows}


def categories(db: sqlite_utils.Database) -> dict[str, str]:
    return dict(db.execute("SELECT gtin, category FROM products").fetchall())
