"""GS1 element strings as a dock scanner, a DataMatrix reader or a person types them (hub/fresh/gs1.py)."""

from __future__ import annotations

import os
from datetime import date

import pytest

from hub.fresh.gs1 import Gs1Error, Gs1Read, parse_element_string

GTIN = "09501101530003"  # the GS1 General Specifications' example GTIN


@pytest.mark.parametrize(("code", "expected"), [
    # the General Specifications' own example, as printed under the bars
    ("(01)09501101530003(17)140704(10)AB-123",
     Gs1Read(GTIN, "AB-123", date(2014, 7, 4), "use_by")),
    ("(01)09501101530003(17)250615(10)ABC123", Gs1Read(GTIN, "ABC123", date(2025, 6, 15), "use_by")),
    # raw, as a scanner sends it: FNC1 as GS (\x1d) after a variable-length field
    ("0109501101530003" "10ABC123\x1d" "17250615", Gs1Read(GTIN, "ABC123", date(2025, 6, 15), "use_by")),
    # AIM symbology prefixes: GS1-128 and GS1 DataMatrix, DataBar, QR
    ("]C1010950110153000317250615" "10ABC123", Gs1Read(GTIN, "ABC123", date(2025, 6, 15), "use_by")),
    ("]d20109501101530003" "15260131" "10L7", Gs1Read(GTIN, "L7", date(2026, 1, 31), "best_before")),
    ("]e00109501101530003", Gs1Read(GTIN)),
    ("]Q30109501101530003" "16260110", Gs1Read(GTIN, None, date(2026, 1, 10), "best_before")),
    # day 00: the month's last day (GS1 rule), also in a leap year
    ("(01)09501101530003(15)250600", Gs1Read(GTIN, None, date(2025, 6, 30), "best_before")),
    ("(01)09501101530003(17)280200", Gs1Read(GTIN, None, date(2028, 2, 29), "use_by")),
    # AI 3922: amount payable with 2 decimals (a markdown label), AI 30: a count of items
    ("(01)09501101530003(17)261203(10)L1(3922)0149", Gs1Read(GTIN, "L1", date(2026, 12, 3), "use_by", 149)),
    ("(01)09501101530003(30)12(15)261203", Gs1Read(GTIN, None, date(2026, 12, 3), "best_before", None, 12)),
    ("0109501101530003" "3712" "\x1d" "17261203", Gs1Read(GTIN, None, date(2026, 12, 3), "use_by", None, 12)),
    # a bare GTIN (EAN-13, GTIN-14), with or without the EAN symbology prefix
    ("9501101530003", Gs1Read(GTIN)),
    ("]E09501101530003", Gs1Read(GTIN)),
    (GTIN, Gs1Read(GTIN)),
])
def test_element_strings_parse_to_their_fields(code: str, expected: Gs1Read) -> None:
    assert parse_element_string(code) == expected


def test_use_by_wins_over_best_before_when_both_are_printed() -> None:
    read = parse_element_string("(01)09501101530003(15)261210(17)261205")
    assert (read.expiry, read.date_kind) == (date(2026, 12, 5), "use_by")


@pytest.mark.parametrize(("code", "names"), [
    ("(01)09501101530004(17)250615", ["AI 01", "check digit"]),
    ("(01)09501101530003(17)251340", ["AI 17", "'251340'", "date"]),
    ("(17)251340", ["AI 17", "date"]),
    ("(01)09501101530003(23)X", ["Application Identifier", "23"]),
    ("(01)0950110153", ["AI 01", "'0950110153'"]),
    ("01095011015300031725", ["AI 17", "date"]),
    ("(01)09501101530003(10)ABCDEFGHIJKLMNOPQRSTUVWXYZ", ["AI 10", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]),
    ("yaourt nature x4", ["not a GS1 element string", "yaourt"]),
    ("(10)ABC(17)250615", ["no GTIN", "AI 01"]),
    ("(01)09501101530003(30)0", ["AI 30", "count"]),
    ("]X1010950110153000", ["symbology", "]X1"]),
    ("]C1", ["no data"]),
    ("", ["empty"]),
    ("9501101530004", ["GTIN", "check digit"]),
])
def test_malformed_codes_say_which_field_is_wrong(code: str, names: list[str]) -> None:
    with pytest.raises(Gs1Error) as caught:
        parse_element_string(code)
    for name in names:
        assert name.lower() in str(caught.value).lower(), str(caught.value)


def test_ten_kilobytes_of_bytes_are_refused_quickly() -> None:
    noise = os.urandom(10_000).decode("latin-1")
    with pytest.raises(Gs1Error, match=r"of [0-9]{4,5} characters \(at most 512\)"):
        parse_element_string(noise)
    with pytest.raises(Gs1Error):
        parse_element_string(noise[:400])


def test_a_gs1_error_is_a_value_error() -> None:
    assert issubclass(Gs1Error, ValueError)
    with pytest.raises(Gs1Error, match="text"):
        parse_element_string(b"(01)09501101530003")  # type: ignore[arg-type]
