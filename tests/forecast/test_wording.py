"""The /reorder page's reasons: its English is the run's own, word for word; its French says the same figures.

Notes are kept as message codes and parameters (hub.i18n.Message) and said in the reader's language; nothing is
read back from an English sentence."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest

from hub.forecast.demand import read_long_csv
from hub.forecast.planner import Inputs, Sku, compute
from hub.forecast.policy import ReorderPolicy, arrival, suggest
from hub.forecast.wording import ReasonFacts, for_reader, reason
from hub.i18n import Message
from hub.i18n.message import dumps, loads
from hub.web.i18n import Translator

MONDAY, THURSDAY = date(2026, 3, 2), date(2026, 3, 5)

CASES = [  # today, rate, expected, quantile, on hand, on order, reserved, pack, lead days, level
    (MONDAY, 3.0, 42, 50, 6, 0, 0, 6, 5, 0.95),  # order, packs of 6, delivery next Monday
    (THURSDAY, 1.0, 12, 17, 2, 6, 1, 1, 3, 0.98),  # across the weekend, on order and reserved
    (MONDAY, 0.3, 4, 7, 9, 0, 0, 4, 1, 0.9),  # a few a week, stock covers it: no order
    (MONDAY, 0.05, 0.7, 2, 0, 0, 0, 1, 2, 0.95),  # one every 20 days
    (MONDAY, 0.0, 0.0, 0, 0, 0, 0, 12, 2, 0.95),  # has not sold
    (THURSDAY, 3.0, 24, 45, 40, 0, 0, 12, 1, 0.95),  # enough stock for a few days: order by next Tuesday
]


def _facts(case: tuple) -> tuple[ReasonFacts, str]:  # type: ignore[type-arg]
    today, rate, expected, quantile, on_hand, on_order, reserved, pack, lead, level = case
    s = suggest(today, rate=rate, expected=expected, quantile=quantile, on_hand=on_hand, on_order=on_order,
                reserved=reserved, pack_size=pack, lead_days=lead, review_days=7, level=level)
    facts = ReasonFacts(today=today, rate=rate, lead_days=lead, arrives=arrival(today, lead), on_hand=on_hand,
                        on_order=on_order, reserved=reserved, quantity=s.quantity, pack_size=pack,
                        order_by=s.order_by, protection_days=s.protection_days, level=level, target=s.target)
    return facts, s.reason


@pytest.mark.parametrize("case", CASES)
def test_the_english_wording_is_the_runs_reason(case: tuple) -> None:  # type: ignore[type-arg]
    facts, stored = _facts(case)
    assert reason(facts, Translator("en")) == stored


def test_the_french_wording_says_the_same_figures() -> None:
    facts, stored = _facts(CASES[0])
    french = reason(facts, Translator("fr"))
    assert french == ("se vend environ 3 par jour, délai de 5 jours ouvrés (livraison lundi), 6 en stock : "
                      "commander 48 (8 colis de 6) aujourd'hui ; couvre les 14 jours jusqu'à la livraison d'après "
                      "avec un taux de service de 95 % (jusqu'à 50 unités)")
    facts, _ = _facts(CASES[1])
    assert "1 en commande" not in reason(facts, Translator("fr"))
    assert ", 6 en commande, 1 mis de côté" in reason(facts, Translator("fr"))
    facts, _ = _facts(CASES[2])
    assert "pas de commande" in reason(facts, Translator("fr"))
    facts, stored = _facts(CASES[5])
    assert "by Tuesday 2026-03-10" in stored
    assert "commander 12 (1 colis de 12) au plus tard le mardi 2026-03-10" in reason(facts, Translator("fr"))


def test_every_note_the_run_writes_is_said_in_french_with_its_figures(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Notes from the real producers (demand, backtest, planner) on awkward histories, read back and translated."""
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(59)]
    rows = ["unique_id,ds,y"]
    rows += [f"once,{days[40]},2"]
    rows += [f"gappy,{d},3" for i, d in enumerate(days) if not 20 <= i < 35]
    rows += [f"returns,{d},{-2 if i == 40 else 1}" for i, d in enumerate(days)]
    rows += [f"negative,{d},{-5 if i == 30 else 1}" for i, d in enumerate(days)]
    rows += [f"zero,{d},0" for d in days]
    rows += [f"short,{d},{i % 3}" for i, d in enumerate(days[-20:])]
    path = tmp_path / "sales.csv"
    path.write_text("\n".join(rows) + "\n")
    series = read_long_csv(path)
    skus = {uid: Sku(uid, uid, "épicerie", "Supplier", 6, 3) for uid in series}
    on_hand: dict[str, int | None] = {uid: 0 for uid in series} | {"returns": -3, "gappy": None}
    plan = compute(Inputs(date(2026, 3, 2), skus, series, on_hand, {}, {}),
                   ReorderPolicy(backtest_windows=3, horizon_days=7))
    kept = {line.sku.gtin: loads(dumps(line.notes)) for line in plan.lines if line.notes}  # as the run stores them
    written = {uid: "; ".join(said) for uid, said in kept.items()}
    assert {"once", "gappy", "returns", "negative", "zero", "short"} <= set(written)
    assert all(isinstance(n, Message) for line in plan.lines for n in line.notes)  # codes, not bare sentences
    fr, en = Translator("fr"), Translator("en")

    def notes(uid: str, t: Translator) -> str:
        return t("notes_separator").join(note.text(t.lang) for note in kept[uid])

    for uid, text in written.items():
        assert notes(uid, en) == text, uid  # the English messages are the run's own words
        french = notes(uid, fr)
        assert french != text, (uid, text)
        assert sorted(re.findall(r"-?\d+", french)) == sorted(re.findall(r"-?\d+", text)), (uid, french)
    assert "stock inconnu" in notes("gappy", fr)
    assert "stock lu : -3, compté comme 0" in notes("returns", fr)


def test_a_stored_suggestion_is_said_from_its_figures_and_an_older_row_keeps_its_english() -> None:
    facts, stored = _facts(CASES[0])
    note = Message("note_promotion_in", first="2026-03-09", last="2026-03-15")
    row = {"reason": f"{stored} ({note})", "reason_facts": json.dumps(facts.as_json()), "notes": dumps([note])}
    assert for_reader(row, Translator("en")) == (stored, str(note), True)
    text, notes, translated = for_reader(row, Translator("fr"))
    assert translated and text.startswith("se vend environ 3 par jour") and notes.startswith("promotion du 2026-03-09")
    older = {"reason": "sells about 3 a day, whatever the run said then", "reason_facts": None, "notes": None}
    assert for_reader(older, Translator("fr")) == (older["reason"], "", False)  # readable, never parsed
