"""The /tags page in headless Chromium on a tablet viewport, against a real hub process."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from comptoir.mosquitto import free_port
from tests.conftest import BrokerHandle
from tests.dashboard.support import TABLET
from tests.hub.support import HubProcess
from tests.tags.test_tags_labels import RawPrinter

#: the screenshot docs/img/tags-page.png is copied from here
SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "tags"


@pytest.fixture(scope="module")
def hub(broker: BrokerHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    process = HubProcess(Path(tmp_path_factory.mktemp("hub")), broker.url)
    process.prepare()
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def page(browser, hub: HubProcess) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=TABLET, locale="fr-FR", base_url=hub.url)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    try:
        yield tab
    finally:
        context.close()


def sign_in(page: Page) -> None:
    page.goto("/tags")
    expect(page).to_have_url(re.compile(r"/signin\?next=/tags"))
    page.fill("#username", "marie")
    page.fill("#password", "croissant-42")
    page.click("#signin button[type=submit]")
    expect(page).to_have_url(re.compile(r"/tags$"))


def test_a_manager_allocates_for_a_product_found_by_name_and_prints_the_labels(page: Page) -> None:
    sign_in(page)
    expect(page.locator("#nav-tags")).to_have_attribute("aria-current", "page")
    page.fill("#tag-q", "huile")
    page.click("#tag-search button[type=submit]")
    expect(page.locator("#tag-chosen")).to_contain_text("Huile d'olive vierge extra 1 L")
    page.fill("#tag-count", "3")
    page.click("#tag-allocate-button")
    expect(page.locator("#tag-result-title")).to_have_text(re.compile(
        r"Réservation n° \d+ : 3 numéros, de 0 à 2, pour Huile d'olive vierge extra 1 L"))
    expect(page.locator("#tag-epcs tr")).to_have_count(3)
    expect(page.locator("#tag-epcs tr").first).to_contain_text("réservé")

    # the download link gives the ZPL
    href = page.locator("#tag-download").get_attribute("href")
    zpl = page.request.get(href or "")
    assert zpl.ok and zpl.text().count("^XA") == 3

    # a printer that is not there: the error says where, nothing is marked
    page.fill("#tag-printer", "127.0.0.1")
    page.fill("#tag-port", str(free_port()))
    page.click("#tag-print button[type=submit]")
    expect(page.locator("#tag-error")).to_contain_text("no tag marked sent")
    expect(page.locator("#tag-epcs tr").first).to_contain_text("réservé")

    printer = RawPrinter()
    try:
        page.fill("#tag-port", str(printer.port))
        page.click("#tag-print button[type=submit]")
        expect(page.locator("#tag-printed")).to_have_text(re.compile(r"3 étiquettes envoyées \(\d+ octets\)"))
        assert printer.done.wait(15) and printer.received.count(b"^RFW,H") == 3
    finally:
        printer.close()
    expect(page.locator("#tag-epcs tr").first).to_contain_text("envoyé à l'imprimante")
    expect(page.locator("#tag-allocations tr").first).to_contain_text("envoyé à l'imprimante 3")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / "tags-page.png"))


def test_a_product_not_found_says_so_and_allocates_nothing(page: Page) -> None:
    sign_in(page)
    page.fill("#tag-q", "caviar")
    page.click("#tag-search button[type=submit]")
    expect(page.locator("#tag-products li")).to_have_count(1)
    expect(page.locator("#tag-allocate-button")).to_be_disabled()
