"""Money, numbers and times of day by Babel in fr_FR / en_GB, as the kiosk and the pages said them before."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hub.i18n import money, number, time_of_day

PARIS = ZoneInfo("Europe/Paris")


def test_money_is_written_as_each_language_writes_euros() -> None:
    assert money(207, "fr") == "2,07\u00a0€"  # CLDR's no-break space: "2,07" never ends a line without its sign
    assert money(207, "en") == "€2.07"
    assert money(5, "fr") == "0,05\u00a0€" and money(0, "en") == "€0.00"
    assert money(123456, "fr") == "1\u202f234,56\u00a0€" and money(123456, "en") == "€1,234.56"


def test_a_measure_has_a_decimal_comma_in_french_and_no_thousands_separator() -> None:
    assert number(12.5, "fr") == "12,5" and number(12.5, "en") == "12.5"
    assert number(1000.0, "fr") == "1000" and number(250.0, "en") == "250"


def test_a_time_of_day_is_in_the_shops_zone_and_the_languages_pattern() -> None:
    morning = datetime(2026, 3, 27, 8, 5, tzinfo=ZoneInfo("UTC")).timestamp()  # 9:05 in Paris (winter)
    assert time_of_day(morning, PARIS, "fr") == "9h05"
    assert time_of_day(morning, PARIS, "en") == "9:05"
    summer = datetime(2026, 7, 1, 20, 30, tzinfo=ZoneInfo("UTC")).timestamp()
    assert time_of_day(summer, PARIS, "fr") == "22h30"
