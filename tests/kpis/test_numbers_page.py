"""The /numbers page in headless Chromium against a real hub process, in French and in English: the cards show
the same waste value and revenue as /api/kpis, and the period picker changes them. Screenshots of the page go
to docs/img/ (docs/kpis.md shows them)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from hub.auth import create_user
from tests.conftest import BrokerHandle
from tests.hub.support import HubProcess
from tests.kpis.shop import FIRST, LAST, build

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
TABLET = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def hub(broker: BrokerHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    process = HubProcess(Path(tmp_path_factory.mktemp("hub")), broker.url)
    process.write_config()
    db = build(process.db_path)  # the hand-built week of tests/kpis/shop.py
    create_user(db, "marie", "croissant-42", "staff", 0.0)
    db.conn.close()
    process.start()
    try:
        yield process
    finally:
        process.stop()


def _sign_in(page: Page) -> None:
    page.goto("/numbers")
    page.fill("#username", "marie")
    page.fill("#password", "croissant-42")
    page.click("#signin button[type=submit]")
    expect(page.locator("#figures .figure").first).to_be_visible()


def _card(page: Page, key: str) -> str:
    return page.locator(f'.figure[data-key="{key}"] .value').inner_text()


def _api(page: Page, first: str, last: str, lang: str) -> dict[str, str]:
    answer = page.request.get(f"/api/kpis?first={first}&last={last}", headers={"Accept-Language": lang})
    assert answer.ok, answer.text()
    return {f["key"]: f["display"] for f in answer.json()["figures"]}


def _expect_same(page: Page, first: str, last: str, lang: str) -> dict[str, str]:
    said = _api(page, first, last, lang)
    for key in ("revenue", "waste_value"):
        expect(page.locator(f'.figure[data-key="{key}"] .value')).to_have_text(said[key])
    return said


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_numbers_page_shows_the_apis_figures_and_follows_the_period(browser, hub: HubProcess,
                                                                        lang: str) -> None:
    context = browser.new_context(viewport=TABLET, locale="fr-FR" if lang == "fr" else "en-GB", base_url=hub.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        _sign_in(page)
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.locator("#nav-numbers")).to_have_attribute("aria-current", "page")
        today = date.fromisoformat(page.locator("#period-form").get_attribute("data-today") or "")
        monday = today - timedelta(days=today.weekday())
        this_week = _expect_same(page, monday.isoformat(), (monday + timedelta(days=6)).isoformat(), lang)
        # the hand-built week, as a custom period
        page.select_option("#period-kind", "custom")
        page.fill("#period-first", FIRST)
        page.fill("#period-last", LAST)
        page.click("#period-show")
        week48 = _expect_same(page, FIRST, LAST, lang)
        assert week48["revenue"] == ("23,00\xa0€" if lang == "fr" else "€23.00")
        assert week48["waste_value"] == ("5,40\xa0€" if lang == "fr" else "€5.40")
        assert week48["revenue"] != this_week["revenue"]
        expect(page.locator('#category-rows tr[data-category="dairy"] td').first).to_have_text(
            "1,2" if lang == "fr" else "1.2")
        expect(page.locator("#download-pdf")).to_have_attribute("href", "/api/kpis/report.pdf?week=2026-W48")
        expect(page.locator("#sales-chart canvas")).to_be_visible()
        # how a figure is computed, in the page's language
        page.locator('.figure[data-key="waste_rate"] summary').click()
        how = page.locator('.figure[data-key="waste_rate"] details p').first
        expect(how).to_contain_text("Valeur perdue ÷" if lang == "fr" else "Waste value ÷")
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS_IMG / f"numbers-{lang}.png"), full_page=True)
        # last week, from the picker
        page.select_option("#period-kind", "last_week")
        _expect_same(page, (monday - timedelta(days=7)).isoformat(), (monday - timedelta(days=1)).isoformat(), lang)
        # the same page on a phone: nothing scrolls sideways
        page.set_viewport_size(PHONE)
        page.select_option("#period-kind", "custom")
        page.click("#period-show")
        _expect_same(page, FIRST, LAST, lang)
        wide = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert wide <= 0, f"the phone page scrolls {wide}px sideways"
        if lang == "fr":
            page.screenshot(path=str(DOCS_IMG / "numbers-phone-fr.png"), full_page=True)
    finally:
        context.close()
    assert not errors, errors
