"""Markdown suggestions on a real hub database: the chosen discount and its figures, checked by hand (the sums are
written out in the comments), the why sentence in French and English, competing lots, and the suggestion states."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from hub.config import HubConfig
from hub.fresh import markdowns
from tests.fresh.markdown_support import BREAD, CREAM, NOW, YOGHURT, add_lot, add_sales, dated_database

DAY = 86400.0


def e_min(mean: float, units: int) -> float:
    """E[min(Poisson(mean), units)], written out: sum k P(k) below units, plus units P(X >= units)."""
    pmf = [math.exp(-mean) * mean ** k / math.factorial(k) for k in range(units)]
    return sum(k * p for k, p in enumerate(pmf)) + units * (1 - sum(pmf))


def approx(value: float) -> object:
    """To the decimal the comments give."""
    return pytest.approx(value, abs=0.05)


def config(tmp_path: Path) -> HubConfig:
    return HubConfig(store="test", db=tmp_path / "hub.sqlite", timezone="Europe/Paris")


def forecast(db, gtin: str, mean_daily: float) -> None:
    db.execute("INSERT OR IGNORE INTO forecast_runs (id, started, seconds, series, horizon) VALUES (1, 0, 1, 1, 14)")
    db.execute("INSERT INTO forecasts (gtin, run_id, demand_class, mean_daily, protection_days, demand_quantile, "
               "service_level, note) VALUES (?, 1, 'smooth', ?, 7, 0, 0.95, '')", [gtin, mean_daily])
    db.conn.commit()


def suggestions(db) -> list[dict]:
    return markdowns.listing(db, ["suggested"])


def test_a_use_by_lot_that_will_not_sell_in_time_gets_the_discount_that_recovers_most(tmp_path: Path) -> None:
    db = dated_database(tmp_path)
    forecast(db, YOGHURT, 2.4)
    lot = add_lot(db, YOGHURT, "L42", date(2026, 3, 3), 12)
    result = markdowns.review(db, config(tmp_path), NOW)
    assert (result.suggested, result.lots) == (1, 1)
    [row] = suggestions(db)
    # Monday 10:00 to Tuesday's closing at 20:00: 10 h of 12 today + a full day = 1.8333 opening days.
    # No markdown: E[min(Poisson(2.4 x 1.8333 = 4.4), 12)] = 4.399 sold x 3,00 EUR = 13,20 EUR; the rest is
    # discarded (use-by). 40 % off, elasticity -2.5 (no history): x 0.6 ** -2.5 = 3.586, Poisson(15.78) sells
    # 11.685 of 12 at 1,80 = 21,03 EUR (30 %: 9.948 x 2,10 = 20,89; 50 %: 11.998 x 1,50 = 18,00).
    assert e_min(4.4, 12) * 300 == approx(1319.7)
    assert e_min(4.4 * 0.6 ** -2.5, 12) * 180 == approx(2103.3)
    assert (row["lot_id"], row["discount_pct"], row["price_cents"], row["regular_cents"]) == (lot, 40, 180, 300)
    assert (row["expected_cents"], round(row["expected_units"], 1), row["fallback"], row["fallback_cents"]) \
        == (2103, 11.7, "discard", 0)
    assert row["start"] == NOW
    assert row["end"] == datetime(2026, 3, 3, 19, 0, tzinfo=UTC).timestamp()  # 20:00 in Paris, closing time
    assert markdowns.say(row["why"], "en") == (
        "12 left, about 4 sell at full price before 3 March; at 40 % off about 12 sell: €21.03 recovered instead "
        "of €13.20 (discarded); assumed elasticity -2.5: only 0 reduced selling days in the history")
    assert markdowns.say(row["why"], "fr") == (
        "12 restants, environ 4 se vendent au prix normal avant le 3 mars ; à -40 % environ 12 se vendent : "
        "21,03\xa0€ récupérés au lieu de 13,20\xa0€ (jetés) ; élasticité supposée -2,5 : seulement 0 jours de vente "
        "à prix réduit dans l'historique")


def test_a_lot_that_sells_in_time_gets_no_suggestion(tmp_path: Path) -> None:
    db = dated_database(tmp_path)
    forecast(db, YOGHURT, 2.4)
    add_lot(db, YOGHURT, "L1", date(2026, 3, 5), 3)  # 3 units, 3.8 opening days at 2.4 a day
    assert markdowns.review(db, config(tmp_path), NOW).suggested == 0
    assert suggestions(db) == []


def test_best_before_leftovers_are_donated_at_a_share_of_their_cost(tmp_path: Path) -> None:
    db = dated_database(tmp_path)
    # no forecast: 28 units sold over the last 28 days -> 1 a day
    add_sales(db, CREAM, [(NOW - d * DAY, 1, 200) for d in range(1, 29)])
    add_lot(db, CREAM, "C7", date(2026, 3, 4), 10, "best_before")
    markdowns.review(db, config(tmp_path), NOW)
    [row] = suggestions(db)
    # Best before Wednesday: sellable until midnight after it, 0.8333 + 2 = 2.8333 opening days. Leftovers are
    # donated: 60 % of the 1,00 EUR cost = 0,60 a unit. No markdown: 2.833 sold x 2,00 + 7.167 x 0,60 = 9,97 EUR.
    # 30 % off: Poisson(2.8333 x 0.7 ** -2.5 = 6.911) sells 6.725 x 1,40 + 3.275 x 0,60 = 11,38 EUR (the best:
    # 20 %: 10,93, 40 %: 11,29, 50 %: 9,97; later starts sell fewer at the reduced price).
    assert e_min(2.8333333, 10) * 200 + (10 - e_min(2.8333333, 10)) * 60 == approx(996.6)
    assert (row["discount_pct"], row["price_cents"], row["expected_cents"], row["fallback"]) == (30, 140, 1138,
                                                                                              "donate")
    assert row["fallback_cents"] == round((10 - 6.7245) * 60)
    assert row["end"] == datetime(2026, 3, 4, 23, 0, tzinfo=UTC).timestamp()  # midnight in Paris
    assert "€11.38 recovered instead of €9.97 (donated)" in markdowns.say(row["why"], "en")


def test_an_older_lot_sells_only_once_marked_down_when_a_fresher_one_is_there(tmp_path: Path) -> None:
    db = dated_database(tmp_path)
    forecast(db, BREAD, 5.0)
    old = add_lot(db, BREAD, "B1", date(2026, 3, 3), 5, "best_before")
    add_lot(db, BREAD, "B2", date(2026, 3, 6), 20, "best_before")
    markdowns.review(db, config(tmp_path), NOW)
    [row] = suggestions(db)
    # The old lot sells nothing at full price (shoppers take the fresher): 5 x 60 % of the 2,50 shelf price (no
    # cost known) = 7,50 EUR donated. 20 % off it takes the product's 5 a day x 0.8 ** -2.5 over 1.8333 days
    # (Poisson 16.0): all 5 at 2,00 = 10,00 EUR. The fresh lot sells ~19.4 of 20 in time: nothing for it.
    assert row["lot_id"] == old
    assert (row["discount_pct"], row["price_cents"], row["expected_cents"]) == (20, 200, 1000)
    assert "about 0 sell at full price" in markdowns.say(row["why"], "en")


def test_an_older_lots_markdown_pays_for_the_margin_it_takes_from_the_fresher_lot(tmp_path: Path) -> None:
    db = dated_database(tmp_path)
    db.execute("UPDATE products SET cost_cents = 150 WHERE gtin = ?", [BREAD])
    forecast(db, BREAD, 5.0)
    old = add_lot(db, BREAD, "B1", date(2026, 3, 3), 5, "best_before")
    add_lot(db, BREAD, "B2", date(2026, 3, 6), 20, "best_before")
    markdowns.review(db, config(tmp_path), NOW)
    [row] = suggestions(db)
    # As above, 20 % off sells all 5 at 2,00 = 10,00 EUR; but 1 / 0.8 ** -2.5 = 57.24 % of those buyers would have
    # bought a fresh loaf at full price anyway: 2.862 fresh loaves stay on the shelf, their margin (2,50 - 1,50)
    # is lost: 10,00 - 2,86 = 7,14 EUR, still more than donating the 5 (5 x 60 % x 1,50 = 4,50 EUR). At 30 % off:
    # 5 x 1,75 - 5 / 0.7 ** -2.5 x 1,00 = 8,75 - 2,05 = 6,70 EUR: less.
    assert row["lot_id"] == old
    assert (row["discount_pct"], row["price_cents"], row["expected_cents"]) == (20, 200, 714)


def test_a_suggestion_is_updated_superseded_approved_and_ended(tmp_path: Path) -> None:
    db = dated_database(tmp_path)
    cfg = config(tmp_path)
    forecast(db, YOGHURT, 2.4)
    lot = add_lot(db, YOGHURT, "L42", date(2026, 3, 3), 12)
    markdowns.review(db, cfg, NOW)
    first = suggestions(db)[0]["id"]
    # an hour later, nothing changed but time: the same suggestion, its figures refreshed, no new row
    again = markdowns.review(db, cfg, NOW + 3600)
    assert (again.suggested, again.updated) == (0, 1)
    assert [r["id"] for r in suggestions(db)] == [first]
    # 30 units found at a count: a deeper discount is best now; the old one is superseded
    db.execute("UPDATE lots SET units = 30 WHERE id = ?", [lot])
    db.conn.commit()
    assert markdowns.review(db, cfg, NOW + 7200).superseded == 1
    [new] = suggestions(db)
    assert new["discount_pct"] > 40 and new["units"] == 30
    assert markdowns.get(db, first)["state"] == "superseded"
    approved = markdowns.decide(db, new["id"], True, "marie", NOW + 7300)
    assert (approved["state"], approved["decided_by"], approved["decided"]) == ("approved", "marie", NOW + 7300)
    # an approved markdown stays whatever the next review finds, until its lot is gone
    db.execute("UPDATE lots SET units = 1 WHERE id = ?", [lot])
    db.conn.commit()
    markdowns.review(db, cfg, NOW + 8000)
    assert markdowns.get(db, new["id"])["state"] == "approved"
    db.execute("UPDATE lots SET units = 0, closed = ? WHERE id = ?", [NOW + 9000, lot])
    db.conn.commit()
    assert markdowns.review(db, cfg, NOW + 9000).ended == 1
    assert markdowns.get(db, new["id"])["state"] == "ended"


def test_a_suggestion_no_longer_worth_it_ends_and_a_decided_one_cannot_be_decided_again(tmp_path: Path) -> None:
    db = dated_database(tmp_path)
    cfg = config(tmp_path)
    forecast(db, YOGHURT, 2.4)
    lot = add_lot(db, YOGHURT, "L42", date(2026, 3, 3), 12)
    markdowns.review(db, cfg, NOW)
    first = suggestions(db)[0]["id"]
    db.execute("UPDATE lots SET units = 2 WHERE id = ?", [lot])  # 2 left: they sell at full price
    db.conn.commit()
    assert markdowns.review(db, cfg, NOW + 60).ended == 1
    assert markdowns.get(db, first)["state"] == "ended"
    try:
        markdowns.decide(db, first, True, "marie", NOW + 120)
    except markdowns.MarkdownError as exc:
        assert exc.kind == "conflict" and "ended" in str(exc)
    else:
        raise AssertionError("an ended markdown was approved")


def test_money_recovered_counts_the_lots_sales_at_or_below_the_price_within_the_window(tmp_path: Path) -> None:
    db = dated_database(tmp_path)
    forecast(db, YOGHURT, 2.4)
    lot = add_lot(db, YOGHURT, "L42", date(2026, 3, 3), 12)
    markdowns.review(db, config(tmp_path), NOW)
    [row] = suggestions(db)
    markdowns.decide(db, row["id"], True, "marie", NOW + 60)
    db.conn.executemany(
        "INSERT INTO sales (lane, receipt_id, time, gtin, quantity, unit_price_cents, tagged, lot_id) "
        "VALUES ('1', 'r', ?, ?, ?, ?, 0, ?)",
        [(NOW + 600, YOGHURT, 2, 180, lot), (NOW + 700, YOGHURT, 1, 300, lot),  # full price: not recovered
         (NOW + 800, YOGHURT, 1, 180, None), (NOW + 2 * DAY, YOGHURT, 1, 180, lot)])  # no lot; after its end
    db.conn.commit()
    got = markdowns.get(db, row["id"])
    assert (got["sold_units"], got["recovered_cents"]) == (2, 360)


def test_markdowns_off_suggest_nothing(tmp_path: Path) -> None:
    db = dated_database(tmp_path)
    forecast(db, YOGHURT, 2.4)
    add_lot(db, YOGHURT, "L42", date(2026, 3, 3), 12)
    cfg = HubConfig.model_validate({"store": "test", "db": str(tmp_path / "hub.sqlite"), "timezone": "Europe/Paris",
                                    "fresh": {"markdowns": {"enabled": False}}})
    assert markdowns.review(db, cfg, NOW).suggested == 0


def test_the_why_is_kept_as_a_message_not_a_sentence(tmp_path: Path) -> None:
    db = dated_database(tmp_path)
    forecast(db, YOGHURT, 2.4)
    add_lot(db, YOGHURT, "L42", date(2026, 3, 3), 12)
    markdowns.review(db, config(tmp_path), NOW)
    why = json.loads(suggestions(db)[0]["why"])
    assert why["code"] == "markdowns.why_now" and why["params"]["recovered_cents"] == 2103


def test_the_hubs_tick_reviews_once_every_run_every_s(tmp_path: Path) -> None:
    db = dated_database(tmp_path)
    forecast(db, YOGHURT, 2.4)
    add_lot(db, YOGHURT, "L42", date(2026, 3, 3), 12)
    schedule = markdowns.Schedule(db, config(tmp_path))  # run_every_s: 3600 by default
    assert schedule.tick(NOW).suggested == 1
    assert schedule.tick(NOW + 600) is None  # not due: nothing read, nothing written
    assert schedule.tick(NOW + 3600).updated == 1


def test_a_markdown_may_be_best_started_on_a_later_day(tmp_path: Path) -> None:
    db = dated_database(tmp_path)
    forecast(db, YOGHURT, 5.0)
    add_lot(db, YOGHURT, "L9", date(2026, 3, 6), 30)  # use-by Friday
    markdowns.review(db, config(tmp_path), NOW)
    [row] = suggestions(db)
    # Full price until Thursday's opening: 2.8333 opening days x 5 = Poisson(14.17), ~14.17 sold at 3,00 EUR; then
    # 20 % off for Thursday and Friday: 2 x 5 x 0.8 ** -2.5 = 17.47 more, E[min(Poisson(31.64), 30)] = 28.5 in all,
    # 14.3 of them at 2,40: 76,91 EUR, against 71,55 EUR at full price throughout (Poisson(24.17)).
    full = e_min(5 * (10 / 12 + 2), 30)
    both = e_min(5 * (10 / 12 + 2) + 2 * 5 * 0.8 ** -2.5, 30)
    assert round(full * 300 + (both - full) * 240) == 7691
    assert (row["discount_pct"], row["price_cents"], row["expected_cents"]) == (20, 240, 7691)
    assert row["start"] == datetime(2026, 3, 5, 7, 0, tzinfo=UTC).timestamp()  # Thursday 8:00 in Paris
    assert "at 20 % off from 5 March about 29 sell: €76.91 recovered instead of €71.55 (discarded)" in \
        markdowns.say(row["why"], "en")
    assert "à -20 % à partir du 5 mars environ 29 se vendent" in markdowns.say(row["why"], "fr")


def test_a_tagged_lots_units_are_its_tags_still_in_the_shop(tmp_path: Path) -> None:
    db = dated_database(tmp_path)
    forecast(db, YOGHURT, 2.4)
    lot = add_lot(db, YOGHURT, "T1", date(2026, 3, 3), 0)  # the book holds nothing: the tags say
    states = ["floor"] * 11 + ["backroom"] + ["sold"] * 3
    for n, state in enumerate(states):
        db.execute("INSERT INTO items (epc, gtin, serial, state, zone, since, last_seen) VALUES (?, ?, ?, ?, NULL, "
                   "?, ?)", [f"EPC{n}", YOGHURT, str(n), state, NOW, NOW])
        db.execute("INSERT INTO lot_tags (epc, lot_id, time) VALUES (?, ?, ?)", [f"EPC{n}", lot, NOW])
    db.conn.commit()
    markdowns.review(db, config(tmp_path), NOW)
    [row] = suggestions(db)
    assert (row["units"], row["discount_pct"], row["expected_cents"]) == (12, 40, 2103)  # the first test's lot
    db.execute("UPDATE items SET state = 'sold'")
    db.conn.commit()
    assert markdowns.review(db, config(tmp_path), NOW + 60).ended == 1
