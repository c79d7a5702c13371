"""French and English labels of the staff pages.

The catalogs are JSON files in ``i18n/`` (one per language, the same keys);
the page's language comes from the ``comptoir_lang`` cookie set by the
language switch, else from the browser's Accept-Language, else French.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
LANG_COOKIE = "comptoir_lang"
_CATALOGS = Path(__file__).parent / "i18n"


@lru_cache(maxsize=len(LANGUAGES))
def catalog(lang: str) -> dict[str, str]:
    """Every label of one language (a missing file is a packaging bug: let it raise)."""
    return json.loads((_CATALOGS / f"{lang}.json").read_text(encoding="utf-8"))


def pick_language(request: Request) -> str:
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


class Translator:
    """``t("key", name=...)`` in templates; falls back to English, then to the key itself."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.labels = catalog(lang)

    def __call__(self, key: str, **values: Any) -> str:
        text = self.labels.get(key) or catalog("en").get(key) or key
        return text.format(**values) if values else text
