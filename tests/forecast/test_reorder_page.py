"""The reorder page in headless Chromium: reached from the dashboard's navigation, in French and in English.

A real hub process and mosquitto; the suggestions come from 150 days of till
sales and stock counted by RFID, as in the shop.
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

from comptoir.contract import ZoneEvent, gtin14
from tests.conftest import BrokerHandle
from tests.dashboard.support import ARTIFACTS, PASSWORD, TABLET, USER
from tests.hub.support import FLOUR, NUTELLA, OIL, Devices, HubProcess, Publisher, epc, json_of, wait_for

DAY = 86400
dev = Devices()


def _sales(db: Path) -> None:
    now = time.time()
    rows = []
    for day in range(1, 151):
        t = now - day * DAY
        rows += [(t, gtin14(NUTELLA), 3), (t, gtin14(OIL), 1)] + ([(t, gtin14(FLOUR), 2)] if day % 4 == 0 else [])
    with sqlite3.connect(db) as conn:
        conn.executemany("INSERT INTO sales (lane, receipt_id, time, gtin, quantity, unit_price_cents, tagged) "
                         "VALUES ('lane-1', 'r' || ?1, ?1, ?2, ?3, 100, 0)", rows)


@pytest.fixture(scope="module")
def hub(broker: BrokerHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    process = HubProcess(Path(tmp_path_factory.mktemp("hub")), broker.url)
    process.prepare({USER: PASSWORD})
    _sales(process.db_path)
    process.start()
    publisher = Publisher(broker.host, broker.port, client_id="reorder-page-stock")
    try:
        # 2 jars of Nutella and 40 bottles of oil in the backroom: Nutella needs ordering, oil does not
        publisher.send(*[dev.make(ZoneEvent, "reader-1", event="arrived", epc=epc(300 + i), gtin=gtin,
                                  location="backroom", scheme="sgtin-96")
                         for i, gtin in enumerate([NUTELLA] * 2 + [OIL] * 40)])
        staff = process.client(USER, PASSWORD)
        wait_for(lambda: json_of(staff.get(f"/api/inventory/{OIL}"))["on_hand"] == 40, what="stock counted")
        yield process
    finally:
        publisher.close()
        process.stop()


@pytest.fixture
def page(browser, hub: HubProcess, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport=TABLET, locale="fr-FR", base_url=hub.url)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    try:
        yield tab
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        try:
            tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        finally:
            context.close()


def sign_in_at(page: Page, path: str) -> None:
    """Open ``path`` signed out: the sign-in page, then back to ``path``."""
    page.goto(path)
    expect(page).to_have_url(re.compile(r"/signin\?next="))
    page.fill("#username", USER)
    page.fill("#password", PASSWORD)
    page.click("#signin button[type=submit]")
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))


def test_the_reorder_page_is_in_the_navigation_and_speaks_french_then_english(hub: HubProcess, page: Page) -> None:
    sign_in_at(page, "/map")

    expect(page.locator("#nav-reorder")).to_have_text("Commandes")
    page.click("#nav-reorder")
    expect(page).to_have_url(re.compile(r"/reorder$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("#nav-reorder")).to_have_attribute("aria-current", "page")
    expect(page.locator("h1")).to_have_text("Suggestions de commande")
    expect(page.locator("#suggestions")).to_contain_text("Rien à décider.")  # no run yet

    page.click("#reorder-run")  # the forecast runs on the hub; the page comes back with its suggestions
    nutella = page.locator(f'#suggestions tr[data-gtin="{gtin14(NUTELLA)}"]')
    expect(nutella).to_be_visible(timeout=120_000)
    expect(nutella.locator(".reason")).to_contain_text("se vend environ 3 par jour, délai de 3 jours ouvrés")
    expect(nutella.locator(".reason")).to_contain_text("2 en stock")
    expect(nutella.locator(".reason")).to_contain_text("commander")
    expect(nutella.get_by_role("button", name="Valider")).to_be_visible()
    # reading order: the quantity in its column, then the decision buttons in theirs (issue 19)
    headers = page.locator("#suggestions thead th").all_inner_texts()
    cells = nutella.locator(":scope > th, :scope > td")
    quantity_cell = cells.nth(headers.index("Quantité"))
    expect(quantity_cell.locator("input[name=quantity]")).to_have_count(1)
    expect(quantity_cell.locator("button")).to_have_count(0)
    expect(cells.nth(headers.index("Décision")).get_by_role("button", name="Valider")).to_be_visible()
    expect(page.locator(f'#suggestions tr[data-gtin="{gtin14(OIL)}"]')).to_have_count(0)
    expect(page.locator("#reorder-last-run")).to_contain_text("Dernier calcul")

    page.click("#lang-en")
    expect(page).to_have_url(re.compile(r"/reorder$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Reorder suggestions")
    expect(page.locator("#nav-reorder")).to_have_text("Reorder")
    expect(nutella.locator(".reason")).to_contain_text(
        re.compile(r"^sells about 3 a day, 3 working days lead time( \(delivery \w+day\))?, 2 in stock: order \d+"))

    # approve it with the pack size's step, then turn it into a purchase order
    quantity = int(nutella.locator("input[name=quantity]").input_value())
    nutella.get_by_role("button", name="Approve").click()
    expect(page.locator("#reorder-approved")).to_have_text("Approved, not ordered yet: 1")
    page.click("#reorder-make-orders")
    expect(page.locator("#purchase-orders")).to_contain_text(f"Ferrero France: Pâte à tartiner 400 g × {quantity}")
    page.click("#lang-fr")
    expect(page.locator("#purchase-orders")).to_contain_text("Ferrero France")
    expect(page.locator("#purchase-orders a")).to_have_text("CSV")


def test_staff_plan_a_promotion_on_the_page_and_remove_it(hub: HubProcess, page: Page) -> None:
    sign_in_at(page, "/reorder")
    expect(page.locator("#promotions")).to_have_text("Promotions")
    expect(page.locator("#promotion-list")).to_contain_text("Aucune promotion prévue.")

    first = date.today() + timedelta(days=5)
    form = page.locator("#promotion-add")
    form.get_by_label("Produit (tapez son nom, ou scannez son code-barres)").fill(OIL)  # a barcode scanner types it
    form.get_by_label("Premier jour").fill(first.isoformat())
    form.get_by_label("Dernier jour").fill((first + timedelta(days=6)).isoformat())
    form.get_by_label("Note").fill("-20 % sur l'huile")
    form.get_by_role("button", name="Ajouter la promotion").click()
    row = page.locator(f'#promotion-list tr[data-gtin="{gtin14(OIL)}"]')
    expect(row).to_contain_text(f"du {first} au {first + timedelta(days=6)}")
    expect(row).to_contain_text("-20 % sur l'huile")
    expect(row).to_contain_text("Huile")  # the product's name, not only its code

    row.get_by_role("button", name="Retirer").click()
    expect(page.locator("#promotion-list")).to_contain_text("Aucune promotion prévue.")
