"""The alert work list's data, in process: real SQLite, real ingest and fusion, the real FastAPI app, a manual
clock (the hub's), so times and ages are exact. The browser side is test_alert_worklist.py."""

from __future__ import annotations

import httpx

from comptoir.contract import DeviceStatus, GatePassage, PosReceipt, ZoneEvent, gtin14
from tests.dashboard.test_dashboard_data import LocalHub, client, dev, local, shelf, sign_in
from tests.hub.support import NUTELLA, epc

__all__ = ["client", "local"]  # fixtures

KIOSK = "kiosk-entree"
NAME = "Pâte à tartiner 400 g"


def raise_kiosk_call(local: LocalHub) -> None:
    """What the kiosk's "call staff" does (hub/assistant/api.py)."""
    with local.db.conn:
        local.ingest.alerts.kiosk_help(KIOSK, local.clock.now().timestamp())
    local.ingest.publish_pending()


def unpaid_exit_through_the_gate(local: LocalHub, n: int) -> None:
    """A tagged jar on the floor passes the exit gate with no receipt; the exit grace passes."""
    at = local.clock.now()
    local.ingest.handle_batch([dev.make(ZoneEvent, "reader-1", time=at, event="arrived", epc=epc(n), gtin=NUTELLA,
                                        location="floor-a2")])
    local.ingest.handle_batch([dev.make(GatePassage, "gate-1", time=at, gate="gate-1", direction="out", epc=epc(n),
                                        gtin=NUTELLA)])
    local.clock.advance(local.ingest.settings.exit_grace_s + 1)
    local.ingest.tick()


def backroom_and_empty_shelf(local: LocalHub) -> None:
    arrivals = [dev.make(ZoneEvent, "reader-1", time=local.clock.now(), event="arrived", epc=epc(100 + i),
                         gtin=NUTELLA, location="backroom") for i in range(3)]
    local.ingest.handle_batch([*arrivals, shelf(local, "cam-a2", "A2-B1-S3-04", 0, 6)])


async def work_list(client: httpx.AsyncClient, lang: str, view: str = "open") -> list[dict]:
    client.cookies.set("comptoir_lang", lang)
    response = await client.get("/api/dashboard/alerts", params={"view": view})
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_kiosk_call_comes_first_in_words_with_its_kiosk_its_time_of_day_and_its_age(
    local: LocalHub, client: httpx.AsyncClient
) -> None:
    await sign_in(client)
    backroom_and_empty_shelf(local)
    local.ingest.handle_batch([dev.make(DeviceStatus, "cam-a3", time=local.clock.now(), state="offline",
                                        kind="camera", software="t", reason="connection lost")])
    unpaid_exit_through_the_gate(local, 1)
    raise_kiosk_call(local)  # the clock reads 08:00:31 UTC: 9h00 in Paris
    local.clock.advance(125)

    french = await work_list(client, "fr")
    assert [a["kind"] for a in french] == ["kiosk_help", "unpaid_item_exit", "shelf_empty_backroom_stock",
                                           "device_offline"]
    call = french[0]
    assert call["severity"] == "critical" and call["rank"] == 0
    assert call["title"] == f"Un client attend à la borne {KIOSK}"
    assert call["place"] == f"Borne {KIOSK}"
    assert call["next_step"] == f"Allez à la borne {KIOSK} : un client vous attend."
    assert call["raised_time"] == "9h00" and call["age_s"] == 125.0  # the hub's clock, not the reader's
    device = french[3]
    assert device["title"] == "cam-a3 hors ligne" and device["place"] == "cam-a3 (caméra)"
    assert device["message"] == "Appareil cam-a3 (caméra) hors ligne : connexion perdue"

    critical = (await client.get("/api/alerts", params={"severity": "critical"})).json()  # the public API
    assert {a["kind"] for a in critical} == {"kiosk_help", "unpaid_item_exit", "device_offline"}

    english = await work_list(client, "en")
    assert english[0]["title"] == f"A customer is waiting at kiosk {KIOSK}" and english[0]["raised_time"] == "9:00"
    assert english[3]["message"] == "Device cam-a3 (camera) is offline: connection lost" == english[3]["text"]


async def test_an_unpaid_exit_names_the_product_and_its_titles_agree(local: LocalHub,
                                                                     client: httpx.AsyncClient) -> None:
    await sign_in(client)
    unpaid_exit_through_the_gate(local, 7)
    french = next(a for a in await work_list(client, "fr") if a["kind"] == "unpaid_item_exit")
    english = next(a for a in await work_list(client, "en") if a["kind"] == "unpaid_item_exit")
    assert french["title"] == f"Passé au portique sans vente : {NAME}"
    assert english["title"] == f"Passed the gate without a sale: {NAME}"
    assert (french["place"], english["place"]) == ("Portique de sortie", "Exit gate")
    tag = epc(7)
    assert tag not in french["title"] and tag in french["message"] and french["epc"] == tag  # kept for the detail
    assert french["next_step"].startswith("Vérifiez les derniers tickets de caisse")


async def test_taking_in_hand_keeps_an_event_alert_until_resolved_and_undo_reopens_it(
    local: LocalHub, client: httpx.AsyncClient
) -> None:
    await sign_in(client)
    raise_kiosk_call(local)
    call = (await work_list(client, "fr"))[0]
    taken = (await client.post(f"/api/alerts/{call['id']}/acknowledge")).json()
    assert taken["state"] == "open" and taken["acknowledged_by"] == "marie"  # before: resolved at once
    assert [a["id"] for a in await work_list(client, "fr", "acknowledged")] == [call["id"]]
    assert await work_list(client, "fr", "open") == []

    local.clock.advance(60)
    done = (await client.post(f"/api/alerts/{call['id']}/resolve")).json()
    assert done["state"] == "resolved" and done["resolved_by"] == "marie" and done["resolved_time"] == "9h01"
    back = await client.post(f"/api/alerts/{call['id']}/reopen")
    assert back.status_code == 200, back.text
    assert back.json()["state"] == "open" and back.json()["resolved_by"] is None
    assert [a["id"] for a in await work_list(client, "fr", "acknowledged")] == [call["id"]]  # in hand, as it was
    assert f"kiosk_help:{KIOSK}" in local.ingest.alerts.open  # the hub's rules see it open again
    assert (await client.post(f"/api/alerts/{call['id']}/reopen")).status_code == 409  # it is not resolved

    # resolved again, then the customer calls again: the old alert cannot be reopened beside the new one
    await client.post(f"/api/alerts/{call['id']}/resolve")
    raise_kiosk_call(local)
    refused = await client.post(f"/api/alerts/{call['id']}/reopen")
    assert refused.status_code == 409 and "raised again" in refused.text
    assert (await client.post("/api/alerts/999999/reopen")).status_code == 404


async def test_an_alerts_figure_follows_the_product_when_a_sale_credit_runs_out(
    local: LocalHub, client: httpx.AsyncClient
) -> None:
    """Seven jars on the floor, seven sold at the till without a tag read: none on hand while the sale waits for
    its tags; two hours later the credit runs out and the product page says 7 again, with no event for the
    product. The alert must follow (before: "out of stock" stayed open, its figure stale)."""
    await sign_in(client)
    at = local.clock.now()
    local.ingest.handle_batch([dev.make(ZoneEvent, "reader-1", time=at, event="arrived", epc=epc(300 + i),
                                        gtin=NUTELLA, location="floor-a2") for i in range(7)])
    local.ingest.handle_batch([dev.make(PosReceipt, "lane-1", time=at, lane="lane-1", receipt_id="R-1",
                                        total_cents=7 * 389,
                                        lines=[{"gtin": NUTELLA, "quantity": 7, "unit_price_cents": 389}])])
    assert (await client.get(f"/api/inventory/{NUTELLA}")).json()["on_hand"] == 0
    assert f"out_of_stock:{gtin14(NUTELLA)}" in local.ingest.alerts.open

    local.clock.advance(local.ingest.settings.paid_credit_hours * 3600 + 1)
    local.ingest.tick()
    assert (await client.get(f"/api/inventory/{NUTELLA}")).json()["on_hand"] == 7
    assert f"out_of_stock:{gtin14(NUTELLA)}" not in local.ingest.alerts.open
    assert not [a for a in await work_list(client, "fr") if a["kind"] == "out_of_stock"]


async def test_a_page_filters_searches_folds_repeats_and_pages(local: LocalHub, client: httpx.AsyncClient) -> None:
    await sign_in(client)
    for _ in range(25):  # a camera whose cable is loose: 25 times offline, then back
        for state in ("offline", "online"):
            local.ingest.handle_batch([dev.make(DeviceStatus, "cam-a3", time=local.clock.now(), state=state,
                                                kind="camera", software="t",
                                                reason="connection lost" if state == "offline" else None)])
            local.clock.advance(5)
    local.ingest.handle_batch([dev.make(DeviceStatus, "scale-7", time=local.clock.now(), state="offline",
                                        kind="scale", software="t", reason="serial port lost")])
    backroom_and_empty_shelf(local)
    client.cookies.set("comptoir_lang", "fr")

    async def page(**params: object) -> dict:
        response = await client.get("/api/dashboard/alerts/page", params=params)
        assert response.status_code == 200, response.text
        return response.json()

    first = await page(view="resolved")
    assert first["counts"] == {"open": 2, "acknowledged": 0, "resolved": 25}
    assert (first["total"], len(first["items"]), first["offset"]) == (25, 20, 0)
    rest = await page(view="resolved", offset=20)
    assert len(rest["items"]) == 5 and not {a["id"] for a in rest["items"]} & {a["id"] for a in first["items"]}
    folded = await page(view="resolved", group="true")
    assert folded["total"] == 1 and folded["items"][0]["repeats"] == 25
    assert len(folded["items"][0]["repeat_ids"]) == 25 and folded["items"][0]["place"] == "cam-a3 (caméra)"

    assert [a["device"] for a in (await page(kind="device_offline"))["items"]] == ["scale-7"]
    assert (await page(severity="info"))["items"] == []
    found = (await page(q="pate a TARTINER"))["items"]  # accents and case folded
    assert [a["kind"] for a in found] == ["shelf_empty_backroom_stock"] and found[0]["map_href"] == (
        "/map#slot=A2-B1-S3-04")
    assert (await page(q="balance"))["items"][0]["device"] == "scale-7"  # the kind in words finds it too
    assert (await client.get("/api/dashboard/alerts/page", params={"limit": 1000})).status_code == 422


def test_every_alert_kind_has_a_title_a_next_step_and_a_name_in_both_languages() -> None:
    """A new kind must not fall out of the work list's words (it would show its long message as a title)."""
    import typing

    from comptoir.contract.hub import AlertKind
    from hub.alerts import KIND_RANK
    from hub.i18n import messages

    kinds = typing.get_args(AlertKind)
    assert set(kinds) <= set(KIND_RANK), "a kind without a place in the work order"
    for lang in ("fr", "en"):
        said = messages(lang)
        missing = [f"alerts.{part}.{k}" for k in kinds for part in ("title", "next", "kind")
                   if f"alerts.{part}.{k}" not in said]
        assert not missing, f"{lang} lacks {missing}"
