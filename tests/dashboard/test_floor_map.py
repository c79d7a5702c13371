"""The store map on the shop floor (issue 19): in headless Chromium against a real hub process and mosquitto.

A tap held 150 ms lands on its slot while inventory events stream in, because live updates patch the slots in
place instead of rebuilding the grid; the keyboard focus stays put; each slot shows its place and count; a list
of what to do links each slot to its alert; /map#slot=<id> jumps to a slot; a bay whose camera never reported is
not labelled with a camera and its slots read "not watched"; on a phone the map is folded by aisle.
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import BrokerHandle
from tests.dashboard.floor import (
    EMPTIED,
    LOW,
    PHONE,
    TABLET,
    UNWATCHED_BAY,
    sideways_overflow,
    sign_in,
    stock_the_shop,
    untranslated,
)
from tests.dashboard.support import ARTIFACTS, WORLD, DashboardHub, bay_counts
from tests.hub.support import Publisher, wait_for

#: bays whose cameras keep reporting during a burst (not the ones the other checks read)
BURST_BAYS = ["A1-B1", "A3-B1", "A3-B2", "A5-B1"]


@pytest.fixture(scope="module", autouse=True)
def stocked_shop(hub: DashboardHub, broker: BrokerHandle) -> Iterator[None]:
    publisher = Publisher(broker.host, broker.port, client_id="floor-map-stocker")
    try:
        stock_the_shop(hub, publisher)
        staff = hub.client()
        wait_for(lambda: staff.get(f"/api/inventory/{EMPTIED.gtin}").json()["backroom"]["units"] == 4,
                 what="the shop stocked")
        wait_for(lambda: any(a["slot"] == EMPTIED.slot_id for a in staff.get("/api/alerts?state=open").json()),
                 what="the empty slot's alert")
    finally:
        publisher.close()
    yield


class Burst:
    """Cameras reporting changed counts every ``every_s`` seconds, as on a busy afternoon, until stopped."""

    def __init__(self, hub: DashboardHub, broker: BrokerHandle, every_s: float = 0.2) -> None:
        self.hub, self.every_s, self.sent = hub, every_s, 0
        self.publisher = Publisher(broker.host, broker.port, client_id="floor-map-burst")
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        rng = random.Random(19)
        while not self.stop.wait(self.every_s):
            bay = rng.choice(BURST_BAYS)
            slots = WORLD.planogram.bays[bay].slots
            facings = {s.slot_id: rng.randint(1, s.capacity) for s in slots}
            self.publisher.send(bay_counts(self.hub.devices, bay, facings))
            self.sent += 1

    def __enter__(self) -> Burst:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(5)
        self.publisher.close()


@pytest.fixture
def tablet(browser, hub: DashboardHub, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from _tab(browser, hub, request, TABLET)


@pytest.fixture
def phone(browser, hub: DashboardHub, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from _tab(browser, hub, request, PHONE)


def _tab(browser, hub: DashboardHub, request: pytest.FixtureRequest, screen: dict[str, int]) -> Iterator[Page]:
    context = browser.new_context(viewport=screen, locale="fr-FR", base_url=hub.url)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    try:
        yield tab
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        try:
            tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        finally:
            context.close()
    assert not errors, f"script errors: {errors}"


def slot(page: Page, slot_id: str):
    return page.locator(f'#store-map [data-slot="{slot_id}"]')


# changes made inside the map while the mouse button is down, kept in the tab's sessionStorage so that the
# product page the tap opens can still tell (the test watches; the page does not know)
WATCH_PATCHES = """() => {
  window.__patches = 0;
  sessionStorage.setItem('patchedDuringTap', '0');
  new MutationObserver((records) => { window.__patches += records.length; })
    .observe(document.getElementById('store-map'),
             {subtree: true, childList: true, attributes: true, characterData: true});
  let down = 0;
  addEventListener('mousedown', () => { down = window.__patches; }, true);
  addEventListener('mouseup', () => sessionStorage.setItem('patchedDuringTap', String(window.__patches - down)), true);
}"""


def test_a_tap_held_150_ms_opens_its_product_every_time_while_events_stream(
    hub: DashboardHub, broker: BrokerHandle, tablet: Page
) -> None:
    page = tablet
    sign_in(page, "/map")
    targets = [s for bay in ("A2-B2", "A4-B1", "A6-B1", "A3-B3") for s in WORLD.planogram.bays[bay].slots[:2]]
    opened, changed_during_taps = 0, 0
    with Burst(hub, broker) as burst:
        for target in targets:
            cell = slot(page, target.slot_id)
            expect(cell).to_have_attribute("data-state", re.compile("ok|low|empty"))
            page.evaluate(WATCH_PATCHES)
            wait_for(lambda: page.evaluate("window.__patches") > 0, timeout=10, what="the map patched by the burst")
            box = cell.evaluate("e => { e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
                                " return {x: r.x + r.width / 2, y: r.y + r.height / 2}; }")
            page.mouse.move(box["x"], box["y"])
            page.mouse.down()
            page.wait_for_timeout(150)
            page.mouse.up()
            try:
                expect(page).to_have_url(re.compile(f"/products/{target.gtin}$"), timeout=3000)
                opened += 1
            except AssertionError:
                continue
            finally:
                changed_during_taps += int(page.evaluate("sessionStorage.getItem('patchedDuringTap')") or 0) > 0
            page.go_back()
            expect(page).to_have_url(re.compile("/map$"))
        sent = burst.sent
    assert opened == len(targets), f"{opened} of {len(targets)} taps opened their product"
    assert sent >= len(targets), f"only {sent} camera reports were sent during the taps"
    print(f"taps={len(targets)} opened={opened} map_patched_during_a_tap={changed_during_taps} reports={sent}")


def test_keyboard_focus_stays_on_its_slot_while_the_map_updates(
    hub: DashboardHub, broker: BrokerHandle, tablet: Page
) -> None:
    page = tablet
    sign_in(page, "/map")
    bay = WORLD.planogram.bays["A5-B1"]
    focused = bay.slots[2]
    slot(page, focused.slot_id).focus()
    publisher = Publisher(broker.host, broker.port, client_id="floor-map-focus")
    try:
        for units, state in ((0, "empty"), (1, "low"), (focused.capacity, "ok")):
            facings = {s.slot_id: s.capacity for s in bay.slots}
            facings[focused.slot_id] = units
            publisher.send(bay_counts(hub.devices, "A5-B1", facings))
            expect(slot(page, focused.slot_id)).to_have_attribute("data-state", state)
            assert page.evaluate("document.activeElement.dataset.slot") == focused.slot_id
    finally:
        publisher.close()
    page.keyboard.press("Tab")  # the focus moves on from where it was, not from the top of the page
    assert page.evaluate("document.activeElement.dataset.slot") == bay.slots[3].slot_id


def test_slots_show_place_and_count_and_link_to_what_to_do(hub: DashboardHub, tablet: Page) -> None:
    page = tablet
    staff = hub.client()
    alert = next(a for a in staff.get("/api/alerts?state=open").json() if a["slot"] == EMPTIED.slot_id)
    sign_in(page, "/map")
    # readable without hover: the slot's place on its shelf and its count, in the square itself
    low = slot(page, LOW.slot_id)
    expect(low).to_have_attribute("data-state", "low")
    expect(low).to_have_text(re.compile(rf"^{LOW.slot_id.rsplit('-', 1)[1]}\s*1/{LOW.capacity}$"))
    expect(slot(page, EMPTIED.slot_id)).to_have_text(re.compile(rf"0/{EMPTIED.capacity}$"))
    # bays name only cameras that exist; slots nobody watches say so, not "no data"
    expect(page.locator("#aisle-A1 .bay h3").first).to_contain_text("caméra cam-a1-b1")
    unwatched = WORLD.planogram.bays[UNWATCHED_BAY].slots[0]
    expect(slot(page, unwatched.slot_id)).to_have_attribute("aria-label", re.compile("Non surveillé"))
    expect(page.locator(f'.bay:has([data-slot="{unwatched.slot_id}"]) h3')).not_to_contain_text("cam")
    # what to do: the empty slot first, with the step, its product and its alert
    page.click("#view-todo")
    first = page.locator("#todo > li").first
    expect(first).to_have_attribute("data-todo-slot", EMPTIED.slot_id)
    expect(first).to_contain_text("Le remplir depuis la réserve")
    expect(first.locator("a.todo-alert")).to_have_attribute("href", f"/alerts#alert-{alert['id']}")
    expect(page.locator("#todo")).to_contain_text(LOW.slot_id)
    expect(page.locator("#store-map")).to_be_hidden()
    # from the list (as from an alert's link) to the slot on the map
    first.locator("a.todo-slot").click()
    expect(page).to_have_url(re.compile(rf"/map#slot={EMPTIED.slot_id}$"))
    expect(slot(page, EMPTIED.slot_id)).to_have_class(re.compile("highlight"))
    assert page.evaluate("document.activeElement.dataset.slot") == EMPTIED.slot_id
    assert not untranslated(page)


def test_an_alert_link_jumps_to_its_slot_and_search_folds_accents(hub: DashboardHub, phone: Page) -> None:
    page = phone
    target = WORLD.planogram.bays["A6-B1"].slots[3]
    sign_in(page, "/map")
    page.goto(f"/map#slot={target.slot_id}")
    cell = slot(page, target.slot_id)
    expect(cell).to_have_class(re.compile("highlight"))
    expect(cell).to_be_in_viewport()
    assert page.evaluate("document.activeElement.dataset.slot") == target.slot_id

    coffee = [p for p in WORLD.products if p.name.startswith("Café")]
    coffee_slots = {s.slot_id for s in WORLD.planogram.slots.values() if s.gtin in {p.gtin14 for p in coffee}}
    page.fill("#map-search", "cafe")
    found = page.locator("#map-found li a")
    expect(found).to_have_count(len(coffee_slots))
    expect(found.first).to_contain_text("Café")
    found.first.click()
    expect(page.locator("#store-map .slot.highlight")).to_have_count(1)
    assert page.locator("#store-map .slot.highlight").get_attribute("data-slot") in coffee_slots


def test_on_a_phone_the_map_folds_by_aisle_and_jumps_to_one(hub: DashboardHub, phone: Page) -> None:
    page = phone
    sign_in(page, "/map")
    expect(page.locator("#store-map details.aisle").first).to_be_attached()
    aisles = page.locator("#store-map details.aisle")
    assert aisles.count() >= 6
    assert page.evaluate("[...document.querySelectorAll('#store-map details.aisle')].every(d => !d.open)")
    height = page.evaluate("document.scrollingElement.scrollHeight")
    assert height < 2.5 * PHONE["height"], f"the folded map is {height / PHONE['height']:.1f} screens tall"
    assert page.locator("header.top").bounding_box()["height"] < 70  # the header folds behind its Menu button
    assert sideways_overflow(page) <= 0
    expect(page.locator("#aisle-A2 .aisle-problems")).to_contain_text("1 vide(s)")
    page.click('#aisle-jump a[data-aisle="A4"]')
    expect(page.locator("#aisle-A4")).to_have_attribute("open", "")
    expect(slot(page, LOW.slot_id)).to_be_in_viewport()
    assert sideways_overflow(page) <= 0
    # a tap on the phone opens the product too
    slot(page, LOW.slot_id).click()
    expect(page).to_have_url(re.compile(f"/products/{LOW.gtin}$"))
    assert sideways_overflow(page) <= 0


def test_the_map_in_english(hub: DashboardHub, tablet: Page) -> None:
    page = tablet
    sign_in(page, "/map")
    page.click("#lang-en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    unwatched = WORLD.planogram.bays[UNWATCHED_BAY].slots[0]
    expect(slot(page, unwatched.slot_id)).to_have_attribute("aria-label", re.compile("Not watched"))
    expect(page.locator("#aisle-A2 .aisle-problems")).to_contain_text("1 empty")
    page.click("#view-todo")
    expect(page.locator("#todo > li").first).to_contain_text("Refill it from the backroom")
    page.click("#lang-fr")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
