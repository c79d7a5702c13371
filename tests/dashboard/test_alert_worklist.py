"""The alerts page as a work list, in headless Chromium against a real hub process and mosquitto.

A tablet (1024x768) and a phone (390x844), French and English. The browser's clock is set a year ahead: what
the page says about time (time of day, age) must come from the hub, as the issue found "Levée il y a 331 j".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import expect

from comptoir.contract import DeviceStatus, GatePassage, ZoneEvent
from tests.conftest import BrokerHandle
from tests.dashboard.support import ARTIFACTS, USER, WORLD, DashboardHub, backroom_stock, bay_counts
from tests.hub.support import Publisher, epc, wait_for

TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}
KIOSK = "kiosk-entree"
EMPTIED = WORLD.planogram.bays["A2-B1"].slots[0]
FLAPS = 25  # a camera with a loose cable: offline, back, 25 times
PARIS = ZoneInfo("Europe/Paris")

#: Words of the page's own chrome in one language that must never show on the other's page.
ENGLISH = ("Take in hand", "Resolve", "Next step", "Raised", " ago", "Kiosk", "customer", "offline", "without a sale",
           "Search", "Severity", "Group repeats", "Previous", "Filters", "Product page", "Show on the map", "Exit gate")
FRENCH = ("Prendre en charge", "Résoudre", "À faire", "Levée", "Borne", "hors ligne", "il y a", "sans vente",
          "Rechercher", "Gravité", "Précédentes", "Fiche produit", "Portique")
MESSAGE_KEY = re.compile(r"\b(alerts?\.[a-z_.]+|kind_[a-z_]+|sev_[a-z]+|alerts_[a-z]+)\b")


@pytest.fixture(scope="module")
def hub(broker: BrokerHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DashboardHub]:
    """The demo shop's hub; an unpaid exit is raised at once (no grace) so the test need not wait for it."""
    process = DashboardHub(Path(tmp_path_factory.mktemp("hub")), broker.url, fusion={"exit_grace_s": 0})
    process.prepare()
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def staff(hub: DashboardHub) -> Iterator[httpx.Client]:
    """One signed-in staff session for the module (sign-in is rate limited); the browser tabs share it."""
    client = hub.client()
    try:
        yield client
    finally:
        client.close()


@pytest.fixture(scope="module", autouse=True)
def busy_afternoon(hub: DashboardHub, broker: BrokerHandle, staff: httpx.Client) -> None:
    """A shelf emptied with stock in the backroom, a jar through the gate unpaid, a scale unplugged, a camera
    flapping 25 times, and last a customer calling from the kiosk."""
    publisher = Publisher(broker.host, broker.port, client_id="worklist-shop")
    dev = hub.devices
    try:
        publisher.send(*backroom_stock(dev, EMPTIED.gtin, 3, first=5000))
        facings = {s.slot_id: s.capacity for s in WORLD.planogram.bays["A2-B1"].slots}
        facings[EMPTIED.slot_id] = 0
        publisher.send(bay_counts(dev, "A2-B1", facings))
        publisher.send(dev.make(ZoneEvent, "reader-1", event="arrived", epc=epc(6000), gtin=EMPTIED.gtin,
                                location="floor-a2", scheme="sgtin-96"))
        publisher.send(dev.make(GatePassage, "gate-1", gate="gate-1", direction="out", epc=epc(6000),
                                gtin=EMPTIED.gtin))
        publisher.send(dev.make(DeviceStatus, "scale-1", state="offline", kind="scale", software="t",
                                reason="connection lost"))
        for _ in range(FLAPS):
            publisher.send(dev.make(DeviceStatus, "cam-zz", state="offline", kind="camera", software="t",
                                    reason="connection lost"))
            publisher.send(dev.make(DeviceStatus, "cam-zz", state="online", kind="camera", software="t"))
        wait_for(lambda: staff.get("/api/dashboard/alerts/page", params={"view": "resolved"}).json()["counts"]
                 == {"open": 3, "acknowledged": 0, "resolved": FLAPS}, what="the afternoon's alerts")
        # the kiosk's "call someone" (the customer's own words)
        asked = httpx.post(f"{hub.url}/api/kiosk/ask", json={"text": "je voudrais parler à un vendeur"},
                           headers={"X-Kiosk-Id": KIOSK}, timeout=30)
        assert asked.status_code == 200 and asked.json()["intent"] == "staff", asked.text
        wait_for(lambda: staff.get("/api/alerts", params={"kind": "kiosk_help"}).json(), what="the kiosk call")
    finally:
        publisher.close()


def open_alerts(browser, hub: DashboardHub, staff: httpx.Client, viewport: dict[str, int], lang: str,
                request: pytest.FixtureRequest, path: str = "/alerts"):
    """A tab whose clock is a year ahead of the hub's, signed in, on the alerts page in ``lang``."""
    context = browser.new_context(viewport=viewport, locale="fr-FR" if lang == "fr" else "en-GB", base_url=hub.url)
    request.addfinalizer(context.close)
    session = [{"name": name, "value": value, "url": hub.url} for name, value in staff.cookies.items()]
    context.add_cookies([*session, {"name": "comptoir_lang", "value": lang, "url": hub.url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.clock.set_fixed_time(datetime.now(UTC) + timedelta(days=365))
    page.goto(path)
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    expect(page.locator("#alert-list")).to_have_attribute("aria-busy", "false")
    return page


def kiosk_call(staff: httpx.Client) -> dict:
    return staff.get("/api/alerts", params={"kind": "kiosk_help", "state": "all"}).json()[0]


def shop_time(iso: str, lang: str) -> str:
    local = datetime.fromisoformat(iso).astimezone(PARIS)
    return f"{local.hour}h{local.minute:02d}" if lang == "fr" else f"{local.hour}:{local.minute:02d}"


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("size", ["tablet", "phone"])
def test_a_kiosk_call_comes_first_in_words_with_time_of_day_and_age_by_the_hubs_clock(
    browser, hub: DashboardHub, staff: httpx.Client, request: pytest.FixtureRequest, size: str, lang: str
) -> None:
    page = open_alerts(browser, hub, staff, TABLET if size == "tablet" else PHONE, lang, request)
    first = page.locator("#alert-list > li").first
    expect(first).to_have_attribute("data-kind", "kiosk_help")
    waiting = "Un client attend à la borne" if lang == "fr" else "A customer is waiting at kiosk"
    expect(first.locator("h2")).to_have_text(f"{waiting} {KIOSK}")
    expect(first.locator(".alerts-place")).to_have_text(f"Borne {KIOSK}" if lang == "fr" else f"Kiosk {KIOSK}")
    expect(first.locator(".alerts-next")).to_contain_text(KIOSK)
    expect(first.locator(".alerts-time")).to_contain_text(shop_time(kiosk_call(staff)["raised_at"], lang))
    # seconds or minutes ago by the hub's clock; the browser's (a year ahead) would say a year
    age = re.compile(r"^il\sy\sa\s\d+\s(s|min)$" if lang == "fr" else r"^\d+\s(sec|min)\.?\sago$")
    expect(first.locator(".alerts-age")).to_have_text(age)
    second = page.locator("#alert-list > li").nth(1)
    expect(second).to_have_attribute("data-kind", "unpaid_item_exit")
    expect(second.locator("h2")).to_contain_text(next(p.name for p in WORLD.products if p.gtin14 == EMPTIED.gtin))
    expect(second.locator(".alerts-detail")).to_contain_text(epc(6000))  # the tag code, in the detail line only

    text = page.locator("body").inner_text()
    assert not MESSAGE_KEY.findall(text), f"message keys on the page: {MESSAGE_KEY.findall(text)}"
    other = ENGLISH if lang == "fr" else FRENCH
    assert not [w for w in other if w in text], f"words of the other language: {[w for w in other if w in text]}"
    wide = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert wide[0] <= wide[1], f"the page scrolls sideways: {wide[0]} px wide in a {wide[1]} px window"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"alerts-{size}-{lang}.png"))


def test_take_in_hand_then_resolve_then_undo_reopens_it(browser, hub: DashboardHub, staff: httpx.Client,
                                                        request: pytest.FixtureRequest) -> None:
    page = open_alerts(browser, hub, staff, TABLET, "fr", request)
    call = page.locator('#alert-list > li[data-kind="kiosk_help"]')
    call.get_by_role("button", name=re.compile("^Prendre en charge")).click()
    expect(call).to_have_count(0)
    page.click("#tab-acknowledged")
    expect(call).to_have_count(1)
    expect(call.locator(".history")).to_contain_text(f"Prise en charge par {USER} à")
    assert kiosk_call(staff)["state"] == "open"  # in hand, not gone

    call.get_by_role("button", name=re.compile("^Résoudre")).click()
    notice = page.locator("#alerts-notice")
    expect(notice).to_contain_text(f"Résolue : Un client attend à la borne {KIOSK}")
    expect(call).to_have_count(0)
    assert kiosk_call(staff)["state"] == "resolved"
    notice.get_by_role("button", name="Annuler").click()
    expect(notice).to_contain_text("Rouverte")
    expect(call).to_have_count(1)  # back in hand, as it was
    reopened = kiosk_call(staff)
    assert reopened["state"] == "open" and reopened["acknowledged_by"] == USER


def test_filters_search_grouped_repeats_and_pages_on_a_phone(browser, hub: DashboardHub, staff: httpx.Client,
                                                             request: pytest.FixtureRequest) -> None:
    page = open_alerts(browser, hub, staff, PHONE, "fr", request)
    items = page.locator("#alert-list > li[data-alert]")
    page.click("#tab-resolved")
    expect(page.locator("#alerts-shown")).to_have_text(re.compile(r"^1 à 20 sur \d+$"))
    expect(items).to_have_count(20)
    page.click("#alerts-next")
    expect(page.locator("#alerts-shown")).to_have_text(re.compile(r"^21 à \d+ sur \d+$"))
    expect(page.locator("#alerts-group")).to_be_hidden()  # a phone folds the filters away
    page.click("#alerts-filter-box summary")
    page.check("#alerts-group")
    flapping = page.locator('#alert-list > li[data-kind="device_offline"]')
    expect(flapping).to_have_count(1)
    expect(flapping.locator(".alerts-repeats")).to_have_text(f"{FLAPS} fois")
    expect(flapping.locator(".alerts-place")).to_have_text("cam-zz (caméra)")

    page.click("#tab-open")
    page.uncheck("#alerts-group")
    page.select_option("#alerts-kind", "device_offline")
    expect(items).to_have_count(1)
    expect(items.locator("h2")).to_have_text("scale-1 hors ligne")
    page.select_option("#alerts-kind", "")
    page.select_option("#alerts-severity", "info")
    expect(page.locator("#alert-list .empty")).to_have_text("Aucune alerte ne correspond.")
    page.select_option("#alerts-severity", "")
    product = next(p.name for p in WORLD.products if p.gtin14 == EMPTIED.gtin)
    page.fill("#alerts-q", product.upper())
    expect(items).to_have_count(2)  # the empty shelf and the jar through the gate
    wide = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert wide[0] <= wide[1], f"the page scrolls sideways: {wide[0]} px wide in a {wide[1]} px window"


def test_a_link_from_the_map_brings_its_alert_into_view(browser, hub: DashboardHub, staff: httpx.Client,
                                                         request: pytest.FixtureRequest) -> None:
    """The map links a slot's alert as /alerts#alert-<id> (helper 19B's map.js); this page shows it."""
    shelf = next(a for a in staff.get("/api/dashboard/alerts").json() if a["kind"] == "shelf_empty_backroom_stock")
    page = open_alerts(browser, hub, staff, PHONE, "fr", request, f"/alerts#alert-{shelf['id']}")
    target = page.locator(f"#alert-{shelf['id']}")
    expect(target).to_have_class(re.compile(r"\balerts-target\b"))
    expect(target).to_be_in_viewport()
    expect(page.locator("#alerts-q")).to_have_value(EMPTIED.slot_id)
    expect(page.locator("#alert-list > li[data-alert]")).to_have_count(1)


def test_a_live_alert_updates_the_page_on_screen_only_and_links_its_slot_to_the_map(
    browser, hub: DashboardHub, staff: httpx.Client, broker: BrokerHandle, request: pytest.FixtureRequest
) -> None:
    page = open_alerts(browser, hub, staff, TABLET, "fr", request)
    shelf = page.locator('#alert-list > li[data-kind="shelf_empty_backroom_stock"]')
    expect(shelf.locator("a.alerts-map")).to_have_attribute("href", f"/map#slot={EMPTIED.slot_id}")
    shelf.evaluate("node => { window.__kept = node; }")
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/api/dashboard/alerts" in r.url else None)

    publisher = Publisher(broker.host, broker.port, client_id="worklist-live")
    try:
        publisher.send(hub.devices.make(DeviceStatus, "reader-9", state="offline", kind="rfid-reader", software="t",
                                        reason="connection lost"))
    finally:
        publisher.close()
    expect(page.locator('#alert-list > li[data-kind="device_offline"] h2')).to_contain_text(["reader-9 hors ligne"])
    assert shelf.evaluate("node => node === window.__kept"), "an unchanged alert was rebuilt"
    lists = [u for u in asked if "view=acknowledged" in u or "view=resolved" in u]
    assert not lists, f"the other lists were fetched again: {lists}"
