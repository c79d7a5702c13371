"""The /fresh page and the alerts page in Chromium, in French and English: an expiring lot is shown with its date
in the page's language; recording its waste from the page takes it off the list and into the waste log.

A real hub process (MQTT broker, SQLite file, the tick), the demo shop's catalog; two yoghurts are made dated
products, each with one lot dated tomorrow in the shop's time zone (one per language, since each test writes
its lot off).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from babel.dates import format_date
from playwright.sync_api import Page, expect

from hub.store import open_database
from simulators.world.catalog import default_catalog_path
from tests.conftest import BrokerHandle
from tests.dashboard.floor import SCREENS, sideways_overflow
from tests.dashboard.support import ARTIFACTS, PASSWORD, USER, DashboardHub

SHOP_ZONE = ZoneInfo("Europe/Paris")  # the kiosk's default zone, which the hub's days follow


def dairy() -> list[tuple[str, str]]:
    with default_catalog_path().open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["category"] == "Crèmerie et frais"]
    return [(r["gtin"].zfill(14), r["name"]) for r in rows[:2]]


class FreshHub(DashboardHub):
    def write_config(self) -> None:
        super().write_config()
        config = yaml.safe_load(self.config_path.read_text())
        config["fresh"] = {"expiry": {"check_every_s": 0.5}}
        self.config_path.write_text(yaml.safe_dump(config))


@pytest.fixture(scope="module")
def hub(broker: BrokerHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FreshHub]:
    process = FreshHub(Path(tmp_path_factory.mktemp("hub")), broker.url)
    process.prepare()
    tomorrow = (datetime.now(SHOP_ZONE).date() + timedelta(days=1)).isoformat()
    db = open_database(process.db_path)
    try:
        with db.conn:
            for i, (gtin, _) in enumerate(dairy()):
                db.conn.execute("UPDATE products SET date_kind = 'use_by', cost_cents = 55 WHERE gtin = ?", (gtin,))
                db.conn.execute("INSERT INTO lots (gtin, lot, expiry, date_kind, received, received_units, units) "
                                "VALUES (?, ?, ?, 'use_by', 0, 4, 4)", (gtin, f"LOT{i}", tomorrow))
                db.conn.execute("INSERT INTO stock_adjustments (time, user, role, gtin, reason, before, after, delta, "
                                "note) VALUES (0, 'paul', 'manager', ?, 'received', 0, 4, 4, '')", (gtin,))
    finally:
        db.close()
    process.start()
    try:
        yield process
    finally:
        process.stop()


def sign_in(page: Page, path: str) -> None:
    page.goto(path)
    page.fill("#username", USER)
    page.fill("#password", PASSWORD)
    page.click("#signin button[type=submit]")
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))


@pytest.mark.parametrize(("lang", "which"), [("fr", 0), ("en", 1)])
def test_an_expiring_lot_is_shown_then_written_off_from_the_page(browser, hub: FreshHub, lang: str,
                                                                 which: int) -> None:
    gtin, name = dairy()[which]
    tomorrow = datetime.now(SHOP_ZONE).date() + timedelta(days=1)
    said = format_date(date.fromisoformat(tomorrow.isoformat()), format="long", locale="fr_FR" if lang == "fr"
                       else "en_GB")
    context = browser.new_context(viewport=SCREENS["phone"], locale="fr-FR" if lang == "fr" else "en-GB",
                                  base_url=hub.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        sign_in(page, "/alerts")
        # the tick raised the alert: its text says the date as the page's language writes it
        alert = page.locator("main").get_by_text(re.compile(re.escape(name) + ".*" + re.escape(said)))
        expect(alert.first).to_be_visible()
        page.goto("/fresh")
        row = page.locator(f'#expiring-rows tr[data-gtin="{gtin}"]')
        expect(row).to_contain_text(said)
        expect(row).to_contain_text("LOT")
        assert sideways_overflow(page) == 0, "the page scrolls sideways on a phone"
        row.locator("button.waste-this").click()
        expect(page.locator("#waste-quantity")).to_have_value("4")
        page.click("#waste-submit")
        expect(page.locator("#fresh-message")).to_have_text("")
        expect(page.locator(f'#expiring-rows tr[data-gtin="{gtin}"]')).to_have_count(0)
        logged = page.locator("#waste-rows tr[data-waste]").filter(has_text=name)
        expect(logged).to_have_count(1)
        expect(logged).to_contain_text("périmé" if lang == "fr" else "expired")
        expect(logged).to_contain_text("2,20" if lang == "fr" else "€2.20")  # 4 x 0.55 at cost
        # written off: its alert is resolved at once
        alerts = page.request.get("/api/dashboard/alerts").json()
        assert [a for a in alerts if a["gtin"] == gtin and a["kind"] == "expiring_soon" and a["state"] == "open"] == []
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.goto("/fresh")
        page.screenshot(path=str(ARTIFACTS / f"fresh-phone-{lang}.png"), full_page=True)
    finally:
        context.close()
    assert not errors, f"script errors: {errors}"
