"""Importing the shop's reference data from CSV: products, planogram slots, zones.

Every file is checked whole before anything is written; a bad row raises
:class:`CatalogError` naming the file, line and column, and the database is
left as it was. Re-importing a file updates the rows it names (by key).
The formats are documented in docs/catalog.md.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import sqlite_utils

from comptoir.catalog_csv import (
    ALLERGENS,
    ALLERGENS_COLUMN,
    CATALOG_COLUMNS,
    COST_COLUMN,
    DATE_KIND_COLUMN,
    DATE_KINDS,
    LABEL_COLUMNS,
    OPTIONAL_COLUMNS,
)
from comptoir.contract import gtin14
from comptoir.contract.topics import TopicError, check_id
from hub.csv_cells import check_cell, guarded

PRODUCT_COLUMNS = list(CATALOG_COLUMNS) + list(OPTIONAL_COLUMNS)
_YES = frozenset({"yes", "y", "true", "1", "oui", "o"})
_NO = frozenset({"no", "n", "false", "0", "non"})
SLOT_COLUMNS = ["slot", "gtin", "camera", "capacity", "scale"]
ZONE_COLUMNS = ["alias", "kind", "reader", "antenna"]
ZONE_KINDS = ("backroom", "floor", "exit", "dock")

#: Rows past this count are refused: a shop's catalog is thousands of lines, not millions.
MAX_ROWS = 200_000
#: No cell of a reference file is longer (columns have their own, lower limits).
MAX_CELL = 1000


class CatalogError(ValueError):
    """A reference file that cannot be imported; the message names line and column."""


@dataclass(frozen=True)
class ImportResult:
    table: str
    rows: int


def _text(value: str, column: str, max_len: int = 200, required: bool = True) -> str | None:
    value = value.strip()
    if not value:
        if required:
            raise ValueError("is empty")
        return None
    if len(value) > max_len:
        raise ValueError(f"is longer than {max_len} characters")
    return value


def _int(value: str, low: int, high: int) -> int:
    try:
        number = int(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a whole number") from None
    if not low <= number <= high:
        raise ValueError(f"{number} is outside {low}..{high}")
    return number


def _price_cents(value: str) -> int:
    try:
        amount = Decimal(value.strip())
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a price like 3.89") from None
    if not amount.is_finite() or amount < 0 or amount > 1_000_000:
        raise ValueError(f"{value!r} is not a price between 0 and 1000000")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"{value!r} has more than two decimals")
    return int(amount * 100)


def _weight(value: str) -> float:
    try:
        grams = float(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a number of grams") from None
    if not 0 < grams <= 1_000_000:
        raise ValueError(f"{value!r} must be more than 0 and at most 1000000 grams")
    return grams


def _gtin(value: str) -> str:
    return gtin14(value.strip())


def _device(value: str) -> str:
    try:
        return check_id(value.strip(), "device id")
    except TopicError as exc:
        raise ValueError(str(exc)) from None


def _label(value: str) -> int | None:
    """A yes/no label column: 1, 0, or None when the cell is empty (the catalog does not say)."""
    folded = value.strip().lower()
    if not folded:
        return None
    if folded in _YES:
        return 1
    if folded in _NO:
        return 0
    raise ValueError(f"{value.strip()!r} is not yes, no or empty")


def _allergens(value: str) -> str | None:
    """The allergens column: names from the EU list separated by ';', or 'none'; None when empty."""
    names = [n.strip().lower() for n in value.split(";") if n.strip()]
    if not names:
        return None
    if names == ["none"]:
        return ""
    unknown = [n for n in names if n not in ALLERGENS]
    if unknown:
        raise ValueError(f"{', '.join(repr(n) for n in unknown)} not an allergen name; use 'none' or some of "
                         f"{', '.join(ALLERGENS)} separated by ';'")
    return ";".join(sorted(set(names)))


def _date_kind(value: str) -> str | None:
    """The date_kind column: use_by, best_before, or None when the product carries no date."""
    folded = value.strip().lower()
    if not folded:
        return None
    if folded not in DATE_KINDS:
        raise ValueError(f"{value.strip()!r} is not use_by, best_before or empty")
    return folded


def _cost_cents(value: str) -> int | None:
    """The cost_eur column: the unit cost price in cents, None when the cell is empty (cost unknown)."""
    return _price_cents(value) if value.strip() else None


def _product(row: dict[str, str]) -> dict[str, Any]:
    # the optional label columns are written only when the file has them: a file without them keeps what is stored
    labels = {c: (c, _label) for c in LABEL_COLUMNS if c in row}
    if ALLERGENS_COLUMN in row:
        labels[ALLERGENS_COLUMN] = (ALLERGENS_COLUMN, _allergens)
    if DATE_KIND_COLUMN in row:
        labels["date_kind"] = (DATE_KIND_COLUMN, _date_kind)
    if COST_COLUMN in row:
        labels["cost_cents"] = (COST_COLUMN, _cost_cents)
    return {
        "gtin": ("gtin", _gtin),
        "name": ("name", _text),
        "brand": ("brand", _text),
        "category": ("category", _text),
        "price_cents": ("price_eur", _price_cents),
        "unit_weight_g": ("unit_weight_g", _weight),
        "aisle": ("aisle", lambda v: _text(v, "aisle", 40)),
        "shelf": ("shelf", lambda v: _text(v, "shelf", 40)),
        "pack_size": ("pack_size", lambda v: _int(v, 1, 10_000)),
        "supplier": ("supplier", _text),
        "lead_time_days": ("lead_time_days", lambda v: _int(v, 0, 365)),
        **labels,
    }, row


def _slot(row: dict[str, str]) -> dict[str, Any]:
    return {
        "slot": ("slot", lambda v: _text(v, "slot", 64)),
        "gtin": ("gtin", _gtin),
        "camera": ("camera", lambda v: _device(v) if v.strip() else None),
        "capacity": ("capacity", lambda v: _int(v, 1, 1000)),
        "scale": ("scale", lambda v: _device(v) if v.strip() else None),
    }, row


def _zone_kind(value: str) -> str:
    value = value.strip()
    if value not in ZONE_KINDS:
        raise ValueError(f"{value!r} is not one of {', '.join(ZONE_KINDS)}")
    return value


def _zone(row: dict[str, str]) -> dict[str, Any]:
    return {
        "alias": ("alias", lambda v: _text(v, "alias", 64)),
        "kind": ("kind", _zone_kind),
        "reader": ("reader", lambda v: _device(v) if v.strip() else None),
        "antenna": ("antenna", lambda v: _int(v, 0, 65535) if v.strip() else None),
    }, row


def _rows(
    text: str, name: str, columns: list[str], spec: Callable[[dict[str, str]], Any], optional: set[str]
) -> Iterator[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = reader.fieldnames or []
        check_cell(",".join(header), MAX_CELL)
    except (csv.Error, ValueError) as exc:
        raise CatalogError(f"{name}: line 1: unreadable header ({exc})") from None
    missing = [c for c in columns if c not in header and c not in optional]
    if missing:
        raise CatalogError(f"{name}: line 1: missing column(s) {', '.join(missing)}; expected {','.join(columns)}")
    unknown = [c for c in header if c not in columns]
    if unknown:
        raise CatalogError(f"{name}: line 1: unknown column(s) {', '.join(unknown)}; expected {','.join(columns)}")
    cells = guarded(reader, lambda: reader.line_num, MAX_CELL)
    for count in range(1, MAX_ROWS + 2):
        try:
            found = next(cells, None)
        except ValueError as exc:
            raise CatalogError(f"{name}: {exc}") from None
        if found is None:
            return
        if count > MAX_ROWS:
            raise CatalogError(f"{name}: more than {MAX_ROWS} rows")
        line, raw = found
        if None in raw:
            raise CatalogError(f"{name}: line {line}: {len(header) + len(raw[None])} fields but the header has "
                               f"{len(header)} columns (quote a value that holds a comma)")
        fields, _ = spec(raw)
        out = {}
        for key, (column, parse) in fields.items():
            value = raw.get(column)
            if value is None:
                if column in optional:
                    value = ""
                else:
                    raise CatalogError(f"{name}: line {line}: column {column}: missing (the row is too short)")
            try:
                out[key] = parse(value) if parse is not _text else _text(value, column)
            except ValueError as exc:
                raise CatalogError(f"{name}: line {line}: column {column}: {exc}") from None
        yield out


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _write(db: sqlite_utils.Database, table: str, key: str, rows: list[dict[str, Any]], name: str) -> ImportResult:
    seen: dict[str, int] = {}
    for i, row in enumerate(rows, start=2):
        if row[key] in seen:
            raise CatalogError(f"{name}: line {i}: column {key}: {row[key]} already on line {seen[row[key]]}")
        seen[row[key]] = i
    if rows:
        columns = list(rows[0])
        # sqlite-utils' upsert inserts the key alone first, which NOT NULL columns refuse: say it in SQL
        sql = (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
               f"ON CONFLICT({key}) DO UPDATE SET " + ", ".join(f"{c}=excluded.{c}" for c in columns if c != key))
        with db.conn:
            db.conn.executemany(sql, [tuple(r[c] for c in columns) for r in rows])
    return ImportResult(table, len(rows))


def import_products(db: sqlite_utils.Database, path: Path) -> ImportResult:
    """Import the catalog CSV; GTINs are stored as GTIN-14."""
    rows = list(_rows(_read(path), str(path), PRODUCT_COLUMNS, _product, set(OPTIONAL_COLUMNS)))
    return _write(db, "products", "gtin", rows, str(path))


def import_planogram(db: sqlite_utils.Database, path: Path) -> ImportResult:
    """Import planogram slots; every slot's GTIN must be in the catalog already."""
    name = str(path)
    rows = list(_rows(_read(path), name, SLOT_COLUMNS, _slot, {"camera", "scale"}))
    known = {r[0] for r in db.execute("SELECT gtin FROM products")}
    for i, row in enumerate(rows, start=2):
        if row["gtin"] not in known:
            raise CatalogError(f"{name}: line {i}: column gtin: {row['gtin']} is not in the catalog; import it first")
    return _write(db, "slots", "slot", rows, name)


def import_zones(db: sqlite_utils.Database, path: Path) -> ImportResult:
    """Import zone aliases (what each reader antenna covers)."""
    rows = list(_rows(_read(path), str(path), ZONE_COLUMNS, _zone, {"reader", "antenna"}))
    return _write(db, "zones", "alias", rows, str(path))
