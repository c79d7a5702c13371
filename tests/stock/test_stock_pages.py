"""The stock page on a tablet (1024x768) in headless Chromium, against a real hub process and mosquitto.

Staff receive a delivery with a barcode scanner (a keyboard: the code typed,
then Enter) and by count, count a shelf and accept its variance, adjust with
a reason and find it in the audit log, in French and in English.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from comptoir.contract import gtin14
from tests.conftest import BrokerHandle
from tests.hub.support import FLOUR, NUTELLA, HubProcess

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "stock"
TABLET = {"width": 1024, "height": 768}
NUTELLA_SLOT = "A2-B1-S3-04"


@pytest.fixture(scope="module")
def hub(broker: BrokerHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    process = HubProcess(Path(tmp_path_factory.mktemp("hub")), broker.url)
    process.prepare()  # marie, a manager
    process.start()
    try:
        yield process
    finally:
        process.stop()


def open_order(hub: HubProcess, lines: dict[str, int]) -> int:
    """An open purchase order, as the reorder page makes them (written to the hub's database)."""
    with sqlite3.connect(hub.db_path, timeout=10) as conn:
        po = conn.execute("INSERT INTO purchase_orders (supplier, state, created, created_by) "
                          "VALUES ('Francine', 'open', ?, 'marie')", (time.time() - 60,)).lastrowid
        conn.executemany("INSERT INTO purchase_order_lines (po_id, gtin, quantity) VALUES (?, ?, ?)",
                         [(po, gtin14(g), n) for g, n in lines.items()])
    return int(po or 0)


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


def sign_in(page: Page, path: str) -> None:
    page.goto(path)
    page.fill("#username", "marie")
    page.fill("#password", "croissant-42")
    page.click("#signin button[type=submit]")
    expect(page.locator("#sign-out")).to_be_visible()


def test_receive_count_adjust_and_audit_on_a_tablet(hub: HubProcess, page: Page) -> None:
    po = open_order(hub, {FLOUR: 10, NUTELLA: 5})
    sign_in(page, "/stock#receive")
    expect(page.locator("#po-select")).to_have_value(str(po))
    # the scanner types the code and Enter, three times; Nutella is counted by hand
    for code in (FLOUR, FLOUR, f"]E0{FLOUR}"):
        page.locator("#scan-input").press_sequentially(code)
        page.locator("#scan-input").press("Enter")
    expect(page.locator("#scan-count")).to_have_text("Scannés : 3")
    page.locator(f'#receive-rows input[data-gtin="{gtin14(NUTELLA)}"]').fill("6")
    page.click("#record-delivery")
    flour = page.locator(f'#receive-rows tr[data-gtin="{gtin14(FLOUR)}"]')
    nutella = page.locator(f'#receive-rows tr[data-gtin="{gtin14(NUTELLA)}"]')
    expect(flour.locator(".status")).to_have_text("manquant")
    expect(flour.locator(".received")).to_have_text("3")
    expect(nutella.locator(".status")).to_have_text("en trop")
    page.screenshot(path=str(ARTIFACTS / "ops-receiving.png"), full_page=True)

    # garbage from the scanner: refused, naming the field, nothing recorded
    page.locator("#scan-input").press_sequentially("37600@@!")
    page.locator("#scan-input").press("Enter")
    page.click("#record-delivery")
    expect(page.locator("#stock-message")).to_contain_text("scans[0]")
    expect(flour.locator(".received")).to_have_text("3")

    # count the Nutella shelf: 6 expected (the delivery), 4 found
    page.click("#tab-count")
    page.select_option("#count-scope", "shelf")
    page.fill("#count-value", NUTELLA_SLOT)
    page.click("#open-count")
    row = page.locator(f'#count-rows tr[data-gtin="{gtin14(NUTELLA)}"]')
    expect(row.locator("td").nth(0)).to_have_text("6")
    row.locator("input").fill("4")
    page.click("#save-counts")
    expect(row.locator(".variance")).to_have_text("-2")
    expect(page.locator("#count-total-value")).to_contain_text("7,78")
    page.screenshot(path=str(ARTIFACTS / "ops-count.png"), full_page=True)
    page.click("#accept-count")
    expect(page.locator("#count-title")).to_contain_text("validé")

    # a jar of Nutella broken: the figure says it is a book figure, since today's count
    page.click("#tab-adjust")
    page.fill("#adjust-gtin", NUTELLA)
    page.locator("#adjust-gtin").dispatch_event("change")
    expect(page.locator("#adjust-figure")).to_contain_text("Actuellement : 4 (stock théorique depuis le comptage du")
    page.select_option("#adjust-reason", "damage")
    page.fill("#adjust-quantity", "1")
    page.fill("#adjust-note", "pot cassé")
    page.click("#apply-adjustment")
    expect(page.locator("#adjust-figure")).to_contain_text("Actuellement : 3")
    page.screenshot(path=str(ARTIFACTS / "ops-adjust.png"), full_page=True)

    # the audit log in English: searched by reason, exported as CSV with the same search
    page.goto("/lang/en?next=/stock%23audit")
    page.goto("/stock#audit")
    expect(page.locator("#audit-rows tr")).to_have_count(4)  # flour and Nutella received, the count, the damage
    page.select_option("#audit-reason", "damage")
    page.click("#audit-search")
    expect(page.locator("#audit-rows tr")).to_have_count(1)
    expect(page.locator("#audit-rows tr td").nth(3)).to_have_text("damage")
    expect(page.locator("#audit-rows tr td").nth(6)).to_have_text("pot cassé")
    assert re.search(r"reason=damage", page.locator("#audit-csv").get_attribute("href") or "")
    page.screenshot(path=str(ARTIFACTS / "ops-audit.png"), full_page=True)
    csv_text = page.request.get(page.locator("#audit-csv").get_attribute("href") or "").text()
    assert csv_text.splitlines()[1].split(",")[6:10] == ["damage", "4", "3", "-1"]
