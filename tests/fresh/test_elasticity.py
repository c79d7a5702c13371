"""Elasticity learnt from the shop's own sales: a known elasticity is recovered, a short history falls back to the
stated default."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from hub.forecast.elasticity import Elasticities, fit
from hub.fresh.markdowns import say
from hub.fresh.settings import MarkdownSettings
from tests.fresh.markdown_support import BREAD, CREAM, NOW, YOGHURT, add_sales, dated_database

PARIS = ZoneInfo("Europe/Paris")
DAY = 86400.0


def synthetic_history(db, gtin: str, regular_cents: int, elasticity: float, seed: int, days: int = 90,
                      reduced_every: int = 4) -> int:
    """``days`` days before NOW: Poisson(12) a day at the regular price, and every ``reduced_every``-th day a
    discount of 20-50 % selling Poisson(12 * ratio ** elasticity). Returns the number of reduced days."""
    rng = np.random.default_rng(seed)
    lines, reduced = [], 0
    for back in range(days, 0, -1):
        noon = NOW - back * DAY + 3 * 3600
        ratio = 1.0
        if back % reduced_every == 0:
            ratio = 1 - rng.choice([0.2, 0.3, 0.4, 0.5])
            reduced += 1
        sold = int(rng.poisson(12 * ratio ** elasticity))
        if sold:
            lines.append((noon, sold, round(regular_cents * ratio)))
    add_sales(db, gtin, lines)
    return reduced


def test_a_known_elasticity_is_recovered_per_product(tmp_path: Path) -> None:
    db = dated_database(tmp_path)
    synthetic_history(db, YOGHURT, 300, -2.0, seed=1)
    synthetic_history(db, CREAM, 200, -3.0, seed=2)
    found = Elasticities(db, MarkdownSettings(), NOW, PARIS)
    yoghurt, cream = found.for_product(YOGHURT, "dairy"), found.for_product(CREAM, "dairy")
    assert yoghurt.source == cream.source == "product"
    assert abs(yoghurt.value - -2.0) < 0.3, yoghurt
    assert abs(cream.value - -3.0) < 0.3, cream
    assert yoghurt.points == 22
    # the category pools both: between the two
    dairy = found.by_category["dairy"]
    assert dairy.points == 44 and -3.0 < dairy.value < -2.0


def test_a_product_with_a_short_history_takes_its_category(tmp_path: Path) -> None:
    db = dated_database(tmp_path)
    synthetic_history(db, YOGHURT, 300, -2.0, seed=3)
    synthetic_history(db, CREAM, 200, -2.0, seed=4, days=12)  # 3 reduced days: not enough alone
    found = Elasticities(db, MarkdownSettings(), NOW, PARIS)
    cream = found.for_product(CREAM, "dairy")
    assert cream.source == "category" and cream.points == 25
    assert abs(cream.value - -2.0) < 0.3


def test_too_short_a_history_uses_the_stated_default(tmp_path: Path) -> None:
    db = dated_database(tmp_path)
    synthetic_history(db, BREAD, 250, -1.0, seed=5, days=20)  # 5 reduced days < 8
    settings = MarkdownSettings(default_elasticity=-2.5)
    bread = Elasticities(db, settings, NOW, PARIS).for_product(BREAD, "bakery")
    assert (bread.value, bread.source, bread.points) == (-2.5, "default", 5)
    assert say(bread.basis(), "en") == "assumed elasticity -2.5: only 5 reduced selling days in the history"
    assert say(bread.basis(), "fr") == ("élasticité supposée -2,5 : seulement 5 jours de vente à prix réduit dans "
                                        "l'historique")


def test_promoted_days_without_a_lower_price_are_not_regular_days(tmp_path: Path) -> None:
    db = dated_database(tmp_path)
    # 10 regular days of 10 units, 10 promoted days of 30 units at the regular price (a display, no discount)
    lines = [(NOW - back * DAY, 10 if back > 10 else 30, 300) for back in range(20, 0, -1)]
    add_sales(db, YOGHURT, lines)
    db.execute("INSERT INTO promotions (gtin, first_day, last_day, note, created) "
               "VALUES (?, '2026-02-20', '2026-03-01', 'display', 0)", [YOGHURT])
    db.conn.commit()
    found = Elasticities(db, MarkdownSettings(), NOW, PARIS)
    # no reduced price, so no point, and the promoted days did not inflate the regular mean
    assert found.for_product(YOGHURT, "dairy").source == "default"


def test_the_fit_is_a_slope_through_the_origin() -> None:
    assert fit([(-0.5, 1.0), (-0.25, 0.5)]) == -2.0
    assert fit([(-0.5, -1.0)]) == 0.0  # demand falling with price: kept at the bound
