"""The hub's one message catalog: every code in every language, with the same parameters; codes the code uses exist.

A missing translation, a placeholder renamed in one language, or a code typed
wrong in the code fails here, not in front of a customer.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from hub.i18n import LANGUAGES, SOURCE_LANGUAGE, Message, messages, parameters, translate
from hub.i18n.catalog import LOCALES, template_codes

HUB = Path(__file__).resolve().parents[2] / "hub"


def test_the_languages_are_french_first_then_english() -> None:
    assert LANGUAGES == ("fr", "en")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_code_of_the_template_is_translated_with_the_same_parameters(lang: str) -> None:
    codes = template_codes()
    assert len(codes) == len(set(codes)) > 200
    said = messages(lang)
    missing = [c for c in codes if not said.get(c)]
    assert not missing, f"{lang} has no text for {missing}"
    extra = sorted(set(said) - set(codes))
    assert not extra, f"{lang} has codes the template (messages.pot) lacks: {extra}"
    english = messages(SOURCE_LANGUAGE)
    differ = {c: (sorted(parameters(english[c])), sorted(parameters(said[c]))) for c in codes
              if parameters(english[c]) != parameters(said[c])}
    assert not differ, f"{lang} fills other parameters than English: {differ}"


def test_a_language_missing_a_message_or_a_parameter_fails_the_check(tmp_path: Path) -> None:
    """The check above on a broken copy: a dropped message and a renamed placeholder are both caught."""
    po = (LOCALES / "fr" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    broken = po.replace('msgstr "Rupture partout : {name}"', 'msgstr "Rupture partout : {nom}"')
    broken = re.sub(r'(msgid "kiosk\.thanks"\nmsgstr )"[^"]*"', r'\1""', broken)
    assert broken != po
    path = tmp_path / "messages.po"
    path.write_text(broken, encoding="utf-8")
    with path.open("rb") as f:
        said = {m.id: m.string for m in read_po(f) if m.id and m.string}
    english = messages(SOURCE_LANGUAGE)
    assert "kiosk.thanks" not in said
    assert parameters(said["alert.out_of_stock"]) != parameters(english["alert.out_of_stock"])


def _codes_in_source() -> set[str]:
    """Literal codes the hub passes to translate(), Message(), the templates' t() and the assistant's message().

    A literal ending in ``_`` is the start of a code built at run time (``"nav_" ~ key``): left out. The kiosk
    page's template says its codes without their ``kiosk_page.`` prefix.
    """
    found: set[str] = set()
    call = re.compile(r"""\b(?:translate|Message|t)\(\s*["']([a-z_][a-z0-9_.]*)["']""")
    for path in [*HUB.rglob("*.py"), *HUB.rglob("*.html")]:
        if path.parent.name == "i18n":
            continue  # the catalog's own docstrings
        prefix = "kiosk_page." if path.parent.name == "kiosk_page" and path.suffix == ".html" else ""
        found |= {prefix + c for c in call.findall(path.read_text(encoding="utf-8"))}
    found |= {f"kiosk.{k}" for p in HUB.rglob("*.py")
              for k in re.findall(r"""\bmessage\(\s*["']([a-z_]+)["']""", p.read_text(encoding="utf-8"))}
    script = (HUB / "kiosk_page" / "static" / "kiosk.js").read_text(encoding="utf-8")
    found |= {f"kiosk_page.{k}" for k in re.findall(r"""\bt\(\s*["']([a-zA-Z_]+)["']""", script)}
    return {c for c in found if not c.endswith("_")}


def test_every_code_the_hub_uses_is_in_the_catalog() -> None:
    used = _codes_in_source()
    assert {"alert.out_of_stock", "kiosk.clarify", "note_no_sales", "sign_in", "kiosk_page.noneOnShelf",
            "kiosk_page.title"} <= used  # the scan finds them
    unknown = sorted(c for c in used if c not in set(template_codes()))
    assert not unknown, f"codes used but not in messages.pot: {unknown}"


def test_a_missing_code_reads_as_english_then_as_the_code() -> None:
    assert translate("alert.out_of_stock", "de", name="x") == "Out of stock everywhere: x"
    assert translate("no.such.code", "fr") == "no.such.code"


def test_a_message_is_its_english_and_says_itself_in_french_with_nested_messages() -> None:
    said = Message("alert.unpaid_exit_gate", what=Message("alert.item_gtin", gtin="03017620422003"), epc="E1")
    assert said == "Unpaid item passed the exit gate: GTIN 03017620422003 (tag E1)"
    assert said.text("fr") == "Article non payé passé au portique : GTIN 03017620422003 (étiquette E1)"
    again = Message.from_json(said.as_json())
    assert again.code == said.code and again.text("fr") == said.text("fr")
