"""Tag commissioning against a real hub process: the hub allocates, `comptoir tags write` writes through sllurp to
the simulated reader, the edge agent reads the tags back and the hub sees them as the product they encode; the API's
bad input; the /tags page in headless Chromium on a tablet viewport (one hub for the whole module)."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from comptoir.contract import gtin14
from comptoir.link import MqttLink
from comptoir.mosquitto import free_port
from edge.config import ReaderConfig
from edge.rfid.agent import RfidAgent
from simulators.llrp.access import TagMemory
from simulators.llrp.bench import EncodingBench, blank_epc
from simulators.llrp.server import ReaderSimulator
from tests.conftest import BrokerHandle
from tests.dashboard.support import TABLET
from tests.hub.support import NUTELLA, OIL, STORE, HubProcess, make_gtin
from tests.tags.test_tags_labels import RawPrinter

#: the dashboard's checks: every control labelled, text readable, nothing wider than the screen
ACCESSIBILITY = (Path(__file__).resolve().parents[1] / "dashboard" / "accessibility.js").read_text()
#: the screenshot docs/img/tags-page.png is copied from here
SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "tags"

pytestmark = pytest.mark.timeout(120)


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
def client(hub: HubProcess) -> Iterator[httpx.Client]:
    c = hub.client()
    try:
        yield c
    finally:
        c.close()


async def _poll(check, timeout: float = 45.0):  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        last = await asyncio.to_thread(check)
        if last:
            return last
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not within {timeout} s")
        await asyncio.sleep(0.2)


async def test_written_tags_reach_the_hub_as_the_product_they_encode(
        hub: HubProcess, client: httpx.Client, broker: BrokerHandle, tmp_path: Path) -> None:
    made = client.post("/api/tags/allocations", json={"gtin": NUTELLA, "count": 3})
    assert made.status_code == 201, made.text
    allocation = made.json()
    epcs = [t["epc"] for t in allocation["tags"]]
    (tmp_path / "epcs.txt").write_text("\n".join(epcs) + "\n")

    # three blank tags on the bench; the second one's EPC bank is locked
    memory = TagMemory(locked={blank_epc(2)})
    sim = await ReaderSimulator(EncodingBench.blank(3), round_ms=100, memory=memory).start("127.0.0.1", 0)
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "comptoir", "tags", "write", "--reader", f"127.0.0.1:{sim.port}",
            "--epcs", str(tmp_path / "epcs.txt"), "--results", str(tmp_path / "results.json"), "--timeout", "20",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(proc.communicate(), 90)
        assert proc.returncode == 1, err.decode()  # not every tag was written: the command says so
        assert "2 of 3 tags written" in err.decode()
        assert f"{epcs[1]} NOT written: the tag refused the write: tag memory locked" in out.decode()
        results = json.loads((tmp_path / "results.json").read_text())
        recorded = client.post("/api/tags/results", json={"results": results})
        assert recorded.json() == {"written": 2, "not_written": 1}
        states = {t["epc"]: t for t in client.get(f"/api/tags/allocations/{allocation['id']}").json()["tags"]}
        assert [states[e]["state"] for e in epcs] == ["written", "not_written", "written"]
        assert states[epcs[0]]["tag"] == blank_epc(1).hex().upper()
        assert "locked" in states[epcs[1]]["reason"]

        # the edge agent inventories the same reader: the written tags arrive at the hub as Nutella
        config = ReaderConfig.model_validate({
            "id": "reader-1", "host": "127.0.0.1", "port": sim.port, "antennas": {1: "backroom"},
            "report_every_n_tags": 50, "report_timeout_ms": 500, "reconnect_min_s": 0.5, "reconnect_max_s": 2,
            "silence_s": 10, "snapshot_every_s": 5})
        link = MqttLink(broker.settings(), store=STORE, device="reader-1", kind="rfid-reader",
                        outbox=tmp_path / "outbox.sqlite")
        await link.start()
        task = asyncio.create_task(RfidAgent(config, link).run())
        try:
            for epc in (epcs[0], epcs[2]):
                item = await _poll(lambda e=epc: (r := client.get(f"/api/items/{e}")).status_code == 200 and r.json())
                assert item["gtin"] == gtin14(NUTELLA) and item["name"] == "Pâte à tartiner 400 g"
                assert item["serial"] == str(epcs.index(epc) + allocation["first_serial"])
            # the locked tag still answers with its factory EPC; the serial it was meant to carry is nowhere
            await _poll(lambda: client.get(f"/api/items/{blank_epc(2).hex().upper()}").status_code == 200)
            assert client.get(f"/api/items/{epcs[1]}").status_code == 404
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await link.stop()
            link.outbox.close()
    finally:
        await sim.stop()


@pytest.mark.parametrize(("body", "field"), [
    ({"gtin": make_gtin(77), "count": 2}, "gtin"),
    ({"gtin": NUTELLA, "count": -1}, "count"),
    ({"gtin": NUTELLA, "count": 1, "serial_start": 2**38}, "serial_start"),
])
def test_bad_allocations_name_the_field_and_change_nothing(client: httpx.Client, body, field) -> None:  # type: ignore[no-untyped-def]
    before = client.get("/api/tags/allocations").json()
    answer = client.post("/api/tags/allocations", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"] == ["body", field]
    assert field in answer.json()["error"]
    assert client.get("/api/tags/allocations").json() == before


def test_a_duplicated_range_is_refused_and_labels_come_as_zpl(client: httpx.Client) -> None:
    first = client.post("/api/tags/allocations", json={"gtin": OIL, "count": 4, "serial_start": 500}).json()
    again = client.post("/api/tags/allocations", json={"gtin": OIL, "count": 2, "serial_start": 502})
    assert again.status_code == 422 and again.json()["detail"][0]["loc"] == ["body", "serial_start"]
    assert f"overlap allocation #{first['id']} (500..503)" in again.json()["error"]
    zpl = client.get(f"/api/tags/allocations/{first['id']}/labels.zpl")
    assert zpl.status_code == 200 and zpl.text.count("^XA") == 4
    assert all(f"^RFW,H,,,A^FD{t['epc']}^FS" in zpl.text for t in first["tags"])
    unknown = client.post("/api/tags/results", json={"results": [{"epc": "3034AAAA", "written": True}]})
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["body", "results[0].epc"]
    encoded = client.get("/api/tags/encode", params={"gtin": OIL, "serial": 503})
    assert encoded.json()["epc"] == first["tags"][3]["epc"]
    unsupported = client.get("/api/tags/encode", params={"gtin": OIL, "serial": 1, "scheme": "sgtin-64"})
    assert unsupported.status_code == 422 and unsupported.json()["detail"][0]["loc"] == ["query", "scheme"]


def test_an_allocation_while_another_process_holds_the_lock_is_a_503_then_works(
        hub: HubProcess, client: httpx.Client) -> None:
    import sqlite3

    before = client.get("/api/tags/allocations").json()
    other = sqlite3.connect(hub.db_path, timeout=5, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # a CLI allocating (or an import) at this very moment
        busy = client.post("/api/tags/allocations", json={"gtin": NUTELLA, "count": 2})
        assert busy.status_code == 503 and "database is locked" in busy.json()["detail"]
        assert busy.headers["Retry-After"] == "1"
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert client.get("/api/tags/allocations").json() == before  # nothing half-allocated
    done = client.post("/api/tags/allocations", json={"gtin": NUTELLA, "count": 2})
    assert done.status_code == 201, done.text
    assert client.get("/api/health").json()["status"] == "ok"


@pytest.fixture
def page(browser, hub: HubProcess) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    """A tablet-sized tab in French on the hub's pages."""
    context = browser.new_context(viewport=TABLET, locale="fr-FR", base_url=hub.url)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    try:
        yield tab
    finally:
        context.close()


# -- the /tags page in headless Chromium ---------------------------------------------------------------

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
    title = page.locator("#tag-result-title")
    expect(title).to_have_text(
        re.compile(r"Réservation n° \d+ : 3 numéros, de \d+ à \d+, pour Huile d'olive vierge extra 1 L"))
    first, last = map(int, re.findall(r"de (\d+) à (\d+)", title.inner_text())[0])
    assert last - first == 2
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


@pytest.mark.parametrize("viewport", [{"width": 800, "height": 1280}, {"width": 1920, "height": 1080}],
                         ids=["tablet-portrait", "desktop"])
def test_the_tags_page_is_labelled_readable_and_fits_the_screen(page: Page, viewport: dict[str, int]) -> None:
    page.set_viewport_size(viewport)
    sign_in(page)
    page.fill("#tag-q", "farine")
    page.click("#tag-search button[type=submit]")
    page.click("#tag-allocate-button")
    expect(page.locator("#tag-epcs tr")).to_have_count(10)
    problems = page.evaluate(ACCESSIBILITY)
    assert not problems, f"/tags at {viewport}: {problems[:5]}"
