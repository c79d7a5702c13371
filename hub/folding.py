"""Text compared as staff type it: without accents or case, so that "cafe" finds "Café" on a tablet keyboard.

Used by the staff product search (SQLite calls it as ``comptoir_fold``) and by the reorder page's product
picker; the dashboard's scripts fold the same way in the browser (``Dash.fold`` in common.js).
"""

from __future__ import annotations

import unicodedata

_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "Œ": "oe", "Æ": "ae"})


def fold(text: str | None) -> str:
    """``text`` without accents or case: "Crème Brûlée" -> "creme brulee", "ŒUF" -> "oeuf"."""
    if not text:
        return ""
    parts = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(c for c in parts if not unicodedata.combining(c)).casefold()
