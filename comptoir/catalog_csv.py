"""The catalog CSV format, shared by the hub's import and the simulated world's demo catalog.

One definition, so that the demo catalog always imports into the hub; the
meaning of each column is in docs/catalog.md.
"""

CATALOG_COLUMNS: tuple[str, ...] = (
    "gtin",
    "name",
    "brand",
    "category",
    "price_eur",
    "unit_weight_g",
    "aisle",
    "shelf",
    "pack_size",
    "supplier",
    "lead_time_days",
)

#: Optional yes/no label columns: what the product's label states. Empty means "not stated" (never "no").
LABEL_COLUMNS: tuple[str, ...] = ("organic", "gluten_free", "lactose_free", "vegan", "vegetarian", "halal")
#: Optional column: the allergens the product contains (EU list, ``;``-separated), ``none`` when it contains none
#: of them; empty means "not stated".
ALLERGENS_COLUMN = "allergens"
#: The 14 allergens EU regulation 1169/2011 (annex II) requires on a label, by the names the column uses.
ALLERGENS: tuple[str, ...] = ("gluten", "crustaceans", "eggs", "fish", "peanuts", "soy", "milk", "nuts", "celery",
                              "mustard", "sesame", "sulphites", "lupin", "molluscs")
#: Optional fresh-food columns: ``date_kind`` (``use_by``: must leave the shelf on its date; ``best_before``: may
#: be sold or given after; empty: not dated) and ``cost_eur``, the unit cost price (like price_eur; empty: unknown).
DATE_KIND_COLUMN = "date_kind"
COST_COLUMN = "cost_eur"
DATE_KINDS: tuple[str, ...] = ("use_by", "best_before")
FRESH_COLUMNS: tuple[str, ...] = (DATE_KIND_COLUMN, COST_COLUMN)
OPTIONAL_COLUMNS: tuple[str, ...] = (*LABEL_COLUMNS, ALLERGENS_COLUMN, *FRESH_COLUMNS)
