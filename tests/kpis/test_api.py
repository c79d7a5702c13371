"""The numbers over HTTP: /api/kpis as JSON, the weekly CSV and PDF (read back with pdftotext), the CLI."""

from __future__ import annotations

import csv
import io
import subprocess
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from comptoir.clock import ManualClock
from hub.app import create_app
from hub.auth import create_user
from hub.config import FusionSettings, HubConfig
from hub.events import EventBus
from hub.ingest import Ingest
from tests.hub.support import LocalHub
from tests.kpis.shop import FIRST, LAST, NOW, WEEK, build


@pytest.fixture
def local(tmp_path: Path) -> LocalHub:
    db = build(tmp_path / "hub.sqlite")
    with db.conn:
        db.conn.execute("UPDATE products SET category = '=HYPERLINK(\"x\")' WHERE category = 'bakery'")
    clock = ManualClock(datetime.fromtimestamp(NOW, UTC))
    create_user(db, "marie", "croissant-42", "staff", NOW)
    bus = EventBus()
    ingest = Ingest(db, clock, FusionSettings(), store="test", bus=bus)
    config = HubConfig(store="epicerie-17", db=tmp_path / "hub.sqlite", timezone="Europe/Paris")
    return LocalHub(config, db, ingest, bus, clock)


@pytest.fixture
async def staff(local: LocalHub) -> AsyncIterator[httpx.AsyncClient]:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(local)), base_url="http://hub",
                               headers={"Origin": "http://hub"})
    assert (await client.post("/api/session", json={"username": "marie", "password": "croissant-42"})).is_success
    try:
        yield client
    finally:
        await client.aclose()


async def test_the_api_gives_every_figure_with_its_definition(staff: httpx.AsyncClient) -> None:
    answer = await staff.get("/api/kpis", params={"first": FIRST, "last": LAST}, headers={"Accept-Language": "en"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    figures = {f["key"]: f for f in body["figures"]}
    assert len(figures) == 13
    assert (figures["revenue"]["value"], figures["revenue"]["display"]) == (2300, "€23.00")
    assert isinstance(figures["revenue"]["value"], int) and figures["receipts"]["parts"] == {"lines": 8}
    assert (figures["waste_value"]["value"], figures["waste_value"]["display"]) == (540, "€5.40")
    assert figures["waste_rate"]["definition"] == "kpi.waste_rate.how"
    assert "cost value of the units sold" in figures["waste_rate"]["how"]
    assert figures["forecast_wape"]["parts"]["n"] == 6
    assert {c["category"] for c in body["categories"]} == {"dairy", '=HYPERLINK("x")'}
    assert [d["revenue_cents"] for d in body["daily"]] == [900, 600, 500, 150, 0, 0, 150]
    french = (await staff.get("/api/kpis", params={"first": FIRST, "last": LAST},
                              headers={"Accept-Language": "fr"})).json()
    assert french["figures"][0]["display"] == "23,00\xa0€"
    assert french["figures"][0]["name"] == "Chiffre d'affaires"


@pytest.mark.parametrize(("params", "field"), [({"first": "2026-11-30", "last": FIRST}, "last"),
                                               ({"first": "lundi", "last": LAST}, "first")])
async def test_a_bad_period_is_refused_naming_the_field(staff: httpx.AsyncClient, params: dict[str, str],
                                                        field: str) -> None:
    answer = await staff.get("/api/kpis", params=params)
    assert answer.status_code == 422
    assert field in answer.text
    assert (await staff.get("/api/kpis/report.csv", params={"week": "2026-W99"})).status_code == 422


async def test_the_numbers_need_a_session(local: LocalHub) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(local)), base_url="http://hub") as c:
        assert (await c.get("/api/kpis", params={"first": FIRST, "last": LAST})).status_code == 401
        assert (await c.get("/numbers")).status_code == 303


async def test_the_weekly_csv_has_a_row_per_figure_and_per_category(staff: httpx.AsyncClient) -> None:
    answer = await staff.get("/api/kpis/report.csv", params={"week": WEEK}, headers={"Accept-Language": "en"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert len(rows) == 13 + 2 * 2
    by_key = {(r["figure"], r["category"]): r for r in rows}
    assert by_key[("waste_value", "")]["value"] == "540"
    assert by_key[("revenue", "")]["display"] == "€23.00"
    assert float(by_key[("turnover", "dairy")]["value"]) == pytest.approx(1.2)
    assert ("turnover", "'=HYPERLINK(\"x\")") in by_key  # a formula cell is written as text


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


async def test_the_weekly_pdf_holds_the_figures(staff: httpx.AsyncClient, tmp_path: Path) -> None:
    answer = await staff.get("/api/kpis/report.pdf", params={"week": WEEK}, headers={"Accept-Language": "fr"})
    assert answer.status_code == 200
    assert answer.content.startswith(b"%PDF")
    text = _pdf_text(answer.content, tmp_path)
    assert "Les chiffres du magasin" in text
    assert "epicerie-17" in text and "2026-W48" in text
    assert "23,00 EUR" in text  # revenue
    assert "5,40 EUR" in text  # waste value
    assert "24,2" in text  # waste rate
    assert "Comment chaque chiffre est calculé" in text


def test_the_cli_writes_the_same_report(local: LocalHub, tmp_path: Path) -> None:
    from hub.cli import hub

    result = CliRunner().invoke(hub, ["--db", str(local.config.db), "report", "--week", WEEK, "--lang", "en",
                                      "--pdf", str(tmp_path / "out.pdf"), "--csv", str(tmp_path / "out.csv")])
    assert result.exit_code == 0, result.output
    assert "€23.00" in (tmp_path / "out.csv").read_text()
    assert "EUR23.00" in _pdf_text((tmp_path / "out.pdf").read_bytes(), tmp_path)
    bad = CliRunner().invoke(hub, ["--db", str(local.config.db), "report", "--week", "48"])
    assert bad.exit_code == 2 and "ISO week" in bad.output
