"""Reference data import: the CSV formats of docs/catalog.md, all-or-nothing, errors naming line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.catalog import CatalogError, import_planogram, import_products, import_zones
from hub.store import MIGRATIONS, migrate, open_database, schema_version
from tests.hub.support import CATALOG, NUTELLA, PLANOGRAM, ZONES, comptoir

HEADER = CATALOG.splitlines()[0]


def write(tmp_path: Path, text: str, name: str = "catalog.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_catalog_is_stored_with_gtin14_and_cents(tmp_path: Path) -> None:
    db = open_database(tmp_path / "hub.sqlite")
    assert import_products(db, write(tmp_path, CATALOG)).rows == 3
    row = db.execute("SELECT gtin, name, price_cents, lead_time_days FROM products WHERE name LIKE 'Pâte%'").fetchone()
    assert row == ("0" + NUTELLA, "Pâte à tartiner 400 g", 389, 3)
    # importing again updates rather than duplicates
    import_products(db, write(tmp_path, CATALOG.replace("3.89", "3.99")))
    assert db.execute("SELECT COUNT(*), SUM(price_cents) FROM products").fetchone() == (3, 399 + 849 + 135)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("3.89", '"3,89"'), "line 2: column price_eur: '3,89' is not a price like 3.89"),
        (("3.89", "3,89"), "line 2: 12 fields but the header has 11 columns (quote a value that holds a comma)"),
        (("3.89", "3.899"), "line 2: column price_eur: '3.899' has more than two decimals"),
        ((NUTELLA, NUTELLA[:-1] + "0"), "line 2: column gtin: GTIN"),
        (("Ferrero France,3", "Ferrero France,soon"), "line 2: column lead_time_days: 'soon' is not a whole number"),
        (("1000,A3,S2,1,", "-5,A3,S2,1,"), "line 4: column unit_weight_g: '-5' must be more than 0"),
        ((",Ferrero,", ",,"), "line 2: column brand: is empty"),
    ],
)
def test_a_bad_row_names_line_and_column_and_nothing_is_imported(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    db = open_database(tmp_path / "hub.sqlite")
    with pytest.raises(CatalogError) as err:
        import_products(db, write(tmp_path, CATALOG.replace(*change, 1)))
    assert message in str(err.value)
    assert db.execute("SELECT COUNT(*) FROM products").fetchone()[0] == 0


def test_header_and_duplicates_are_checked(tmp_path: Path) -> None:
    db = open_database(tmp_path / "hub.sqlite")
    with pytest.raises(CatalogError, match=r"line 1: missing column.*lead_time_days"):
        import_products(db, write(tmp_path, CATALOG.replace(",lead_time_days", "")))
    lines = CATALOG.splitlines()
    with pytest.raises(CatalogError, match=f"line 5: column gtin: 0{NUTELLA} already on line 2"):
        import_products(db, write(tmp_path, "\n".join([*lines, lines[1]]) + "\n"))
    assert db.execute("SELECT COUNT(*) FROM products").fetchone()[0] == 0


def test_planogram_needs_the_catalog_and_zones_know_their_kinds(tmp_path: Path) -> None:
    db = open_database(tmp_path / "hub.sqlite")
    with pytest.raises(CatalogError, match=r"line 2: column gtin: .* is not in the catalog"):
        import_planogram(db, write(tmp_path, PLANOGRAM, "planogram.csv"))
    import_products(db, write(tmp_path, CATALOG))
    assert import_planogram(db, write(tmp_path, PLANOGRAM, "planogram.csv")).rows == 3
    assert db.execute("SELECT scale FROM slots WHERE slot='A3-B1-S2-02'").fetchone() == ("scale-7",)
    with pytest.raises(CatalogError, match="line 3: column kind: 'shop' is not one of backroom, floor, exit, dock"):
        import_zones(db, write(tmp_path, ZONES.replace("floor-a2,floor", "floor-a2,shop"), "zones.csv"))
    assert import_zones(db, write(tmp_path, ZONES, "zones.csv")).rows == 5


def test_the_command_line_reports_the_bad_line_and_exits_non_zero(tmp_path: Path) -> None:
    bad = write(tmp_path, CATALOG.replace("8.49", "cheap"))
    done = comptoir("hub", "--db", str(tmp_path / "hub.sqlite"), "import-catalog", str(bad))
    assert done.returncode != 0
    assert "line 3: column price_eur: 'cheap' is not a price like 3.89 (nothing was imported)" in done.stderr
    good = comptoir("hub", "--db", str(tmp_path / "hub.sqlite"), "import-catalog", str(write(tmp_path, CATALOG)))
    assert good.returncode == 0 and "imported 3 products rows" in good.stdout


def test_migrations_are_versioned_and_run_once(tmp_path: Path) -> None:
    db = open_database(tmp_path / "hub.sqlite")
    assert schema_version(db) == MIGRATIONS[-1].version
    assert migrate(db) == []  # nothing left to apply
    db.close()
    again = open_database(tmp_path / "hub.sqlite")
    assert again.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0] == len(MIGRATIONS)
    assert again.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
