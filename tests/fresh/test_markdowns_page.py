"""The markdowns page in headless Chromium against a real hub process, in French and in English: a suggestion shows
with its why sentence, staff (not a manager) approve it and open its label sheet with the new price; another is
rejected."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import BrokerHandle
from tests.dashboard.floor import sideways_overflow
from tests.fresh.markdown_support import CREAM, YOGHURT
from tests.hub.support import HubProcess

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "fresh"
TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(scope="module")
def hub(broker: BrokerHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    process = HubProcess(Path(tmp_path_factory.mktemp("hub")), broker.url)
    process.prepare(role="staff")  # marie, staff: approving a markdown needs no manager
    with sqlite3.connect(process.db_path) as conn:
        conn.execute("INSERT INTO products (gtin, name, brand, category, price_cents, unit_weight_g, aisle, shelf, "
                     "pack_size, supplier, lead_time_days, date_kind, cost_cents) VALUES "
                     f"('{YOGHURT}', 'Yaourt nature x4', 'Ferme', 'dairy', 300, 500, 'F1', 'S1', 1, 'Ferme', 1, "
                     f"'use_by', 150), ('{CREAM}', 'Crème fraîche 20 cl', 'Ferme', 'dairy', 200, 200, 'F1', 'S2', 1, "
                     "'Ferme', 1, 'best_before', 100)")
        conn.execute("INSERT INTO forecast_runs (id, started, seconds, series, horizon) VALUES (1, 0, 1, 2, 14)")
        conn.executemany("INSERT INTO forecasts (gtin, run_id, demand_class, mean_daily, protection_days, "
                         "demand_quantile, service_level, note) VALUES (?, 1, 'smooth', ?, 7, 0, 0.95, '')",
                         [(YOGHURT, 3.0), (CREAM, 1.0)])
    process.start()
    try:
        yield process
    finally:
        process.stop()


def fresh_lots(hub: HubProcess, tag: str) -> None:
    """Close what an earlier run left, then 30 yoghurts for tomorrow and 10 creams for the day after."""
    today = datetime.now(PARIS).date()
    with sqlite3.connect(hub.db_path, timeout=10) as conn:
        conn.execute("UPDATE lots SET units = 0, closed = ? WHERE closed IS NULL", (time.time(),))
        conn.executemany("INSERT INTO lots (gtin, lot, expiry, date_kind, received, received_units, units) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)",
                         [(YOGHURT, f"Y-{tag}", (today + timedelta(days=1)).isoformat(), "use_by", time.time(), 30,
                           30),
                          (CREAM, f"C-{tag}", (today + timedelta(days=2)).isoformat(), "best_before", time.time(),
                           10, 10)])


WORDS = {
    "fr": {"locale": "fr-FR", "why": "30 restants, environ", "by": "approuvé par marie", "none": "Aucune suggestion",
           "recovered": "récupérés grâce aux prix réduits", "sheet": "Imprimer les étiquettes"},
    "en": {"locale": "en-GB", "why": "30 left, about", "by": "approved by marie", "none": "No suggestion",
           "recovered": "recovered by approved markdowns", "sheet": "Print the labels"},
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_approve_a_suggestion_print_its_labels_and_reject_another(browser, hub: HubProcess, lang: str) -> None:
    words = WORDS[lang]
    fresh_lots(hub, lang)
    context = browser.new_context(viewport=TABLET, locale=words["locale"], base_url=hub.url)
    page: Page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto("/markdowns")
        page.fill("#username", "marie")
        page.fill("#password", "croissant-42")
        page.click("#signin button[type=submit]")
        expect(page.locator("#nav-markdowns")).to_have_attribute("aria-current", "page")
        page.click("#md-review")
        expect(page.locator("#md-status")).not_to_be_empty()  # the lists are drawn again once it is said
        yoghurt = page.locator(f"#md-suggested article[data-lot='Y-{lang}']")
        expect(yoghurt.locator(".md-why")).to_contain_text(words["why"])
        expect(yoghurt.locator(".md-why")).to_contain_text("%")
        new_price = yoghurt.locator(".md-price").inner_text()
        cream = page.locator(f"#md-suggested article[data-lot='C-{lang}']")
        expect(cream).to_be_visible()

        yoghurt.locator(".md-approve").click()
        approved = page.locator(f"#md-approved article[data-lot='Y-{lang}']")
        expect(approved).to_contain_text(words["by"])
        expect(page.locator("#md-total")).to_contain_text(words["recovered"])
        expect(page.locator("#md-sheet")).to_contain_text(words["sheet"])
        with context.expect_page() as opened:
            page.click("#md-sheet")
        sheet = opened.value
        sheet.wait_for_load_state()
        label = sheet.locator(".md-label").first
        # the label's price is the card's (Babel on the hub, Intl in the page: the same figures and sign)
        digits = "".join(c for c in new_price if c.isdigit())
        assert "".join(c for c in label.locator(".md-now").inner_text() if c.isdigit()) == digits
        expect(label.locator(".md-was")).to_contain_text("3")
        expect(label.locator(".md-code")).to_be_visible()
        expect(label.locator(".md-data")).to_contain_text(f"(01){YOGHURT}(17)")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        label.screenshot(path=str(ARTIFACTS / f"markdown-labels-{lang}.png"))
        sheet.close()

        cream.locator(".md-reject").click()
        expect(page.locator("#md-suggested")).to_contain_text(words["none"])
        expect(page.locator(f"#md-approved article[data-lot='C-{lang}']")).to_have_count(0)
        page.screenshot(path=str(ARTIFACTS / f"markdowns-{lang}.png"), full_page=True)
        page.set_viewport_size(PHONE)  # the approved cards stack on a phone: nothing scrolls sideways
        assert sideways_overflow(page) <= 0
    finally:
        context.close()
    assert not errors, errors
