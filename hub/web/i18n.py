"""The staff pages' language: chosen by the reader, said from the hub's one catalog (``hub.i18n``).

The page's language comes from the ``comptoir_lang`` cookie set by the
language switch, else from the browser's Accept-Language, else French.
"""

from __future__ import annotations

from fastapi import Request

from hub.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translator

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "LANG_COOKIE", "Translator", "pick_language"]

LANG_COOKIE = "comptoir_lang"


def pick_language(request: Request) -> str:
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE
