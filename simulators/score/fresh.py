"""The fresh products' back office: the staff and the till of simulators/world/fresh.py, through the hub's API.

Orders go out as purchase orders; deliveries are received by scanning each
unit's GS1 code ``(01)..(17)..(10)..`` (the date and lot ride on the scan);
the morning check counts the lots whose date is near and records what
leaves the shelf as waste (``expired``, or ``donated`` when the markdown's
fallback said so); then, when markdowns are on, staff ask the hub to review,
approve every suggestion as it stands, print the label sheet and stick each
label on its lot. The till sells a labelled unit at the label's price
(AI 3922, read by biip) with the lot and date on the receipt line; other
units go through at the shelf price with the barcode alone.
"""

from __future__ import annotations

from collections import deque
from datetime import date, datetime
from typing import Any, Protocol

from simulators.pos.labels import labels_in, read_label
from simulators.world.fresh import FreshEvent, FreshShop, Label

MAX_SCANS = 2000  # the hub's limit per delivery; above, the delivery says the lots per line


class FreshDesk(Protocol):
    """How the back office reaches the hub: the till for sales, the staff API for the rest."""

    async def sell(self, line: dict[str, Any], when: datetime) -> None: ...

    async def post(self, path: str, body: dict[str, Any], when: datetime) -> Any: ...

    async def get(self, path: str, params: dict[str, Any], when: datetime) -> Any: ...

    async def get_text(self, path: str, params: dict[str, Any], when: datetime) -> str: ...


def element_string(gtin: str, expiry: date, lot: str) -> str:
    """What a supplier's GS1-128 / DataMatrix code on a dated unit says (AI 17: use by / best before date)."""
    return f"(01){gtin}(17){expiry:%y%m%d}(10){lot}"


class FreshOffice:
    """Turns the fresh shop's events into what staff and till do in the hub, in order, when :meth:`drain` runs."""

    def __init__(self, shop: FreshShop, desk: FreshDesk, markdowns: bool) -> None:
        self.shop = shop
        self.desk = desk
        self.markdowns = markdowns
        self.pending: deque[FreshEvent] = deque()
        self.orders: dict[int, int] = {}  # the world's order -> the hub's purchase order
        self.lot_ids: dict[tuple[str, str, date], int] = {}
        self.done: dict[str, int] = {}
        self.approved: list[dict[str, Any]] = []
        self.labels_unmatched: list[str] = []
        self._unsubscribe = shop.subscribe(self.pending.append)

    def close(self) -> None:
        self._unsubscribe()

    async def drain(self) -> None:
        while self.pending:
            event = self.pending.popleft()
            await self.handle(event)
            self.done[event.kind] = self.done.get(event.kind, 0) + 1

    async def handle(self, e: FreshEvent) -> None:
        if e.kind == "sold":
            await self._sell(e)
        elif e.kind == "ordered":
            await self._order(e.ref, e.supplier, {g: n for g, _, _, n in e.lots}, e.time)
        elif e.kind == "delivered":
            await self._receive(e)
        elif e.kind == "count":
            for gtin, lot, expiry, units in e.lots:
                lot_id = await self._lot_id(gtin, lot, expiry, e.time)
                if lot_id is not None:
                    await self.desk.post(f"/api/fresh/lots/{lot_id}/count", {"units": units}, e.time)
        elif e.kind in ("expired", "donated"):
            await self._waste(e)
        elif e.kind == "morning" and self.markdowns:
            await self._markdowns(e.time)

    async def _sell(self, e: FreshEvent) -> None:
        gtin, _, _, quantity = e.lots[0]
        line: dict[str, Any] = {"gtin": gtin, "quantity": quantity, "unit_price_cents": e.price_cents}
        if e.label is not None:  # the till scans the reduced label: its price, its lot and date
            scan = read_label(e.label)
            line = {"gtin": scan.gtin, "quantity": quantity,
                    "unit_price_cents": scan.price_cents if scan.price_cents is not None else e.price_cents,
                    "lot": scan.lot, "expiry": scan.expiry}
        await self.desk.sell(line, e.time)

    async def _order(self, ref: int, supplier: str, lines: dict[str, int], when: datetime) -> None:
        order = await self.desk.post("/api/stock/orders", {"supplier": supplier, "lines": [
            {"gtin": g, "quantity": n} for g, n in sorted(lines.items())]}, when)
        self.orders[ref] = order["po_id"]

    async def _receive(self, e: FreshEvent) -> None:
        if e.ref not in self.orders:  # the opening stock: on a purchase order of its own
            lines: dict[str, int] = {}
            for gtin, _, _, units in e.lots:
                lines[gtin] = lines.get(gtin, 0) + units
            await self._order(e.ref, "opening stock", lines, e.time)
        scans = [element_string(g, expiry, lot) for g, lot, expiry, units in e.lots for _ in range(units)]
        body: dict[str, Any] = {"po_id": self.orders.pop(e.ref), "close": True}
        if len(scans) <= MAX_SCANS:
            body["scans"] = scans
        else:
            by_gtin: dict[str, list[dict[str, Any]]] = {}
            for gtin, lot, expiry, units in e.lots:
                by_gtin.setdefault(gtin, []).append({"lot": lot, "expiry": expiry.isoformat(), "quantity": units})
            body["lines"] = [{"gtin": g, "quantity": sum(x["quantity"] for x in lots), "lots": lots}
                             for g, lots in by_gtin.items()]
        await self.desk.post("/api/stock/deliveries", body, e.time)
        for gtin in sorted({g for g, _, _, _ in e.lots}):
            await self._refresh_lots(gtin, e.time)

    async def _refresh_lots(self, gtin: str, when: datetime) -> None:
        for row in await self.desk.get("/api/fresh/lots", {"state": "open", "gtin": gtin}, when):
            self.lot_ids[(row["gtin"], row["lot"] or "", date.fromisoformat(row["expiry"]))] = row["id"]

    async def _lot_id(self, gtin: str, lot: str, expiry: date, when: datetime) -> int | None:
        key = (gtin, lot, expiry)
        if key not in self.lot_ids:
            await self._refresh_lots(gtin, when)
        return self.lot_ids.get(key)

    async def _waste(self, e: FreshEvent) -> None:
        gtin, lot, expiry, units = e.lots[0]
        if not units:
            return
        lot_id = await self._lot_id(gtin, lot, expiry, e.time)
        body: dict[str, Any] = {"gtin": gtin, "quantity": units, "reason": e.kind,
                                "note": "morning date check" if e.kind == "expired" else "given to the food bank"}
        if lot_id is not None:
            # staff count what they take off: the book of the lot assumed oldest-first, shoppers took the freshest
            await self.desk.post(f"/api/fresh/lots/{lot_id}/count", {"units": units}, e.time)
            body["lot_id"] = lot_id
        await self.desk.post("/api/fresh/waste", body, e.time)

    async def _markdowns(self, when: datetime) -> None:
        """Review, approve every suggestion as it stands, print the sheet, label the lots."""
        await self.desk.post("/api/markdowns/review", {}, when)
        suggested = await self.desk.get("/api/markdowns", {"state": "suggested"}, when)
        if not suggested:
            return
        for markdown in suggested:
            await self.desk.post(f"/api/markdowns/{markdown['id']}/approve", {}, when)
            self.approved.append(markdown)
        page = await self.desk.get_text("/api/markdowns/labels.html",
                                        {"ids": ",".join(str(m["id"]) for m in suggested)}, when)
        printed = {}
        for text in labels_in(page):
            scan = read_label(text)
            printed[(scan.gtin, scan.lot or "", scan.expiry)] = (text, scan)
        for markdown in suggested:
            key = (markdown["gtin"], markdown.get("lot") or "", date.fromisoformat(markdown["expiry"]))
            if key not in printed:
                self.labels_unmatched.append(f"markdown {markdown['id']}: no label for {key}")
                continue
            text, scan = printed[key]
            label = Label(price_cents=scan.price_cents or markdown["price_cents"],
                          start=datetime.fromisoformat(markdown["start"]), end=datetime.fromisoformat(markdown["end"]),
                          fallback=markdown.get("fallback") or "discard", element_string=text)
            self.shop.label(key[0], key[1], key[2], label)
