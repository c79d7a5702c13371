"""The catalog's optional label columns (organic, gluten_free, ..., allergens): imported, validated, never guessed."""

from __future__ import annotations

from pathlib import Path

import pytest

from comptoir.catalog_csv import ALLERGENS_COLUMN, CATALOG_COLUMNS, LABEL_COLUMNS
from hub.catalog import CatalogError, import_products
from hub.store import open_database

LABELS = (*LABEL_COLUMNS, ALLERGENS_COLUMN)
BASE = ",".join(CATALOG_COLUMNS)
ROW = "3017620422003,Pâtes sans gluten 500 g,Marque,Pâtes,2.49,500,A3,S1,1,Fournisseur,2"
OTHER = "3017620422010,Spaghetti 500 g,Marque,Pâtes,1.19,500,A3,S2,1,Fournisseur,2"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalog.csv"
    path.write_text(text, encoding="utf-8")
    return path


def labels(db, gtin_end: str) -> tuple:
    return db.execute(f"SELECT {', '.join(LABELS)} FROM products WHERE gtin LIKE ?",
                      [f"%{gtin_end}"]).fetchone()


def test_labels_are_stored_and_an_empty_cell_means_not_stated(tmp_path: Path) -> None:
    db = open_database(tmp_path / "hub.sqlite")
    header = BASE + "," + ",".join(LABELS)
    text = f"{header}\n{ROW},oui,yes,,true,1,,gluten\n{OTHER},,no,,,,,\n"
    # a product that is stated gluten-free but lists gluten is not refused here: the columns say what the label says
    import_products(db, write(tmp_path, text))
    assert labels(db, "2003") == (1, 1, None, 1, 1, None, "gluten")
    assert labels(db, "2010") == (None, 0, None, None, None, None, None)


def test_none_means_no_listed_allergen_and_names_are_kept_sorted(tmp_path: Path) -> None:
    db = open_database(tmp_path / "hub.sqlite")
    import_products(db, write(tmp_path, f"{BASE},allergens\n{ROW},none\n{OTHER}, Milk ;gluten;milk\n"))
    assert labels(db, "2003")[-1] == "" and labels(db, "2010")[-1] == "gluten;milk"


@pytest.mark.parametrize(("column", "value", "message"), [
    ("vegan", "maybe", "line 2: column vegan: 'maybe' is not yes, no or empty"),
    ("allergens", "nuts;chocolate", "line 2: column allergens: 'chocolate' not an allergen name"),
    ("halal", "certified", "line 2: column halal: 'certified' is not yes, no or empty"),
])
def test_a_bad_label_names_line_and_column_and_nothing_is_imported(tmp_path: Path, column: str, value: str,
                                                                   message: str) -> None:
    db = open_database(tmp_path / "hub.sqlite")
    with pytest.raises(CatalogError, match=message):
        import_products(db, write(tmp_path, f"{BASE},{column}\n{ROW},{value}\n{OTHER},\n"))
    assert db.execute("SELECT COUNT(*) FROM products").fetchone() == (0,)


def test_a_file_without_the_columns_keeps_what_is_stored(tmp_path: Path) -> None:
    db = open_database(tmp_path / "hub.sqlite")
    import_products(db, write(tmp_path, f"{BASE},organic,allergens\n{ROW},yes,none\n"))
    import_products(db, write(tmp_path, f"{BASE}\n{ROW.replace('2.49', '2.59')}\n"))  # a price update only
    assert labels(db, "2003")[0] == 1 and labels(db, "2003")[-1] == ""
    assert db.execute("SELECT price_cents FROM products").fetchone() == (259,)


def test_the_demo_catalog_states_only_some_labels(tmp_path: Path) -> None:
    """The shipped catalog imports with its label columns; most cells are empty (not stated), none invented."""
    from simulators.world.catalog import default_catalog_path

    db = open_database(tmp_path / "hub.sqlite")
    rows = import_products(db, default_catalog_path()).rows
    stated = db.execute("SELECT COUNT(*) FROM products WHERE organic = 1").fetchone()[0]
    assert rows > 300 and 0 < stated < rows
    assert db.execute("SELECT COUNT(*) FROM products WHERE halal IS NOT NULL").fetchone() == (0,)
    # every product sold as "bio" in its name is stated organic, and nothing else is
    names = [n for (n,) in db.execute("SELECT name FROM products WHERE organic = 1")]
    assert all(" bio" in n.lower() for n in names)
