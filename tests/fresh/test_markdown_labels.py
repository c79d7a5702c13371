"""A markdown label's element string parses back (biip) to the lot, date and price the till must sell at; the sheet
and the ZPL carry the old and new prices, the date, the lot and the barcode."""

from __future__ import annotations

from datetime import date

import pytest
from barcode.codex import Gs1_128
from biip.gs1_messages import GS1Message

from hub.fresh.markdown_labels import barcode_data, label_zpl, markdown_label_data, sheet_html
from tests.fresh.markdown_support import YOGHURT

ROW = {"id": 1, "gtin": YOGHURT, "name": "Yaourt nature x4", "lot": "L42", "expiry": "2026-03-03",
       "date_kind": "use_by", "regular_cents": 300, "price_cents": 180, "discount_pct": 40}
FNC1_BARS = "11110101110"  # Code 128's FNC1 symbol


def test_the_element_string_parses_back_to_the_lot_date_and_price() -> None:
    data = markdown_label_data(YOGHURT, date(2026, 3, 3), "L42", 180)
    assert data == "(01)03000000000014(17)260303(10)L42(3922)180"
    parsed = {e.ai.ai: e for e in GS1Message.parse_hri(data).element_strings}
    assert parsed["01"].value == YOGHURT
    assert parsed["17"].date == date(2026, 3, 3)
    assert parsed["10"].value == "L42"
    assert str(parsed["3922"].decimal) == "1.80"


def test_a_best_before_date_is_ai_15_and_a_lot_without_code_has_no_ai_10() -> None:
    data = markdown_label_data("3000000000014", "2026-03-04", "", 1250, "best_before")
    assert data == "(01)03000000000014(15)260304(3922)1250"
    parsed = {e.ai.ai: e for e in GS1Message.parse_hri(data).element_strings}
    assert str(parsed["3922"].decimal) == "12.50" and "10" not in parsed


def test_bad_input_is_named() -> None:
    with pytest.raises(ValueError, match="GTIN 'abc'"):
        markdown_label_data("abc", date(2026, 3, 3), "L1", 100)
    with pytest.raises(ValueError, match="price -1"):
        markdown_label_data(YOGHURT, date(2026, 3, 3), "L1", -1)


def test_the_barcode_ends_the_lot_with_fnc1_before_the_price() -> None:
    raw = barcode_data(markdown_label_data(YOGHURT, date(2026, 3, 3), "L42", 180))
    assert raw == "01030000000000141726030310L42\xf13922180"
    bars = Gs1_128(raw).build()[0]
    # Start C, then FNC1 (GS1-128), ..., and one more FNC1 after the lot
    assert bars.startswith("11010011100" + FNC1_BARS)
    assert bars.count(FNC1_BARS) >= 2


@pytest.mark.parametrize(("lang", "was", "now", "off", "when"), [
    ("fr", "3,00\xa0€", "1,80\xa0€", "-40 %", "À consommer jusqu'au 3 mars 2026"),
    ("en", "€3.00", "€1.80", "40 % off", "Use by 3 March 2026"),
])
def test_the_sheet_has_both_prices_the_date_lot_and_barcode(lang: str, was: str, now: str, off: str,
                                                            when: str) -> None:
    page = sheet_html([ROW], lang)
    assert f'<s class="md-was">{was}</s>' in page and f'<strong class="md-now">{now}</strong>' in page
    assert off in page and when.replace("'", "&#x27;") in page and "Lot L42" in page
    assert 'src="data:image/svg+xml;base64,' in page
    assert "(01)03000000000014(17)260303(10)L42(3922)180" in page
    assert f'<html lang="{lang}">' in page


def test_the_zpl_label_prints_both_prices_and_the_gs1_barcode() -> None:
    zpl = label_zpl({**ROW, "name": "Yaourt ^nature~"}, "fr")
    assert zpl.startswith("^XA\n^CI28") and zpl.endswith("^XZ\n")
    assert "^FDYaourt  nature^FS" in zpl  # ZPL's command characters never reach the printer
    assert "^FD3,00\xa0€^FS" in zpl and "^FD1,80\xa0€^FS" in zpl and "^FD-40 %^FS" in zpl
    assert "^BCN,70,Y,N,N,D^FD(01)03000000000014(17)260303(10)L42(3922)180^FS" in zpl
