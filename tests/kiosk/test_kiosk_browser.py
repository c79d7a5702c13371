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
    # the card says place, price, count and time; the text above it does not say them again
    said = page.locator(".msg.assistant .text").first.inner_text()
    assert "compté à" not in said and "Rayon A3" not in said
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


PORTRAIT = {"width": 800, "height": 1280}


def _on_screen(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return bool(box) and box["y"] >= 0 and box["y"] + box["height"] <= PORTRAIT["height"] and page.locator(
        selector).is_visible()


def _ask(page, text: str, answers: int) -> object:
    page.locator("#question").fill(text)
    page.locator("#send").click()
    expect(page.locator(".msg.assistant:not(.thinking)")).to_have_count(answers)
    return page.locator(".msg.assistant:not(.thinking)").nth(answers - 1)


def test_portrait_kiosk_kinds_properties_disclosure_and_the_box_stays_on_screen(
        browser, kiosk_hub: HubProcess) -> None:
    """On an 800x1280 portrait kiosk: a kind, a property, the disclosure; box and call button stay on screen."""
    context = browser.new_context(viewport=PORTRAIT, base_url=kiosk_hub.url, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto("/kiosk")
        page.locator("body[data-ready='true']").wait_for()
        # while an answer is on its way: a thinking line, and the send button is disabled
        held: list = []
        page.route("**/api/kiosk/ask", lambda route: held.append(route))
        page.locator("#question").fill("Do you sell cheese?")
        page.locator("#send").click()
        page.locator("#thinking").wait_for(state="visible")
        assert page.locator("#send").is_disabled()
        for _ in range(200):  # bounded wait for the request to reach the route
            if held:
                break
            page.wait_for_timeout(25)
        held[0].continue_()
        page.unroute("**/api/kiosk/ask")
        expect(page.locator(".msg.assistant:not(.thinking)")).to_have_count(1)
        assert page.locator("#thinking").count() == 0 and not page.locator("#send").is_disabled()
        cheese = page.locator(".msg.assistant").nth(0)
        names = cheese.locator(".card .name").all_inner_texts()
        assert len(names) >= 3 and any("Camembert" in n for n in names) and not any("Stylo" in n for n in names)
        said = cheese.locator(".text").inner_text()
        assert not any(n in said for n in names), "a product is said in the text and again on its card"

        pasta = _ask(page, "do you have gluten free pasta?", 2)
        assert "can't confirm" in pasta.locator(".text").inner_text()
        assert pasta.locator(".badge.unconfirmed").count() >= 1 and pasta.locator(".badge.stated").count() == 0

        robot = _ask(page, "Are you a real person?", 3)
        assert "(AI)" in robot.inner_text() and "staff member" in robot.inner_text()

        _ask(page, "where is the rice?", 4)
        _ask(page, "what are your opening hours?", 5)
        for selector in ("#question", "#send", "#call-staff", "#lang-fr", "#restart"):
            assert _on_screen(page, selector), f"{selector} is off screen after five answers"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "portrait-five-answers.png"))

        page.locator("#restart").click()
        expect(page.locator("#conversation li")).to_have_count(0)
        assert not errors, f"script errors: {errors}"
    finally:
        context.close()


def test_on_a_phone_the_question_box_and_its_button_fit_the_screen(browser, kiosk_hub: HubProcess) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=kiosk_hub.url, has_touch=True)
    try:
        tab = context.new_page()
        tab.goto("/kiosk")
        tab.locator("body[data-ready='true']").wait_for()
        for name in ("#question", "#send", "#lang-en"):
            box = tab.locator(name).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, (name, box)
        send = tab.locator("#send").bounding_box()
        assert send and send["height"] >= 48 and send["width"] >= 48  # still a large touch target
    finally:
        context.close()
