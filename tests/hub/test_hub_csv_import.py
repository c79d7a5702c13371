"""Hostile rows in the reference files (catalog, planogram, zones): each refused naming line and column, the
database unchanged, the command exiting with the reason (issue 16, part 8)."""

from __future__ import annotations

import sqlite3

import pytest

from tests.hub.support import CATALOG, ZONES, HubProcess, comptoir

HEADER = CATALOG.splitlines()[0]
ROW = CATALOG.splitlines()[1]
NUL_ROW = ROW.replace("Pâte", "P\x00te")


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> HubProcess:
    process = HubProcess(tmp_path_factory.mktemp("csv-import"), "mqtt://127.0.0.1:1")
    process.prepare()  # the good reference files: 3 products, 3 slots, 5 zones
    return process


def products(hub: HubProcess) -> list[tuple[str, str]]:
    with sqlite3.connect(hub.db_path) as db:
        return db.execute("SELECT gtin, name FROM products ORDER BY gtin").fetchall()


CATALOG_CASES = {
    "NUL in a name": (f"{HEADER}\n{NUL_ROW}\n", "line 2: column name: contains a NUL"),
    "a huge name": (f"{HEADER}\n{ROW.replace('Pâte', 'P' * 5000)}\n", "line 2: column name: is longer than 1000"),
    "a long name": (f"{HEADER}\n{ROW.replace('Pâte', 'P' * 300)}\n", "line 2: column name: is longer than 200"),
    "a cell over the csv module's limit": (f'{HEADER}\n{ROW}\n"{"z" * 200_000}",x\n', "line 3: unreadable CSV"),
    "NUL in the header": (f"gtin\x00,{HEADER}\n{ROW}\n", "line 1"),
}


@pytest.mark.parametrize("case", list(CATALOG_CASES))
def test_a_hostile_catalog_row_is_refused_with_line_and_column(hub: HubProcess, case: str) -> None:
    before = products(hub)
    text, expected = CATALOG_CASES[case]
    path = hub.workdir / "hostile.csv"
    path.write_text(text, encoding="utf-8", newline="")
    done = comptoir("hub", "--config", str(hub.config_path), "import-catalog", str(path))
    assert done.returncode == 1 and expected in done.stderr and "nothing was imported" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert products(hub) == before


def test_hostile_zone_and_planogram_rows_are_refused(hub: HubProcess) -> None:
    zones = hub.workdir / "zones.csv"
    zones.write_text(ZONES.replace("floor-a3", "floor\x00a3"), encoding="utf-8")
    done = comptoir("hub", "--config", str(hub.config_path), "import-zones", str(zones))
    assert done.returncode == 1 and "line 4: column alias: contains a NUL" in done.stderr, done.stderr
    slots = hub.workdir / "slots.csv"
    slots.write_text("slot,gtin,camera,capacity,scale\n" + "s" * 2000 + ",1,,1,\n", encoding="utf-8")
    done = comptoir("hub", "--config", str(hub.config_path), "import-planogram", str(slots))
    assert done.returncode == 1 and "line 2: column slot: is longer than 1000" in done.stderr, done.stderr
