"""The slot editor in headless Chromium (a 1024x768 tablet, in French and in English) against a real hub, broker,
camera simulator and camera agent process: a still taken from the page, a slot drawn on it, linked to the
planogram and saved; the agent's next counts use it. Moving and deleting slots, and the editor's refusals."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import BrokerHandle
from tests.dashboard.support import ARTIFACTS, PASSWORD, USER
from tests.hub.support import wait_for
from tests.vision.camera_rig import CameraRig

TABLET = {"width": 1024, "height": 768}


@pytest.fixture(scope="module")
def rig(broker: BrokerHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CameraRig]:
    running = CameraRig(Path(tmp_path_factory.mktemp("editor")), broker.host, broker.port, broker.url).start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def tab(browser, rig: CameraRig, request: pytest.FixtureRequest) -> Iterator[Page]:
    lang = "en-GB" if "english" in request.node.name else "fr-FR"
    context = browser.new_context(viewport=TABLET, locale=lang, base_url=rig.hub.url, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        yield page
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        try:
            page.screenshot(path=str(ARTIFACTS / f"camera-{request.node.name}.png"), full_page=True)
        finally:
            context.close()
    assert not errors, f"the page's script failed: {errors}"


def sign_in(page: Page, path: str) -> None:
    page.goto(path)
    expect(page).to_have_url(re.compile(r"/signin\?next="))
    page.fill("#username", USER)
    page.fill("#password", PASSWORD)
    page.click("#signin button[type=submit]")
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))


def true_slots(rig: CameraRig) -> dict[str, list[list[float]]]:
    """The simulator's own slot polygons (what an integrator would trace on the still)."""
    data = httpx.get(rig.camera.server.url.replace("stream.mjpg", "slots.json"), timeout=10).json()
    return {s["slot"]: s["polygon"] for s in data["slots"]}


def tap_corners(page: Page, polygon: list[list[float]], size: tuple[int, int] = (960, 540)) -> None:
    page.evaluate("document.getElementById('overlay').scrollIntoView({block: 'center'})")  # clear of the live bar
    box = page.locator("#overlay").bounding_box()
    assert box is not None
    for x, y in polygon:
        page.mouse.click(box["x"] + x * box["width"] / size[0], box["y"] + y * box["height"] / size[1])


def test_draw_a_slot_save_it_and_the_agents_next_counts_use_it(rig: CameraRig, tab: Page) -> None:
    sign_in(tab, f"/cameras/{rig.cam}")
    expect(tab.locator("#no-still")).to_be_visible()
    expect(tab.locator("#camera-facts")).to_contain_text("En ligne · modèle shipped")
    tab.click("#take-still")  # the request goes to the camera over MQTT; its still comes back over HTTP
    expect(tab.locator("#overlay #still")).to_have_count(1, timeout=60_000)
    expect(tab.locator("#overlay")).to_be_visible()
    slots = true_slots(rig)
    chosen = sorted(slots)[0]
    before = [c for c in rig.listener.counts if chosen in c][-1][chosen]
    assert len(rig.listener.counts[-1]) > 1  # the camera counts its whole bay from its slots file

    tab.click("#new-slot")
    tap_corners(tab, slots[chosen][:2])
    expect(tab.locator("#finish-slot")).to_be_hidden()  # two corners are no slot yet
    tap_corners(tab, slots[chosen][2:])
    tab.click("#finish-slot")
    tab.click("#save-slots")
    expect(tab.locator("#camera-message")).to_contain_text("Reliez chaque emplacement")  # unlinked: refused
    tab.locator("#slot-list select").first.select_option(chosen)
    mark = rig.listener.seen()
    tab.click("#save-slots")
    expect(tab.locator("#camera-message")).to_have_text("Emplacements envoyés à la caméra.")
    expect(tab.locator(f'#overlay polygon[data-slot="{chosen}"]')).to_have_count(1)

    wait_for(lambda: rig.alive() and any(set(c) == {chosen} for c in rig.listener.after(mark)), 60,
             "counts of the drawn slot alone")
    counted = next(c for c in rig.listener.after(mark) if set(c) == {chosen})
    assert counted[chosen] == before  # the slot drawn on screen counts what the slots file counted there
    saved = rig.staff().get(f"/api/cameras/{rig.cam}").json()["slots"]
    assert saved["width"] == 960 and [s["slot"] for s in saved["slots"]] == [chosen]


def test_in_english_move_a_corner_and_delete_a_slot(rig: CameraRig, tab: Page) -> None:
    sign_in(tab, f"/cameras/{rig.cam}")
    expect(tab.locator("#save-slots")).to_have_text("Save the slots")
    slots = true_slots(rig)
    first, second = sorted(slots)[:2]
    expect(tab.locator("#slot-list li")).to_have_count(1)
    tab.click("#new-slot")
    tap_corners(tab, slots[second])
    tab.click("#finish-slot")
    tab.locator("#slot-list select").nth(1).select_option(second)
    expect(tab.locator("#slot-list li")).to_have_count(2)
    tab.locator("#slot-list li").nth(1).get_by_role("button").click()  # delete the second one again
    expect(tab.locator("#slot-list li")).to_have_count(1)

    tab.locator("#slot-list li").first.click()  # select the slot: its corners get handles
    handle = tab.locator("#overlay circle").first
    expect(handle).to_have_count(1)
    box = handle.bounding_box()
    assert box is not None
    tab.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tab.mouse.down()
    tab.mouse.move(box["x"] - 15, box["y"] - 10, steps=5)
    tab.mouse.up()
    tab.click("#save-slots")
    expect(tab.locator("#camera-message")).to_have_text("Slots sent to the camera.")
    saved = rig.staff().get(f"/api/cameras/{rig.cam}").json()["slots"]["slots"]
    assert [s["slot"] for s in saved] == [first]
    assert saved[0]["polygon"][0] != [round(v, 1) for v in slots[first][0]]  # the corner moved


def test_the_api_refuses_slots_outside_the_still_or_not_in_the_planogram(rig: CameraRig) -> None:
    staff = rig.staff()
    before = staff.get(f"/api/cameras/{rig.cam}").json()["slots"]
    square = [[10, 10], [100, 10], [100, 100], [10, 100]]
    cases = [
        ({"width": 960, "height": 540, "slots": [{"slot": "A6-B2-S1-01", "polygon": square[:2]}]}, "at least 3"),
        ({"width": 960, "height": 540, "slots": [{"slot": "A6-B2-S1-01", "polygon": [[10, 10], [2000, 10], [50, 90]]}]},
         "outside the 960x540 picture"),
        ({"width": 960, "height": 540, "slots": [{"slot": "NO-SUCH", "polygon": square}]}, "not in the planogram"),
        ({"width": 640, "height": 480, "slots": [{"slot": "A6-B2-S1-01", "polygon": square}]}, "960x540"),
    ]
    for body, words in cases:
        answer = staff.put(f"/api/cameras/{rig.cam}/slots", json=body)
        assert answer.status_code == 422 and words in answer.text, (words, answer.text)
    assert staff.get(f"/api/cameras/{rig.cam}").json()["slots"] == before  # nothing half-saved


def test_in_english_the_devices_page_shows_the_cameras_model_and_links_to_its_page(rig: CameraRig, tab: Page) -> None:
    sign_in(tab, "/devices")
    model = tab.locator(f'a[data-model="{rig.cam}"]')
    expect(model).to_have_text("shipped")  # the camera's status: comptoir ... model=shipped
    model.click()
    expect(tab).to_have_url(re.compile(f"/cameras/{rig.cam}$"))
    expect(tab.locator("#camera-facts")).to_contain_text("Online · model shipped")
