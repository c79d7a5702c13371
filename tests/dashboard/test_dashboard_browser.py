"""The staff dashboard in headless Chromium against a real hub process and mosquitto.

Contract messages published over MQTT drive the hub; the page is never
reloaded by the test once open, so what changes on screen came over the
live stream.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from comptoir.contract import DeviceStatus, PosReceipt, ZoneEvent
from tests.dashboard.support import ARTIFACTS, PASSWORD, USER, WORLD, DashboardHub, backroom_stock, bay_counts
from tests.hub.support import Publisher, epc, now, wait_for

EMPTIED = WORLD.planogram.bays["A2-B1"].slots[0]  # the slot a shopper empties
RESTART_SLOT = WORLD.planogram.bays["A3-B1"].slots[2]
UNWATCHED_BAY = "A6-B2"  # its camera has not reported yet: "no data"
RED = "rgb(198, 40, 40)"


@pytest.fixture(scope="module", autouse=True)
def stocked_shop(hub: DashboardHub, broker) -> Iterator[None]:
    """Every camera but one reports its bay, a few slots low or hidden (a real morning); four units wait in
    the backroom."""
    publisher = Publisher(broker.host, broker.port, client_id="dashboard-stocker")
    try:
        stock_the_shop(hub, publisher)
        staff = hub.client()
        wait_for(
            lambda: staff.get(f"/api/inventory/{EMPTIED.gtin}").json()["backroom"]["units"] == 4,
            what="the shop stocked",
        )
    finally:
        publisher.close()
    yield


def stock_the_shop(hub: DashboardHub, publisher: Publisher) -> None:
    for bay_id in WORLD.planogram.bays:
        if bay_id == UNWATCHED_BAY:
            continue
        special: dict[str, int | None] = {}
        if bay_id == "A1-B1":
            slots = WORLD.planogram.bays[bay_id].slots
            special = {slots[3].slot_id: 1, slots[8].slot_id: None}
        if bay_id == "A4-B2":
            special = {WORLD.planogram.bays[bay_id].slots[5].slot_id: 1}
        publisher.send(bay_counts(hub.devices, bay_id, special))
    publisher.send(*backroom_stock(hub.devices, EMPTIED.gtin, 4, first=1000))


def sign_in(page: Page, path: str = "/map") -> None:
    page.goto(path)
    expect(page).to_have_url(re.compile(r"/signin\?next="))
    page.fill("#username", USER)
    page.fill("#password", PASSWORD)
    page.click("#signin button[type=submit]")
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    expect(page.locator("#sign-out")).to_be_visible()  # the signed-in page itself, not the sign-in page leaving


def slot(page: Page, slot_id: str):
    return page.locator(f'[data-slot="{slot_id}"]')


def test_an_emptied_shelf_turns_red_live_and_acknowledging_moves_its_alert(
    hub: DashboardHub, publisher: Publisher, page: Page
) -> None:
    sign_in(page, "/map")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    expect(slot(page, EMPTIED.slot_id)).to_have_attribute("data-state", "ok")
    page.evaluate("window.__sameDocument = true")

    # a shopper takes the last jars: the camera reports the slot empty
    facings = {s.slot_id: s.capacity for s in WORLD.planogram.bays["A2-B1"].slots}
    facings[EMPTIED.slot_id] = 0
    started = time.monotonic()
    publisher.send(bay_counts(hub.devices, "A2-B1", facings))
    expect(slot(page, EMPTIED.slot_id)).to_have_attribute("data-state", "empty", timeout=3000)
    assert time.monotonic() - started < 3.0
    cell = slot(page, EMPTIED.slot_id)
    assert cell.evaluate("e => getComputedStyle(e).backgroundColor") == RED
    assert "Vide" in (cell.get_attribute("aria-label") or "")
    assert page.evaluate("window.__sameDocument") is True, "the page was reloaded"
    expect(page.locator("#count-empty")).to_have_text("1")
    expect(page.locator("#open-alerts")).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-map.png"), full_page=True)

    # the inbox: the alert says what to bring; acknowledging moves it out of the open list
    page.click("#nav-alerts")
    alert = page.locator('#alert-list [data-kind="shelf_empty_backroom_stock"]')
    expect(alert).to_have_count(1)
    name = next(p.name for p in WORLD.products if p.gtin14 == EMPTIED.gtin)
    expect(alert.locator("h2")).to_have_text(f"Rayon vide : {name}")  # the work list's title (issue 19)
    expect(alert.locator(".alerts-next")).to_contain_text(f"Apportez 4 de la réserve à l'emplacement {EMPTIED.slot_id}")
    alert.get_by_role("button", name=re.compile("^Prendre en charge")).click()
    expect(alert).to_have_count(0)
    page.click("#tab-acknowledged")
    expect(alert).to_have_count(1)
    expect(alert.locator(".history")).to_contain_text(f"Prise en charge par {USER}")
    page.screenshot(path=str(ARTIFACTS / "dashboard-alerts.png"), full_page=True)

    # resolving records who and when
    alert.get_by_role("button", name=re.compile("^Résoudre")).click()
    expect(alert).to_have_count(0)
    page.click("#tab-resolved")
    expect(alert.first.locator(".history")).to_contain_text(f"Résolue par {USER}")


def test_a_restarted_hub_shows_reconnecting_then_catches_up(
    hub: DashboardHub, publisher: Publisher, page: Page
) -> None:
    publisher.send(bay_counts(hub.devices, "A3-B1"))
    sign_in(page, "/map")
    banner = page.locator("#connection")
    expect(banner).to_have_attribute("data-state", "live")
    expect(slot(page, RESTART_SLOT.slot_id)).to_have_attribute("data-state", "ok")
    page.evaluate("window.__sameDocument = true")

    hub.stop()
    expect(banner).to_have_attribute("data-state", "reconnecting", timeout=5000)
    expect(banner).to_contain_text("reconnexion")
    page.screenshot(path=str(ARTIFACTS / "dashboard-reconnecting.png"))
    # while the hub is down, the shelf empties; the broker keeps the message for the hub
    facings = {s.slot_id: s.capacity for s in WORLD.planogram.bays["A3-B1"].slots}
    facings[RESTART_SLOT.slot_id] = 0
    publisher.send(bay_counts(hub.devices, "A3-B1", facings))

    hub.start()
    expect(banner).to_have_attribute("data-state", "live", timeout=15000)
    expect(slot(page, RESTART_SLOT.slot_id)).to_have_attribute("data-state", "empty", timeout=5000)
    assert page.evaluate("window.__sameDocument") is True, "the page was reloaded"


def test_the_language_switch_changes_the_labels(hub: DashboardHub, page: Page) -> None:
    sign_in(page, "/map")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("#nav-map")).to_have_text("Plan du magasin")
    expect(page.locator("#sign-out")).to_have_text("Se déconnecter")
    page.click("#lang-en")
    expect(page).to_have_url(re.compile(r"/map$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#nav-map")).to_have_text("Store map")
    expect(page.locator("#sign-out")).to_have_text("Sign out")
    expect(page.locator(".legend")).to_contain_text("View blocked")
    expect(page.locator("[data-state=empty]").first).to_have_attribute("aria-label", re.compile(r"\. Empty"))
    page.click("#nav-alerts")
    expect(page.locator("#tab-open")).to_contain_text("Open")


def test_a_signed_out_visitor_is_sent_to_sign_in(hub: DashboardHub, page: Page) -> None:
    page.goto("/alerts")
    expect(page).to_have_url(re.compile(r"/signin\?next=/alerts$"))
    expect(page.locator("h1")).to_have_text("Connexion du personnel")
    page.fill("#username", USER)
    page.fill("#password", "not-the-password")
    page.click("#signin button[type=submit]")
    expect(page.locator("#signin-error")).to_have_text("Identifiant ou mot de passe incorrect.")
    page.fill("#password", PASSWORD)
    page.click("#signin button[type=submit]")
    expect(page).to_have_url(re.compile(r"/alerts$"))
    page.click("#sign-out")
    expect(page).to_have_url(re.compile(r"/signin$"))
    page.goto("/devices")
    expect(page).to_have_url(re.compile(r"/signin\?next=/devices$"))


def test_the_product_page_shows_each_source_and_a_chart(hub: DashboardHub, publisher: Publisher, page: Page) -> None:
    gtin = EMPTIED.gtin
    sold = epc(2000)
    publisher.send(
        hub.devices.make(
            ZoneEvent, "reader-1", event="arrived", epc=sold, gtin=gtin, location=EMPTIED.zone, scheme="sgtin-96"
        )
    )
    publisher.send(
        hub.devices.make(
            PosReceipt,
            "lane-1",
            lane="lane-1",
            receipt_id="R-7001",
            total_cents=389,
            lines=[{"gtin": gtin, "quantity": 1, "unit_price_cents": 389, "epcs": [sold]}],
        )
    )
    staff = hub.client()
    wait_for(lambda: staff.get(f"/api/inventory/{gtin}").json()["items"]["sold"] >= 1, what="the sale")
    sign_in(page, f"/products/{gtin}")
    page.click("#lang-en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    product = next(p for p in WORLD.products if p.gtin14 == gtin)
    expect(page.locator("h1")).to_have_text(product.name)
    backroom = page.locator('#figure-rows [data-place="backroom"]')
    expect(backroom.locator("td").nth(0)).to_have_text("4")
    expect(backroom.locator("td").nth(1)).to_have_text("RFID")
    expect(backroom.locator("td").nth(2)).to_contain_text("ago")
    expect(page.locator('#figure-rows [data-place="shelf"] td').nth(1)).to_have_text("camera")
    on_hand = staff.get(f"/api/inventory/{gtin}").json()["on_hand"]
    expect(page.locator("#on-hand")).to_have_text(str(on_hand))
    expect(page.locator("#chart canvas")).to_have_count(1)
    expect(page.locator("#chart .u-legend")).to_contain_text("Units sold")
    expect(page.locator("#chart")).to_have_attribute("aria-label", re.compile(rf"{on_hand} on hand now; 1 sold"))
    page.screenshot(path=str(ARTIFACTS / "dashboard-product.png"), full_page=True)


def test_the_devices_page_shows_health_rates_and_lost_messages(
    hub: DashboardHub, publisher: Publisher, page: Page
) -> None:
    dev = hub.devices
    start = dev.seq.get("reader-1", 0)
    # the reader's link says it is online (its birth): data alone never does
    publisher.send(DeviceStatus.create(device="reader-1", seq=1, time=now(), state="online", kind="rfid-reader",
                                       software="test"))
    publisher.send(
        dev.make(
            ZoneEvent,
            "reader-1",
            seq=start + 4,
            event="arrived",
            epc=epc(3000),
            gtin=RESTART_SLOT.gtin,
            location="backroom",
            scheme="sgtin-96",
        )
    )
    staff = hub.client()
    wait_for(
        lambda: any(d["device"] == "reader-1" and d["lost"] >= 3 for d in staff.get("/api/devices").json()),
        what="the sequence gap",
    )
    sign_in(page, "/devices")
    page.click("#lang-en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    reader = page.locator('#device-rows [data-device="reader-1"]')
    expect(reader.locator("td").nth(1)).to_have_text("Online")
    expect(reader.locator("td").nth(5)).to_have_text(re.compile(r"^[1-9]\d*$"))
    expect(page.locator(f'#device-rows [data-device="{EMPTIED.camera}"]')).to_be_visible()
    hub_row = page.locator('#device-rows [data-device="hub"]')
    expect(hub_row.locator("td").nth(4)).to_have_text(re.compile(r"^\d+$"))  # its own outbox depth
    # the message rate appears once the recorder has two samples of the counts
    expect(reader.locator("td").nth(3)).to_have_text(re.compile(r"^\d+(\.\d)?$"), timeout=15000)
    page.screenshot(path=str(ARTIFACTS / "dashboard-devices.png"), full_page=True)

    # the reader is lost: its agent says so on the status, and the row says offline, and why, without a reload
    lost = "LLRP reader 192.168.1.30:5084: no report nor keepalive for 30 s (silence_s)"
    publisher.send(DeviceStatus.create(device="reader-1", seq=1, time=now(), state="offline", kind="rfid-reader",
                                       software="test", reason=lost))
    expect(reader).to_have_attribute("data-state", "offline")
    expect(reader.locator("td").nth(1)).to_have_text(f"Offline {lost}")
    publisher.send(DeviceStatus.create(device="reader-1", seq=2, time=now(), state="online", kind="rfid-reader",
                                       software="test"))
    expect(reader).to_have_attribute("data-state", "online")


ACCESSIBILITY = (Path(__file__).parent / "accessibility.js").read_text()


@pytest.mark.parametrize(
    "viewport", [{"width": 800, "height": 1280}, {"width": 1920, "height": 1080}], ids=["tablet-portrait", "desktop"]
)
def test_every_page_is_labelled_readable_and_fits_the_screen(
    hub: DashboardHub, page: Page, viewport: dict[str, int]
) -> None:
    page.set_viewport_size(viewport)
    sign_in(page, "/map")
    for path, ready in (
        ("/map", "[data-slot]"),
        ("/alerts", "#alert-list > li"),
        ("/products", "#product-rows tr"),
        (f"/products/{EMPTIED.gtin}", "#chart canvas"),
        ("/devices", "#device-rows tr"),
    ):
        page.goto(path)
        expect(page.locator(ready).first).to_be_visible()
        problems = page.evaluate(ACCESSIBILITY)
        assert not problems, f"{path} at {viewport}: {problems[:5]}"
    page.goto("/signin")  # signed in: sent on to the map; the sign-in page itself is checked signed out
    page.click("#sign-out")
    expect(page.locator("#username")).to_be_visible()
    assert not page.evaluate(ACCESSIBILITY)
