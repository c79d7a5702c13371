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
