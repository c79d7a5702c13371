"""Every staff page on a tablet (1024x768) and a phone (390x844), in French and in English (issue 19).

No page scrolls sideways; on a phone the header is one short line whose Menu button opens the navigation; a
French page shows no message code and no English sentence. Alerts are checked by their own tests (issue 19,
part A); here they are only loaded, for the sideways scroll. Each page's screenshot is saved under
tests/artifacts/dashboard/ (docs/dashboard.md shows them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from comptoir.contract import DeviceStatus
from tests.conftest import BrokerHandle
from tests.dashboard.floor import EMPTIED, SCREENS, sideways_overflow, sign_in, stock_the_shop, untranslated
from tests.dashboard.support import ARTIFACTS, DashboardHub
from tests.hub.support import Publisher, epc, now, wait_for

#: each page, and what shows it has been filled in
PAGES = {
    "map": ("/map", "#store-map .aisle"),
    "products": ("/products", "#product-rows tr[data-gtin]"),
    "product": (f"/products/{EMPTIED.gtin}", "#chart canvas"),
    "devices": ("/devices", "#device-rows tr"),
    "reorder": ("/reorder", "#suggestions"),
    "alerts": ("/alerts", "main h1"),
    # the pages issues 20, 22 and 23 added: receiving/counts, tag commissioning, a camera's slots, a product's tags
    "stock": ("/stock", "main h1"),
    "fresh": ("/fresh", "main h1"),  # issue 21: dates to check, waste
    "tags": ("/tags", "main h1"),
    "camera": ("/cameras/cam-a1-b1", "main h1"),
    "items": (f"/items?gtin={EMPTIED.gtin}", "main h1"),
    "item": (f"/items/{epc(1000)}", "main h1"),  # one of the backroom tags stock_the_shop sends
    # issue 21: the shop's numbers
    "numbers": ("/numbers", "#figures .figure"),
    "markdowns": ("/markdowns", "#md-suggested > *"),  # issue 21: markdown suggestions (none in this shop)
}


@pytest.fixture(scope="module", autouse=True)
def stocked_shop(hub: DashboardHub, broker: BrokerHandle) -> Iterator[None]:
    publisher = Publisher(broker.host, broker.port, client_id="layout-stocker")
    try:
        stock_the_shop(hub, publisher)
        for device, kind in (("reader-1", "rfid-reader"), ("lane-1", "pos"), ("scale-7", "scale")):
            publisher.send(DeviceStatus.create(device=device, seq=1, time=now(), state="online", kind=kind,
                                               software="test"))
        staff = hub.client()
        wait_for(lambda: staff.get(f"/api/inventory/{EMPTIED.gtin}").json()["backroom"]["units"] == 4,
                 what="the shop stocked")
        wait_for(lambda: {d["device"] for d in staff.get("/api/devices").json()} >= {"reader-1", "lane-1", "scale-7"},
                 what="the devices' status")
    finally:
        publisher.close()
    yield


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("screen", ["tablet", "phone"])
def test_every_page_fits_the_screen_and_speaks_the_language(browser, hub: DashboardHub, screen: str,
                                                            lang: str) -> None:
    size = SCREENS[screen]
    context = browser.new_context(viewport=size, locale="fr-FR" if lang == "fr" else "en-GB", base_url=hub.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    problems: list[str] = []
    try:
        page.goto("/signin")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        _check(page, "signin", screen, lang, problems)
        sign_in(page, "/map")
        for name, (path, ready) in PAGES.items():
            page.goto(path)
            expect(page.locator(ready).first).to_be_visible()
            _check(page, name, screen, lang, problems)
    finally:
        context.close()
    assert not problems, problems
    assert not errors, f"script errors: {errors}"


def _check(page: Page, name: str, screen: str, lang: str, problems: list[str]) -> None:
    page.wait_for_load_state("networkidle")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"page-{name}-{screen}-{lang}.png"))
    overflow = sideways_overflow(page)
    if overflow > 0:
        problems.append(f"{name} scrolls {overflow}px sideways on the {screen}")
    if lang == "fr" and name != "alerts":  # the alerts page's words are part A's
        problems += [f"{name}: {p}" for p in untranslated(page)]
    header = page.locator("header.top").bounding_box()
    if screen == "phone" and header and header["height"] > 70:
        problems.append(f"{name}: the header is {header['height']:.0f}px tall on the phone")


def test_device_kinds_and_rates_are_said_in_the_readers_language(hub: DashboardHub) -> None:
    staff = hub.client()
    said = {lang: {d["device"]: d
                   for d in staff.get("/api/dashboard/devices", headers={"Accept-Language": lang}).json()}
            for lang in ("fr", "en")}
    assert [said["fr"][d]["kind_text"] for d in ("reader-1", "lane-1", "scale-7")] == [
        "Lecteur RFID", "Caisse", "Étagère pesante"]
    assert [said["en"][d]["kind_text"] for d in ("reader-1", "lane-1", "scale-7")] == [
        "RFID reader", "Till", "Weighing shelf"]


def test_on_a_phone_the_menu_button_opens_the_navigation(browser, hub: DashboardHub) -> None:
    context = browser.new_context(viewport=SCREENS["phone"], locale="fr-FR", base_url=hub.url)
    page = context.new_page()
    try:
        sign_in(page, "/map")
        expect(page.locator("#nav-products")).to_be_hidden()
        menu = page.locator("#menu-toggle")
        expect(menu).to_have_attribute("aria-expanded", "false")
        menu.click()
        expect(menu).to_have_attribute("aria-expanded", "true")
        expect(page.locator("#nav-products")).to_be_visible()
        expect(page.locator("#sign-out")).to_be_visible()
        assert sideways_overflow(page) <= 0
        page.click("#nav-products")
        expect(page).to_have_url(re.compile("/products$"))
        expect(page.locator("#nav-products")).to_be_hidden()  # a new page starts with the menu folded
    finally:
        context.close()
