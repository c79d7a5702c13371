"""Daily demand series: one row per SKU and day, missing days are zero sales, not gaps.

Input is either the hub's ``sales`` table or Nixtla's long format
(``unique_id,ds,y``). Returns (negative quantities) are netted within their
day; a day whose net is negative counts as zero demand, because a return is
not negative demand. Every such adjustment is written in a note per SKU, so a
suggestion can say why its history looks the way it does.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path

import numpy as np

from hub.csv_cells import guarded
from hub.i18n import Message


class DemandError(ValueError):
    """Input that cannot be read as demand; the message names the file, line and field."""


@dataclass
class Series:
    """One SKU's daily demand from ``start`` (index 0) to the last day, zeros included."""

    uid: str
    start: date
    y: np.ndarray
    notes: list[Message] = field(default_factory=list)
    # the shop's promotion calendar for this SKU: (first day, last day) pairs, past and planned
    promotions: list[tuple[date, date]] = field(default_factory=list)

    @property
    def end(self) -> date:
        return self.start + timedelta(days=len(self.y) - 1)

    @property
    def selling_days(self) -> int:
        return int(np.count_nonzero(self.y))

    def promoted(self, first: date, days: int) -> np.ndarray:
        """1.0 on the days from ``first`` (``days`` of them) that a promotion covers, else 0.0."""
        flags = np.zeros(days)
        for start, end in self.promotions:
            lo, hi = max((start - first).days, 0), min((end - first).days + 1, days)
            if lo < hi:
                flags[lo:hi] = 1.0
        return flags


def build_series(daily: dict[str, dict[date, float]], start: date | None = None, end: date | None = None,
                 known: list[str] | None = None) -> dict[str, Series]:
    """Dense daily series from sparse (SKU -> day -> net quantity) totals.

    Each SKU runs from its first sale (not before ``start``) to ``end`` (or the
    overall last day). ``known`` SKUs
    with no rows at all get an all-zero series (and a note saying so).
    """
    all_days = [d for days in daily.values() for d in days]
    last = end or (max(all_days) if all_days else None)
    out: dict[str, Series] = {}
    for uid in sorted(set(daily) | set(known or [])):
        days = daily.get(uid, {})
        notes: list[Message] = []
        if not days:
            if start is None or last is None:
                continue
            out[uid] = Series(uid, start, np.zeros((last - start).days + 1), ["no sales in the history"])
            continue
        # a product first sold inside the window was probably not stocked before: start there
        first = max(start, min(days)) if start else min(days)
        length = (last - first).days + 1
        y = np.zeros(length)
        for day, qty in days.items():
            index = (day - first).days
            if 0 <= index < length:
                y[index] += qty
        negative = y < 0
        if negative.any():
            notes.append(Message("note_returns_days", n=int(negative.sum())))
            y[negative] = 0.0
        missing = length - len(days)
        if missing and start is None:
            notes.append(Message("note_missing_days", n=missing))
        if np.count_nonzero(y) == 0:
            notes.append(Message("note_no_sales"))
        elif np.count_nonzero(y) == 1:
            notes.append(Message("note_single_day"))
        out[uid] = Series(uid, first, y, notes)
    return out


#: No cell of a sales or calendar file is longer: ids, dates and numbers.
MAX_CELL = 1000


def csv_rows(path: Path, columns: tuple[str, ...],
             error: type[ValueError]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) of a CSV file that has at least ``columns``; ``error`` is raised naming the file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise error(f"{path}: cannot open: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise error(f"{path}:{line}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    with io.StringIO(text, newline="") as handle:
        reader = csv.DictReader(handle)
        try:
            header = reader.fieldnames or []
        except csv.Error as exc:
            raise error(f"{path}:1: unreadable header ({exc})") from None
        missing = set(columns) - set(header)
        if missing:
            raise error(f"{path}: missing column(s) {', '.join(sorted(missing))}; expected {','.join(columns)}")
        cells = guarded(reader, lambda: reader.line_num, MAX_CELL)
        while True:
            try:
                found = next(cells, None)
            except ValueError as exc:
                raise error(f"{path}: {exc}") from None
            if found is None:
                return
            yield found


def csv_day(path: Path, line: int, row: dict[str, str], column: str, error: type[ValueError]) -> date:
    try:
        return date.fromisoformat((row[column] or "").strip()[:10])
    except ValueError:
        raise error(f"{path}:{line}: {column} {row[column]!r} is not a date (YYYY-MM-DD)") from None


def read_long_csv(path: str | Path) -> dict[str, Series]:
    """Read Nixtla's long format (``unique_id,ds,y``); a bad row names its line and field."""
    path = Path(path)
    daily: dict[str, dict[date, float]] = defaultdict(dict)
    returns: dict[str, int] = defaultdict(int)
    for line, row in csv_rows(path, ("unique_id", "ds", "y"), DemandError):
        uid = (row["unique_id"] or "").strip()
        if not uid:
            raise DemandError(f"{path}:{line}: unique_id is empty")
        day = csv_day(path, line, row, "ds", DemandError)
        try:
            qty = float(row["y"])
        except (TypeError, ValueError):
            raise DemandError(f"{path}:{line}: y {row['y']!r} is not a number") from None
        if not np.isfinite(qty):
            raise DemandError(f"{path}:{line}: y {row['y']!r} is not a finite number")
        if qty < 0:
            returns[uid] += 1
        daily[uid][day] = daily[uid].get(day, 0.0) + qty
    if not daily:
        raise DemandError(f"{path}: no rows")
    series = build_series(daily)
    for uid, count in returns.items():
        series[uid].notes.insert(0, Message("note_return_rows", n=count))
    return series


def sales_by_day(rows: list[tuple[str, float, float]], tz: tzinfo = UTC) -> dict[str, dict[date, float]]:
    """(gtin, UNIX time, quantity) rows -> net quantity per SKU and day in the store's time zone.

    A sale at 00:30 in Paris belongs to that day, not to the UTC day before; the
    offset is looked up per sale, so days across a change of summer time stay right.
    """
    daily: dict[str, dict[date, float]] = defaultdict(dict)
    for gtin, when, qty in rows:
        day = datetime.fromtimestamp(when, tz).date()
        daily[gtin][day] = daily[gtin].get(day, 0.0) + qty
    return daily


def write_long_csv(series: dict[str, Series], path: str | Path) -> None:
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unique_id", "ds", "y"])
        for s in series.values():
            for i, value in enumerate(s.y):
                writer.writerow([s.uid, (s.start + timedelta(days=i)).isoformat(), f"{value:g}"])
