"""The demo catalog: a few hundred products of a French neighbourhood shop.

The CSV in ``data/catalog.csv`` is the one format both the simulated shop and
``comptoir hub import-catalog`` read. How a product looks to a camera
(package kind, colour) is derived from the product itself, so the CSV stays
what a shopkeeper would export from a till.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path

from comptoir.catalog_csv import CATALOG_COLUMNS, OPTIONAL_COLUMNS
from comptoir.contract import gtin14

COLUMNS = CATALOG_COLUMNS

#: package kinds a camera renders; the first matching keyword in the name wins, then the category's default
PACKAGE_KINDS = ("box", "bottle", "can", "bag", "jar")
_KIND_BY_WORD = (
    (
        (
            "huile",
            "sirop",
            "eau ",
            "jus",
            "bière",
            "vin",
            "bordeaux",
            "champagne",
            "cidre",
            "lait ",
            "boisson",
            "vinaigre",
            "gel douche",
            "shampooing",
            "liquide",
            "javel",
            "nettoyant",
            "adoucissant",
            "orangina",
            "oasis",
            "hermitage",
            "gascogne",
        ),
        "bottle",
    ),
    (
        (
            "conserve",
            "thon",
            "sardines",
            "maquereaux",
            "petits pois",
            "haricots",
            "maïs",
            "cassoulet",
            "choucroute",
            "pâtée",
            "flageolets",
            "macédoine",
            "ratatouille",
            "lentilles cuisinées",
            "petit salé",
            "carottes rondelles",
            "champignons de paris émincés",
            "concentré",
        ),
        "can",
    ),
    (
        (
            "confiture",
            "miel",
            "moutarde",
            "mayonnaise",
            "cornichons",
            "pâte à tartiner",
            "sauce",
            "pesto",
            "purée",
            "yaourt",
            "crème",
            "petits pots",
            "fleur de sel",
        ),
        "jar",
    ),
    (
        (
            "chips",
            "riz",
            "farine",
            "sucre",
            "café moulu",
            "café en grains",
            "cacahuètes",
            "pistaches",
            "croquettes",
            "frites",
            "épinards",
            "sel",
            "lardons",
            "vrac",
            "couscous",
            "semoule",
            "quinoa",
            "pâtes",
            "spaghetti",
            "penne",
            "fusilli",
            "coquillettes",
            "tagliatelles",
            "macaroni",
            "gnocchi",
            "mâche",
            "lentilles",
            "pois chiches",
        ),
        "bag",
    ),
)
_KIND_BY_CATEGORY = {
    "Boissons": "bottle",
    "Conserves": "can",
    "Fruits et légumes": "bag",
    "Huiles, vinaigres et condiments": "jar",
}


@dataclass(frozen=True, slots=True)
class Product:
    """One line of the catalog."""

    gtin: str  # GTIN-13 as printed on the pack
    name: str
    brand: str
    category: str
    price_eur: Decimal
    unit_weight_g: int
    aisle: str
    shelf: int
    pack_size: int
    supplier: str
    lead_time_days: int
    #: the optional label columns as written (organic, ..., allergens; "" when not stated), passed on to the hub
    labels: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def gtin14(self) -> str:
        """The GTIN-14 the MQTT contract and SGTIN EPCs carry."""
        return gtin14(self.gtin)

    @property
    def package(self) -> str:
        """Package kind a camera draws (box, bottle, can, bag, jar), fixed by the product."""
        lowered = f"{self.name.lower()} "
        for words, kind in _KIND_BY_WORD:
            if any(word in lowered for word in words):
                return kind
        return _KIND_BY_CATEGORY.get(self.category, "box")

    @property
    def colour(self) -> tuple[int, int, int]:
        """A stable RGB colour for the pack, from the GTIN (same product, same colour, every run)."""
        digest = hashlib.sha256(self.gtin.encode()).digest()
        # keep colours away from black and white so packs stand out from shelves
        return tuple(60 + b % 170 for b in digest[:3])  # type: ignore[return-value]


#: Fresh products: (category, words in the name) -> (date kind, shelf life in days from delivery). The first match
#: wins; a product of a fresh category that matches none keeps a long life (UHT milk, hard cheese, toast) and no date
FRESH_RULES: tuple[tuple[str, tuple[str, ...], str, int], ...] = (
    ("Boulangerie", ("baguette", "croissant", "pains au chocolat", "pain de campagne", "brioche tranchée"),
     "best_before", 2),
    ("Crèmerie et frais", ("jambon", "blanc de poulet", "lardons", "knacki", "surimi", "hachis", "quiche",
                           "raviolis", "gnocchi", "pâte feuilletée"), "use_by", 4),
    ("Crèmerie et frais", ("yaourt", "activia", "danette", "petits filous", "yoplait", "riz au lait",
                           "crème brûlée"), "best_before", 14),
    ("Crèmerie et frais", ("camembert", "brie", "boursin", "bleu", "crème fraîche"), "best_before", 12),
    ("Crèmerie et frais", ("œufs",), "best_before", 20),
    ("Fruits et légumes", ("champignons", "tomates", "courgettes", "endives", "poireaux", "avocats",
                           "bananes", "kiwis", "poires"), "best_before", 5),
)
#: the share of its shelf price a product costs the shop, per category (a neighbourhood shop's usual margins)
COST_SHARE = {"Boulangerie": Decimal("0.45"), "Fruits et légumes": Decimal("0.55"),
              "Crèmerie et frais": Decimal("0.65")}
DEFAULT_COST_SHARE = Decimal("0.70")


def fresh_rule(product: Product) -> tuple[str, int] | None:
    """(date kind, shelf life in days) of a fresh product, None for one that is not date-sensitive here."""
    lowered = product.name.lower()
    for category, words, kind, days in FRESH_RULES:
        if product.category == category and any(w in lowered for w in words):
            return kind, days
    return None


def cost_eur(product: Product) -> Decimal:
    """What the shop pays for one unit: a share of the shelf price by category, to the cent."""
    share = COST_SHARE.get(product.category, DEFAULT_COST_SHARE)
    return (product.price_eur * share).quantize(Decimal("0.01"))


class CatalogError(ValueError):
    """A catalog file that cannot be used; the message names the line and the column."""


def default_catalog_path() -> Path:
    return Path(str(resources.files("simulators.world") / "data" / "catalog.csv"))


def parse_product(row: dict[str, str], where: str) -> Product:
    """Build a product from a CSV row, with an error naming ``where`` and the column."""
    try:
        code = row["gtin"].strip()
        try:
            gtin14(code)
        except ValueError as exc:
            raise CatalogError(f"{where}: gtin: {exc}") from None
        if len(code) != 13:
            raise CatalogError(f"{where}: gtin: {code!r} must be a GTIN-13")
        values: dict[str, object] = {"gtin": code,
                                     "labels": {c: (row.get(c) or "").strip() for c in OPTIONAL_COLUMNS if c in row}}
        for column in ("name", "brand", "category", "aisle", "supplier"):
            text = row[column].strip()
            if not text:
                raise CatalogError(f"{where}: {column}: empty")
            values[column] = text
        for column in ("unit_weight_g", "shelf", "pack_size", "lead_time_days"):
            try:
                number = int(row[column])
            except ValueError:
                raise CatalogError(f"{where}: {column}: {row[column]!r} is not a whole number") from None
            if number < 0 or (column != "lead_time_days" and number == 0):
                raise CatalogError(f"{where}: {column}: {number} is out of range")
            values[column] = number
        try:
            price = Decimal(row["price_eur"])
        except ArithmeticError:
            raise CatalogError(f"{where}: price_eur: {row['price_eur']!r} is not a price like 3.89") from None
        if price < 0 or price.as_tuple().exponent < -2:  # type: ignore[operator]
            raise CatalogError(f"{where}: price_eur: {row['price_eur']!r} is not a price like 3.89")
        values["price_eur"] = price
    except KeyError as exc:
        raise CatalogError(f"{where}: missing column {exc.args[0]!r}") from None
    return Product(**values)  # type: ignore[arg-type]


def load_catalog(path: str | Path | None = None) -> list[Product]:
    """Read a catalog CSV (the shipped demo catalog by default)."""
    path = Path(path) if path is not None else default_catalog_path()
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise CatalogError(f"{path}: missing columns {', '.join(missing)}")
        products = [parse_product(row, f"{path}:{line}") for line, row in enumerate(reader, start=2)]
    seen: set[str] = set()
    for product in products:
        if product.gtin in seen:
            raise CatalogError(f"{path}: gtin {product.gtin} appears twice")
        seen.add(product.gtin)
    return products
