"""A small shop's week 2026-W48 (Monday 23 to Sunday 29 November, Europe/Paris, UTC+1) written with SQL, with
every figure worked out by hand in ``EXPECTED`` (the sums are in tests/kpis/test_figures.py's docstrings)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlite_utils

from hub.store import open_database

PARIS = ZoneInfo("Europe/Paris")
A, B, C = "00000000000111", "00000000000222", "00000000000333"  # dairy (cost 1.20), dairy (no cost), bakery
WEEK = "2026-W48"
FIRST, LAST = "2026-11-23", "2026-11-29"


def at(day: int, hour: int, minute: int = 0) -> float:
    """Unix time of a shop moment in November 2026 (day 30 and beyond roll into December)."""
    month, day = (11, day) if day <= 30 else (12, day - 30)
    return datetime(2026, month, day, hour, minute, tzinfo=PARIS).timestamp()


#: after the week: every figure of it is over
NOW = at(31, 9)
MON, TUE, WED, THU, FRI, SAT, SUN = range(23, 30)


def build(path: Path) -> sqlite_utils.Database:
    db = open_database(path)
    c = db.conn
    with c:
        for gtin, name, category, price, cost in ((A, "Yaourt nature", "dairy", 200, 120),
                                                  (B, "Crème fraîche", "dairy", 300, None),
                                                  (C, "Baguette", "bakery", 150, 50)):
            c.execute("INSERT INTO products (gtin, name, brand, category, price_cents, unit_weight_g, aisle, shelf, "
                      "pack_size, supplier, lead_time_days, cost_cents) VALUES (?,?,'b',?,?,100,'1','1',1,'s',1,?)",
                      (gtin, name, category, price, cost))
        c.execute("INSERT INTO lots (id, gtin, lot, expiry, date_kind, received, units) "
                  "VALUES (1, ?, 'L1', '2026-11-26', 'use_by', ?, 0)", (A, at(20, 8)))
        c.execute("INSERT INTO lots (id, gtin, lot, expiry, date_kind, received, units) "
                  "VALUES (2, ?, 'L2', '2026-11-27', 'best_before', ?, 0)", (B, at(20, 8)))
        sales = [  # lane, receipt, time, gtin, quantity, unit price, lot
            ("L1", "r1", at(MON, 10), A, 3, 200, None), ("L1", "r1", at(MON, 10), B, 1, 300, None),
            ("L1", "r2", at(TUE, 12), C, 4, 150, None),
            ("L2", "r3", at(WED, 9), A, 2, 100, 1),  # marked down, in its window: recovered
            ("L2", "r3", at(WED, 10), A, 1, 200, 1),  # full price: not recovered
            ("L1", "r5", at(WED, 21), A, 1, 100, 1),  # after the markdown's end
            ("L1", "r6", at(THU, 11), B, 1, 150, 2),  # a lot whose markdown was only suggested
            ("L1", "r4", at(SUN, 23, 30), C, 1, 150, None),  # the week's last half hour
            ("L1", "r7", at(30, 0, 30), A, 5, 200, None),  # next Monday: outside
            ("L1", "r0", at(22, 23, 59), B, 2, 300, None),  # the Sunday before: outside
        ]
        c.executemany("INSERT INTO sales (lane, receipt_id, time, gtin, quantity, unit_price_cents, tagged, lot_id) "
                      "VALUES (?,?,?,?,?,?,0,?)", sales)
        waste = [  # time, gtin, quantity, reason, unit cost, value, price
            (at(TUE, 8), A, 2, "expired", 120, 240, 200), (at(THU, 8), B, 1, "damaged", None, 300, 300),
            (at(FRI, 8), C, 3, "donated", 50, 150, 150), (at(30, 8), A, 9, "expired", 120, 999, 200)]
        c.executemany("INSERT INTO waste (time, gtin, quantity, reason, unit_cost_cents, value_cents, price_cents, "
                      "user) VALUES (?,?,?,?,?,?,?,'marie')", waste)
        why = json.dumps({"code": "x", "params": {}})
        c.execute("INSERT INTO markdowns (gtin, lot_id, state, created, units, regular_cents, discount_pct, "
                  "price_cents, start, end, expected_units, expected_cents, fallback, fallback_cents, why, decided, "
                  "decided_by) VALUES (?, 1, 'ended', ?, 4, 200, 50, 100, ?, ?, 3, 300, 'discard', 0, ?, ?, 'marie')",
                  (A, at(TUE, 20), at(WED, 8), at(WED, 20), why, at(TUE, 21)))
        c.execute("INSERT INTO markdowns (gtin, lot_id, state, created, units, regular_cents, discount_pct, "
                  "price_cents, start, end, expected_units, expected_cents, fallback, fallback_cents, why) "
                  "VALUES (?, 2, 'suggested', ?, 2, 300, 50, 150, ?, ?, 1, 150, 'donate', 0, ?)",
                  (B, at(WED, 20), at(THU, 8), at(THU, 20), why))
        alerts = [  # key, kind, gtin, raised, state, resolved
            ("unpaid_item_exit:e1", "unpaid_item_exit", A, at(TUE, 15), "open", None),
            ("unpaid_item_exit:e2", "unpaid_item_exit", C, at(WED, 15), "resolved", at(WED, 16)),
            ("unpaid_item_exit:e3", "unpaid_item_exit", B, at(THU, 15), "resolved", at(THU, 15, 5)),  # came back
            ("unpaid_item_exit:e4", "unpaid_item_exit", "99999999999999", at(FRI, 15), "open", None),
            ("unpaid_item_exit:e5", "unpaid_item_exit", A, at(20, 15), "open", None),  # before the week
            ("out_of_stock:" + C, "out_of_stock", C, at(THU, 0), "open", None)]
        for key, kind, gtin, raised, state, resolved in alerts:
            alert = c.execute("INSERT INTO alerts (key, kind, state, severity, text, gtin, raised_at, updated_at, "
                              "resolved_at) VALUES (?,?,?,'critical','',?,?,?,?)",
                              (key, kind, state, gtin, raised, raised, resolved)).lastrowid
            if key.endswith("e2"):
                c.execute("INSERT INTO alert_resolutions (alert, resolved_by, resolved_at) VALUES (?, 'marie', ?)",
                          (alert, resolved))
        history = [  # gtin, time, on hand, shelf
            (A, at(21, 12), 10, 5), (A, at(WED, 0), 10, 0), (A, at(WED, 12), 10, 4),
            (C, at(MON, 0), 8, None), (C, at(THU, 0), 0, None)]
        c.executemany("INSERT INTO stock_history (gtin, time, on_hand, shelf) VALUES (?,?,?,?)", history)
        counts = [(1, "accepted", at(WED, 18)), (2, "cancelled", at(WED, 18)), (3, "accepted", at(20, 18))]
        for count_id, state, closed in counts:
            c.execute("INSERT INTO stock_counts (id, scope, state, created, created_by, closed) "
                      "VALUES (?, 'all', ?, ?, 'marie', ?)", (count_id, state, closed - 3600, closed))
        results = [(1, A, 10, 10, 200), (1, B, 5, 3, 300), (1, C, None, 2, 150), (2, A, 1, 9, 200),
                   (3, A, 1, 9, 200)]
        c.executemany("INSERT INTO count_results (count_id, gtin, expected, counted, price_cents) "
                      "VALUES (?,?,?,?,?)", results)
        c.execute("INSERT INTO forecast_runs (id, started, seconds, series, horizon) VALUES (1, ?, 1, 2, 3)",
                  (at(TUE, 6),))
        for gtin, mean in ((A, 2.0), (C, 1.0)):
            c.execute("INSERT INTO forecasts (gtin, run_id, demand_class, mean_daily, protection_days, "
                      "demand_quantile, service_level, note) VALUES (?, 1, 'smooth', ?, 3, 0, 0.95, '')",
                      (gtin, mean))
    return db
