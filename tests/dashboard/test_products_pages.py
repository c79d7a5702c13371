"""Product search, list and page (issue 19), against a real hub process and mosquitto, in headless Chromium.

"cafe" finds the café products (the hub folds accents and case, and so does the map's search in the browser);
the list sorts, pages and says how many match in all; every row and the product page show the price as the
reader's language writes it; the product page fits a phone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from hub.folding import fold
from tests.conftest import BrokerHandle
from tests.dashboard.floor import EMPTIED, PHONE, TABLET, sideways_overflow, sign_in, stock_the_shop, untranslated
from tests.dashboard.support import ARTIFACTS, WORLD, DashboardHub
from tests.hub.support import Publisher, wait_for

COFFEE = sorted(p.name for p in WORLD.products if "cafe" in fold(p.name) or "cafe" in fold(p.brand)
                or "cafe" in fold(p.category))
EURO_FR = re.compile(r"^\d+,\d\d\s€$")


@pytest.fixture(scope="module", autouse=True)
def stocked_shop(hub: DashboardHub, broker: BrokerHandle) -> Iterator[None]:
    publisher = Publisher(broker.host, broker.port, client_id="products-stocker")
    try:
        stock_the_shop(hub, publisher)
        staff = hub.client()
        wait_for(lambda: staff.get(f"/api/inventory/{EMPTIED.gtin}").json()["backroom"]["units"] == 4,
                 what="the shop stocked")
    finally:
        publisher.close()
    yield


def _tab(browser, hub: DashboardHub, request: pytest.FixtureRequest, screen: dict[str, int]) -> Iterator[Page]:
    context = browser.new_context(viewport=screen, locale="fr-FR", base_url=hub.url)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    try:
        yield tab
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        try:
            tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        finally:
            context.close()


@pytest.fixture
def tablet(browser, hub: DashboardHub, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from _tab(browser, hub, request, TABLET)


@pytest.fixture
def phone(browser, hub: DashboardHub, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from _tab(browser, hub, request, PHONE)


def test_the_hub_search_folds_accents_and_case(hub: DashboardHub) -> None:
    assert len(COFFEE) >= 2 and all("Café" in name or "café" in name.lower() for name in COFFEE)
    staff = hub.client()
    for said in ("cafe", "CAFE", "Café", "CAFÉ"):
        listing = staff.get("/api/dashboard/products", params={"q": said}).json()
        assert sorted(p["name"] for p in listing["items"]) == COFFEE, said
        assert listing["total"] == len(COFFEE)
        assert sorted(p["name"] for p in staff.get("/api/inventory", params={"q": said}).json()) == COFFEE, said
        assert sorted(p["name"] for p in staff.get("/api/products", params={"q": said}).json()) == COFFEE, said


def test_the_list_pages_sorts_and_shows_prices(hub: DashboardHub, tablet: Page) -> None:
    page = tablet
    total = len(WORLD.products)
    sign_in(page, "/products")
    expect(page.locator("#product-total")).to_have_text(f"Produits 1 à 50 sur {total}")
    expect(page.locator("#product-rows tr")).to_have_count(50)
    expect(page.locator("#product-rows tr").first.locator(".price")).to_have_text(EURO_FR)
    page.click("#page-next")
    expect(page.locator("#product-total")).to_have_text(f"Produits 51 à 100 sur {total}")
    expect(page).to_have_url(re.compile(r"offset=50"))
    # the last page says where it ends, and the address keeps the page
    last = (total - 1) // 50 * 50
    page.goto(f"/products?offset={last}")
    expect(page.locator("#product-total")).to_have_text(f"Produits {last + 1} à {total} sur {total}")
    expect(page.locator("#page-next")).to_be_disabled()

    page.select_option("#sort", "-price")
    expect(page.locator("#product-total")).to_have_text(f"Produits 1 à 50 sur {total}")
    prices = [float(text.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace("€", "").replace(",", "."))
              for text in page.locator("#product-rows .price").all_inner_texts()]
    assert prices == sorted(prices, reverse=True) and prices[0] == float(max(p.price_eur for p in WORLD.products))

    page.fill("#q", "cafe")
    expect(page.locator("#product-rows tr")).to_have_count(len(COFFEE))
    expect(page.locator("#product-total")).to_have_text(f"Produits 1 à {len(COFFEE)} sur {len(COFFEE)}")
    for row in page.locator("#product-rows th").all_inner_texts():
        assert "Café" in row
    assert not untranslated(page)

    page.click("#lang-en")
    expect(page.locator("#product-total")).to_have_text(f"Products 1 to {len(COFFEE)} of {len(COFFEE)}")
    expect(page.locator("#product-rows .price").first).to_have_text(re.compile(r"^€\d+\.\d\d$"))


def test_the_product_page_shows_its_price_and_fits_a_phone(hub: DashboardHub, phone: Page) -> None:
    page = phone
    product = next(p for p in WORLD.products if p.gtin14 == EMPTIED.gtin)
    sign_in(page, f"/products/{EMPTIED.gtin}")
    expect(page.locator("h1")).to_have_text(product.name)
    expect(page.locator("#price")).to_have_text(EURO_FR)
    assert page.locator("#price").inner_text().startswith(f"{product.price_eur:.2f}".replace(".", ","))
    expect(page.locator("#chart canvas")).to_have_count(1)
    expect(page.locator('#figure-rows [data-place="backroom"] td').first).to_have_text("4")
    assert sideways_overflow(page) <= 0, "the product page scrolls sideways on a phone"
    canvas = page.locator("#chart canvas").bounding_box()
    assert canvas is not None and canvas["x"] + canvas["width"] <= PHONE["width"]
    # the chart's time axis and legend speak French
    legend = page.locator("#chart .u-legend").inner_text()
    assert "Date et heure" in legend and "Unités vendues" in legend, legend
    assert not re.search(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b", page.locator("#chart").inner_text())
    assert not untranslated(page)
    # from the product to its slot on the map
    page.locator("#slot-list a.slot-link").first.click()
    expect(page).to_have_url(re.compile(rf"/map#slot={EMPTIED.slot_id}$"))
    expect(page.locator(f'#store-map [data-slot="{EMPTIED.slot_id}"]')).to_have_class(re.compile("highlight"))
    assert sideways_overflow(page) <= 0
