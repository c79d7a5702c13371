"""The message catalogs: one gettext ``.po`` file per language, read once with Babel.

A message is found by its code (the ``msgid``) and filled with named
parameters (``{name}``). The files sit in ``locales/<lang>/LC_MESSAGES/``;
the ``Language`` header of each names the Babel locale its money, numbers
and times are written in (``fr_FR``, ``en_GB``). A language is a folder:
adding one needs no code (docs/translation.md). The ``.po`` text is read at
start rather than compiled to ``.mo``: there is no build step to forget.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from babel import Locale
from babel.dates import format_date
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from pydantic import AfterValidator

log = logging.getLogger("hub.i18n")

LOCALES = Path(__file__).parent / "locales"
TEMPLATE = Path(__file__).parent / "messages.pot"
DEFAULT_LANGUAGE = "fr"
#: The language every other falls back to for a message it lacks, and the one the API's ``text`` fields use.
SOURCE_LANGUAGE = "en"


def _po_path(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / "messages.po"


def _languages() -> tuple[str, ...]:
    found = sorted(p.name for p in LOCALES.iterdir() if _po_path(p.name).is_file())
    return tuple(sorted(found, key=lambda code: code != DEFAULT_LANGUAGE))


#: Every language with a catalog, the default (French) first.
LANGUAGES = _languages()


def catalog_language(value: str) -> str:
    """A configured language the catalog has, else an error naming the ones it has (:data:`CatalogLanguage`)."""
    if value not in LANGUAGES:
        raise ValueError(f"language {value!r}: the catalog has {', '.join(LANGUAGES)}")
    return value


#: a settings field holding a language the catalog has
CatalogLanguage = Annotated[str, AfterValidator(catalog_language)]


@cache
def _catalog(lang: str) -> Catalog:
    """One language's catalog (a missing or broken file is a packaging bug: let it raise)."""
    with _po_path(lang).open("rb") as po:
        return read_po(po, domain="messages")


@cache
def messages(lang: str) -> Mapping[str, str]:
    """Every message of one language, code to text (untranslated and fuzzy entries left out, as gettext does)."""
    return {m.id: m.string for m in _catalog(lang) if m.id and isinstance(m.string, str) and m.string}


@cache
def locale(lang: str) -> Locale:
    """The Babel locale a language writes money, numbers and times in (the ``.po`` file's ``Language``)."""
    return _catalog(lang).locale or Locale.parse(lang)


def template_codes() -> tuple[str, ...]:
    """The codes of ``messages.pot``, the list every language must translate."""
    with TEMPLATE.open("rb") as pot:
        return tuple(m.id for m in read_po(pot) if m.id)


def parameters(text: str) -> frozenset[str]:
    """The ``{names}`` a message text is filled with."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)


_missing_said: set[tuple[str, str]] = set()


def translate(code: str, lang: str, **params: Any) -> str:
    """The message ``code`` in ``lang``, its ``{names}`` filled from ``params``.

    A message the language lacks is said in English, one neither has is said
    as its code (logged once): a person sees something readable, and
    tests/i18n makes sure that never ships. A parameter that is itself a
    :class:`hub.i18n.Message` is said in the same language.
    """
    text = messages(lang).get(code) if lang in LANGUAGES else None
    if text is None:
        text = messages(SOURCE_LANGUAGE).get(code)
        if (code, lang) not in _missing_said:
            _missing_said.add((code, lang))
            log.warning("message=missing code=%s lang=%s", code, lang)
        if text is None:
            return code
    if not params:
        return text
    return text.format(**{name: _said(value, lang) for name, value in params.items()})


def _said(value: Any, lang: str) -> Any:
    """A nested message (anything with ``text(lang)``, i.e. a :class:`hub.i18n.Message`) in ``lang``."""
    if isinstance(value, dict) and set(value) == {"date"}:  # a day (hub/fresh/expiry.py said_date), said by Babel
        return format_date(date.fromisoformat(value["date"]), format="long", locale=locale(lang))
    say = getattr(value, "text", None)
    return say(lang) if callable(say) else value


class Translator:
    """``t("code", name=...)``: :func:`translate` bound to one language (templates, the reorder reason)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, code: str, **params: Any) -> str:
        return translate(code, self.lang, **params)
