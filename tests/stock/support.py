"""Helpers of the stock tests: a purchase order straight in the database, tills' receipts, JSON of answers."""

from __future__ import annotations

from typing import Any

import httpx

from comptoir.contract import PosReceipt, gtin14
from tests.hub.support import Devices, LocalHub

dev = Devices()


def g14(gtin: str) -> str:
    return gtin14(gtin)


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, f"{response.status_code}: {response.text}"
    return response.json()


def refused(response: httpx.Response, status: int, field: str) -> str:
    """The answer is ``status`` and its message names ``field``."""
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    body = response.json()
    text = body.get("error") or body["detail"]
    assert field in str(text), f"{field!r} not named in {text!r}"
    return str(text)


def purchase_order(local: LocalHub, lines: dict[str, int], supplier: str = "Francine") -> int:
    """An open purchase order, as the reorder workflow makes them (hub/forecast/orders.py)."""
    now = local.clock.now().timestamp()
    with local.db.conn:
        po = local.db.conn.execute("INSERT INTO purchase_orders (supplier, state, created, created_by) "
                                   "VALUES (?, 'open', ?, 'paul')", (supplier, now)).lastrowid
        for gtin, quantity in lines.items():
            local.db.conn.execute("INSERT INTO purchase_order_lines (po_id, gtin, quantity) VALUES (?, ?, ?)",
                                  (po, g14(gtin), quantity))
    return int(po)


def sell(local: LocalHub, gtin: str, quantity: int, receipt: str) -> None:
    """A till receipt through ingest, as the POS bridge publishes it."""
    message = dev.make(PosReceipt, "lane-1", time=local.clock.now(), lane="lane-1", receipt_id=receipt,
                       total_cents=100 * quantity,
                       lines=[{"gtin": gtin, "quantity": quantity, "unit_price_cents": 100}])
    local.ingest.handle_batch([message])
