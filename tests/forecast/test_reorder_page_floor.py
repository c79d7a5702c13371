"""The reorder page as issue 19 found it, in headless Chromium against a real hub process: its title is text,
it says why it has nothing to decide yet (forecasts need past days of till sales, and how many the hub has), a
promotion's product is picked by name (a GTIN from a scanner still works), and it fits a phone.

Ten days of till sales: fewer than the forecasts need to choose a method, so no forecast is run here.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from comptoir.contract import gtin14
from hub.config import ReorderPolicy
from hub.forecast.backtest import MIN_TRAIN_DAYS
from tests.conftest import BrokerHandle
from tests.dashboard.floor import PHONE, TABLET, sideways_overflow, untranslated
from tests.dashboard.support import ARTIFACTS, PASSWORD, USER
from tests.hub.support import FLOUR, NUTELLA, OIL, HubProcess

DAY = 86400
SALES_DAYS = 10
NEEDED = ReorderPolicy().horizon_days * ReorderPolicy().backtest_windows + MIN_TRAIN_DAYS


@pytest.fixture(scope="module")
def hub(broker: BrokerHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    process = HubProcess(Path(tmp_path_factory.mktemp("hub")), broker.url)
    process.prepare({USER: PASSWORD})
    now = time.time()
    with sqlite3.connect(process.db_path) as conn:
        conn.executemany("INSERT INTO sales (lane, receipt_id, time, gtin, quantity, unit_price_cents, tagged) "
                         "VALUES ('lane-1', 'r' || ?1, ?1, ?2, 2, 100, 0)",
                         [(now - day * DAY, gtin14(NUTELLA)) for day in range(1, SALES_DAYS + 1)])
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def page(browser, hub: HubProcess, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport=TABLET, locale="fr-FR", base_url=hub.url)
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


def sign_in(page: Page, path: str = "/reorder") -> None:
    page.goto("/signin?next=" + path)
    page.fill("#username", USER)
    page.fill("#password", PASSWORD)
    page.click("#signin button[type=submit]")
    expect(page).to_have_url(re.compile(r"^[^?]*" + re.escape(path) + "$"))
    expect(page.locator("#sign-out")).to_be_attached()


def test_the_title_is_text_and_the_page_says_why_it_has_nothing_yet(hub: HubProcess, page: Page) -> None:
    sign_in(page)
    assert page.title() == "Suggestions de commande · Comptoir"
    empty = page.locator("#reorder-empty")
    expect(empty).to_contain_text("Rien à décider.")
    expect(empty).to_contain_text(f"ont besoin de {NEEDED} jours de ventes en caisse")
    expect(empty).to_contain_text(f"le serveur en a {SALES_DAYS}")
    assert not untranslated(page)
    page.click("#lang-en")
    assert page.title() == "Reorder suggestions · Comptoir"
    expect(page.locator("#reorder-empty")).to_contain_text(
        f"Forecasts need {NEEDED} past days of till sales to choose their method for each product, "
        f"and the hub has {SALES_DAYS}")


def test_a_promotion_is_picked_by_name_or_scanned(hub: HubProcess, page: Page) -> None:
    sign_in(page)
    first = date.today() + timedelta(days=5)
    form = page.locator("#promotion-add")
    product = form.get_by_label("Produit (tapez son nom, ou scannez son code-barres)")
    # the list offers the catalog by name
    names = page.locator("#catalog-names option").evaluate_all("options => options.map(o => o.value)")
    assert f"Huile d'olive vierge extra 1 L · {gtin14(OIL)}" in names

    def add(said: str, note: str) -> None:
        product.fill(said)
        form.get_by_label("Premier jour").fill(first.isoformat())
        form.get_by_label("Dernier jour").fill((first + timedelta(days=6)).isoformat())
        form.get_by_label("Note").fill(note)
        form.get_by_role("button", name="Ajouter la promotion").click()

    add(f"Huile d'olive vierge extra 1 L · {gtin14(OIL)}", "picked from the list")
    expect(page.locator(f'#promotion-list tr[data-gtin="{gtin14(OIL)}"]')).to_contain_text("Huile d'olive")
    add("pate a tartiner 400 g", "typed, without accents")
    expect(page.locator(f'#promotion-list tr[data-gtin="{gtin14(NUTELLA)}"]')).to_contain_text("Pâte à tartiner")
    add(FLOUR, "scanned")
    expect(page.locator(f'#promotion-list tr[data-gtin="{gtin14(FLOUR)}"]')).to_contain_text("Farine")

    # a name that matches nothing is refused, saying so; nothing is added
    staff = hub.client(USER, PASSWORD)
    answer = staff.post("/reorder/promotions", data={"product": "caviar", "first_day": first.isoformat(),
                                                      "last_day": first.isoformat()},
                        headers={"Origin": hub.url}, follow_redirects=False)
    assert answer.status_code == 422 and "no product is named 'caviar'" in answer.text
    assert page.locator("#promotion-list tr[data-gtin]").count() == 3


def test_the_reorder_page_fits_a_phone(hub: HubProcess, page: Page) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page)
    expect(page.locator("#reorder-empty")).to_be_visible()
    assert sideways_overflow(page) <= 0
    box = page.locator("#reorder-empty").bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"], "the explanation is cut off"
