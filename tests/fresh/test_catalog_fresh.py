"""The catalog's fresh-food columns: date_kind (use_by / best_before / empty) and cost_eur (hub/catalog.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from comptoir.catalog_csv import CATALOG_COLUMNS
from hub.catalog import CatalogError, import_products
from hub.store import open_database

BASE = ",".join(CATALOG_COLUMNS)
YOGHURT = "3033490004521,Yaourt nature x4,Danone,dairy,1.89,500,A1,S1,1,Lactalis,2"
BREAD = "3250390000013,Baguette,Fournil,bakery,1.10,250,B1,S1,1,Fournil,1"
RICE = "3017620422003,Riz 1 kg,Marque,grocery,2.49,1000,A3,S1,1,Fournisseur,2"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalog.csv"
    path.write_text(text, encoding="utf-8")
    return path


def stored(db, gtin_end: str) -> tuple:
    return db.execute("SELECT date_kind, cost_cents FROM products WHERE gtin LIKE ?", [f"%{gtin_end}"]).fetchone()


def test_date_kind_and_cost_are_stored(tmp_path: Path) -> None:
    db = open_database(tmp_path / "hub.sqlite")
    text = (f"{BASE},date_kind,cost_eur\n{YOGHURT},use_by,1.05\n{BREAD}, Best_Before ,0.40\n{RICE},,\n")
    import_products(db, write(tmp_path, text))
    assert stored(db, "4521") == ("use_by", 105)
    assert stored(db, "0013") == ("best_before", 40)
    assert stored(db, "2003") == (None, None)  # not dated, cost unknown


def test_a_file_without_the_columns_keeps_what_is_stored(tmp_path: Path) -> None:
    db = open_database(tmp_path / "hub.sqlite")
    import_products(db, write(tmp_path, f"{BASE},date_kind,cost_eur\n{YOGHURT},use_by,1.05\n"))
    import_products(db, write(tmp_path, f"{BASE}\n{YOGHURT}\n"))
    assert stored(db, "4521") == ("use_by", 105)


@pytest.mark.parametrize(("column", "value", "message"), [
    ("date_kind", "usebydate", "line 2: column date_kind: 'usebydate' is not use_by, best_before or empty"),
    ("date_kind", "DLC", "line 2: column date_kind: 'DLC' is not use_by, best_before or empty"),
    ("cost_eur", "\"1,05\"", "line 2: column cost_eur: '1,05' is not a price like 3.89"),
    ("cost_eur", "-1", "line 2: column cost_eur: '-1' is not a price between 0 and 1000000"),
    ("cost_eur", "0.105", "line 2: column cost_eur: '0.105' has more than two decimals"),
])
def test_a_bad_cell_names_line_and_column_and_nothing_is_imported(tmp_path: Path, column: str, value: str,
                                                                   message: str) -> None:
    db = open_database(tmp_path / "hub.sqlite")
    with pytest.raises(CatalogError, match=message):
        import_products(db, write(tmp_path, f"{BASE},{column}\n{YOGHURT},{value}\n{BREAD},\n"))
    assert db.execute("SELECT COUNT(*) FROM products").fetchone() == (0,)
