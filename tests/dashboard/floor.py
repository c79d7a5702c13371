"""Helpers of the issue-19 page tests: the two screens, signing in, a stocked shop, and the checks every page
must pass (nothing scrolls sideways; a French page shows no message code and no English sentence)."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from hub.i18n import messages
from hub.i18n.catalog import parameters
from tests.dashboard.support import PASSWORD, USER, WORLD, DashboardHub, backroom_stock, bay_counts
from tests.hub.support import Publisher

#: the screens staff use on the floor: a 10-inch tablet in landscape, and a phone
TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}
SCREENS = {"tablet": TABLET, "phone": PHONE}

EMPTIED = WORLD.planogram.bays["A2-B1"].slots[0]  # a shopper empties it
LOW = WORLD.planogram.bays["A4-B2"].slots[5]
UNWATCHED_BAY = "A6-B2"  # its camera never reports: the shop has not installed it


def stock_the_shop(hub: DashboardHub, publisher: Publisher) -> None:
    """Every camera but one reports its bay, one slot low and one empty; four units wait in the backroom."""
    for bay_id in WORLD.planogram.bays:
        if bay_id == UNWATCHED_BAY:
            continue
        special: dict[str, int | None] = {}
        if bay_id == "A2-B1":
            special = {EMPTIED.slot_id: 0}
        if bay_id == "A4-B2":
            special = {LOW.slot_id: 1}
        publisher.send(bay_counts(hub.devices, bay_id, special))
    publisher.send(*backroom_stock(hub.devices, EMPTIED.gtin, 4, first=1000))


def sign_in(page: Page, path: str = "/map") -> None:
    page.goto("/signin?next=" + path)
    page.fill("#username", USER)
    page.fill("#password", PASSWORD)
    page.click("#signin button[type=submit]")
    expect(page).to_have_url(re.compile(r"^[^?]*" + re.escape(path) + "$"))
    expect(page.locator("#sign-out")).to_be_attached()
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")


def sideways_overflow(page: Page) -> int:
    """How many pixels the page is wider than the screen (0: no sideways scroll)."""
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


_CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\b[a-z_]+\.[a-z_]+\b")
def english_fragments() -> list[str]:
    """Pieces of English messages a French page must never show: each literal run (parameters taken out) of an
    English text that the French catalog does not also use, of two words or more."""
    english, french = messages("en"), messages("fr")
    french_text = " ".join(french.values())
    pieces: set[str] = set()
    for code, text in english.items():
        if code.startswith(("kiosk", "format.")) or french.get(code) == text:
            continue
        literal = text
        for name in parameters(text):
            literal = literal.replace("{" + name + "}", "\x00")
        for piece in literal.split("\x00"):
            piece = piece.strip(" .,:;()·-–—")
            if len(piece.split()) >= 2 and piece not in french_text:
                pieces.add(piece)
    return sorted(pieces, key=len, reverse=True)


def untranslated(page: Page) -> list[str]:
    """What a French reader would meet on this page that is not French: message codes, English sentences."""
    text: str = page.evaluate("document.body.innerText")
    labels: list[Any] = page.evaluate(
        "[...document.querySelectorAll('[aria-label],[title],[placeholder]')]"
        ".map(e => [e.getAttribute('aria-label'), e.getAttribute('title'), e.getAttribute('placeholder')].join(' '))")
    seen = text + "\n" + "\n".join(labels)
    problems = [f"code {m!r}" for m in _CODE.findall(seen)]
    problems += [f"English {piece!r}" for piece in english_fragments()
                 if re.search(r"(?<!\w)" + re.escape(piece) + r"(?!\w)", seen)]
    return problems
