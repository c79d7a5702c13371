"""What the catalog states about a product's labels and allergens: the one rule, shared by every reader.

A property is stated only by the catalog's columns (docs/catalog.md): 1 in a
label column, or an allergen absent from a filled allergens column. An empty
cell means "the catalog does not say". The kiosk's answers and the
recommendations read it here; the words customers use for the properties
stay with the kiosk (``hub/assistant/attributes.py``).
"""

from __future__ import annotations

from comptoir.catalog_csv import ALLERGENS, LABEL_COLUMNS

_ALLERGEN_SYNONYMS = {
    "egg": "eggs", "peanut": "peanuts", "nut": "nuts", "tree_nuts": "nuts", "tree_nut": "nuts", "hazelnuts": "nuts",
    "almonds": "nuts", "soya": "soy", "soybeans": "soy", "soybean": "soy", "dairy": "milk", "shellfish": "crustaceans",
    "crustacean": "crustaceans", "sulfites": "sulphites", "sulphite": "sulphites", "mollusks": "molluscs",
    "mollusc": "molluscs", "wheat": "gluten", "sesame_seeds": "sesame",
}


def canonical(name: str) -> str:
    """``allergen:egg`` -> ``allergen:eggs``: the EU names the catalog's allergens column uses."""
    if name.startswith("allergen:"):
        allergen = name.split(":", 1)[1].strip().lower().replace(" ", "_").replace("-", "_")
        return f"allergen:{_ALLERGEN_SYNONYMS.get(allergen, allergen)}"
    return name


def states(labels: dict[str, int | None], allergens: str | None, name: str) -> bool:
    """Whether the catalog states property ``name`` for a product (1 in the label column, or the allergen absent
    from a filled allergens column)."""
    name = canonical(name)
    if name.startswith("allergen:"):
        allergen = name.split(":", 1)[1]
        return allergens is not None and allergen in ALLERGENS and allergen not in allergens.split(";")
    return name in LABEL_COLUMNS and labels.get(name) == 1
