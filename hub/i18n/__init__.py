"""Every text a person reads, in French and English, from one gettext catalog (docs/translation.md).

``translate(code, lang, **params)`` says a message; :class:`Message` is one kept
as data; ``formats`` writes money, numbers and times by Babel.
"""

from hub.i18n.catalog import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    SOURCE_LANGUAGE,
    CatalogLanguage,
    Translator,
    catalog_language,
    messages,
    parameters,
    translate,
)
from hub.i18n.formats import money, number, time_of_day
from hub.i18n.message import Message

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "SOURCE_LANGUAGE", "CatalogLanguage", "Message", "Translator",
           "catalog_language", "messages", "money", "number", "parameters", "time_of_day", "translate"]
