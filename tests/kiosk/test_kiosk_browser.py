"""The kiosk page in headless Chromium (Debian's /usr/bin/chromium driven by Playwright) against a running hub.

A missing browser fails these tests: the page is not tested without one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.hub.support import HubProcess

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "kiosk"
KIOSK_SCREEN = {"width": 1080, "height": 1280}


@pytest.fixture
def page(browser, kiosk_hub: HubProcess, request: pytest.FixtureRequest) -> Iterator[object]:
    context = browser.new_context(viewport=KIOSK_SCREEN, base_url=kiosk_hub.url, has_touch=True)
    outside: list[str] = []
    context.on("request", lambda r: outside.append(r.url) if not r.url.startswith(kiosk_hub.url) else None)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield tab
        assert not outside, f"the page reached outside the hub: {outside}"
        assert not errors, f"script errors: {errors}"
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        context.close()


def test_ai_notice_is_on_screen_before_the_first_message(page) -> None:
    page.goto("/kiosk")
    notice = page.locator("#ai-notice")
    notice.wait_for(state="visible")
    assert "intelligence artificielle" in notice.inner_text()
    assert page.locator("#conversation li").count() == 0
    box = page.locator("#send").bounding_box()
    assert box and box["height"] >= 48 and box["width"] >= 48  # large touch targets
    page.locator("#lang-en").click()
    assert "artificial intelligence" in notice.inner_text()
    assert page.locator("#privacy-link").get_attribute("href") == "/kiosk/privacy"


def test_a_question_gets_an_answer_with_a_product_card(page) -> None:
    page.goto("/kiosk")
    page.locator("body[data-ready='true']").wait_for()
    page.locator("#question").fill("où est l'huile d'olive ?")
    page.locator("#send").click()
    card = page.locator(".msg.assistant .card").first
    card.wait_for(state="visible")
    text = card.inner_text()
    assert "Huile d'olive" in text and "Rayon A3" in text and "€" in text
    assert "en rayon" in text or "Pas de comptage" in text
    counted = text.split("compté à ")[1][:5].strip(")")  # the card says the time as the answer does (shop's zone)
    assert f"compté à {counted}" in page.locator(".msg.assistant .text").first.inner_text()
    page.locator(".msg.assistant .card .pair").first.click()
    page.locator(".msg.assistant").nth(1).wait_for()


def test_markup_typed_by_a_customer_is_shown_as_text(page) -> None:
    page.goto("/kiosk")
    page.locator("body[data-ready='true']").wait_for()
    page.locator("#question").fill('<img src=x onerror="document.body.dataset.owned=1">')
    page.locator("#send").click()
    page.locator(".msg.assistant").first.wait_for()
    assert page.locator(".msg.customer").inner_text().startswith("<img")
    assert page.locator("#conversation img").count() == 0
    assert page.evaluate("document.body.dataset.owned") is None


def test_inactivity_clears_the_screen(page) -> None:
    page.goto("/kiosk?idle=4")
    page.locator("body[data-ready='true']").wait_for()
    page.locator("#lang-en").click()
    page.locator("#question").fill("what are your opening hours?")
    page.locator("#send").click()
    page.locator(".msg.assistant").first.wait_for()
    assert page.locator("#conversation li").count() == 2
    expect(page.locator("#conversation li")).to_have_count(0, timeout=10_000)  # wiped after 4 s without a touch
    assert page.locator("#lang-fr").get_attribute("aria-pressed") == "true"  # back to the shop's language
    assert page.locator("#ai-notice").is_visible()
