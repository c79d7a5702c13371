"""The kiosk API on a running hub (real process, real mosquitto): ask, recommendations, staff help, privacy."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from comptoir.contract import PosReceipt
from comptoir.contract.fields import gtin_check_digit
from hub.config import FusionSettings
from hub.inventory.fusion import Fusion
from hub.store import open_database
from tests.hub.support import Devices, HubProcess, Publisher, json_of, wait_for
from tests.kiosk.grounding import assert_grounded
from tests.kiosk.shop import Scenario


@pytest.fixture(scope="module")
def public(kiosk_hub: HubProcess) -> httpx.Client:
    with httpx.Client(base_url=kiosk_hub.url, timeout=30, headers={"X-Kiosk-Id": "kiosk-entree"}) as client:
        yield client


def hub_view(kiosk_hub: HubProcess) -> tuple[object, Fusion]:
    db = open_database(kiosk_hub.db_path)
    return db, Fusion(db, FusionSettings())


def test_ask_answers_from_the_hub(public: httpx.Client, kiosk_hub: HubProcess) -> None:
    out = json_of(public.post("/api/kiosk/ask", json={"text": "où est l'huile d'olive ?"}))
    assert set(out) == {"answer", "lang", "intent", "products", "handoff", "headline", "attribute", "confirmed",
                        "also_in"}
    assert out["intent"] == "where" and out["lang"] == "fr" and not out["handoff"]
    assert set(out["products"][0]) == {"gtin", "name", "brand", "aisle", "shelf", "price", "on_shelf", "updated_at",
                                       "labels"}
    db, fusion = hub_view(kiosk_hub)
    now = datetime.now(UTC).timestamp()
    assert_grounded(out["answer"], out["products"], db, fusion, now, "Europe/Paris")
    english = json_of(public.post("/api/kiosk/ask", json={"text": "où est l'huile d'olive ?", "lang": "en"}))
    assert english["lang"] == "en" and "aisle" in english["answer"]


def test_the_page_language_settles_a_question_that_shows_none(public: httpx.Client) -> None:
    """"pesto" is French and English: on a page showing English it is answered in English; a French question on
    that page stays French; "robot?" gets the disclosure in both languages, the page's first."""
    pesto = json_of(public.post("/api/kiosk/ask", json={"text": "pesto", "page_lang": "en"}))
    assert pesto["lang"] == "en" and pesto["products"][0]["name"].startswith("Pesto")
    french = json_of(public.post("/api/kiosk/ask", json={"text": "où est le pesto ?", "page_lang": "en"}))
    assert french["lang"] == "fr"
    robot = json_of(public.post("/api/kiosk/ask", json={"text": "robot?", "page_lang": "en"}))
    assert robot["intent"] == "disclosure" and (robot["lang"], robot["also_in"]) == ("en", "fr") and robot["handoff"]
    assert robot["answer"].index("artificial intelligence") < robot["answer"].index("intelligence artificielle")
    bad = public.post("/api/kiosk/ask", json={"text": "pesto", "page_lang": "de"})
    assert bad.status_code == 422 and "page_lang" in bad.text


def test_hostile_and_oversized_input(public: httpx.Client) -> None:
    long = json_of(public.post("/api/kiosk/ask", json={"text": "a" * 10_000}))
    assert long["intent"] == "too_long" and len(long["answer"]) < 300
    huge = public.post("/api/kiosk/ask", json={"text": "a" * 30_000})
    assert huge.status_code == 422 and "text" in huge.json()["error"]
    html = json_of(public.post("/api/kiosk/ask", json={"text": "<script>alert('x')</script>"}))
    assert "<" not in html["answer"] and html["handoff"]
    bad_lang = public.post("/api/kiosk/ask", json={"text": "farine", "lang": "de"})
    assert bad_lang.status_code == 422
    bad_kiosk = public.post("/api/kiosk/ask", json={"text": "farine"}, headers={"X-Kiosk-Id": "<b>"})
    assert bad_kiosk.status_code == 422


def test_call_staff_raises_a_dashboard_alert_naming_only_the_kiosk(public: httpx.Client, kiosk_hub: HubProcess) -> None:
    out = json_of(public.post("/api/kiosk/ask", json={"text": "je voudrais parler à un vendeur, c'est Jean"}))
    assert out["intent"] == "staff" and out["handoff"]
    staff = kiosk_hub.client()
    alert = wait_for(lambda: json_of(staff.get("/api/alerts", params={"kind": "kiosk_help"})), what="kiosk help alert")[
        0
    ]
    assert alert["device"] == "kiosk-entree" and "kiosk-entree" in alert["text"] and "Jean" not in alert["text"]
    assert alert["severity"] == "critical"  # a customer waiting comes first on the staff's list
    taken = json_of(staff.post(f"/api/alerts/{alert['id']}/acknowledge"))
    assert taken["state"] == "open" and taken["acknowledged_by"]  # in hand until someone resolves it


def test_recommendations_endpoint(public: httpx.Client, kiosk_hub: HubProcess) -> None:
    db, _ = hub_view(kiosk_hub)
    spaghetti = db.execute("SELECT gtin FROM products WHERE name LIKE 'Spaghetti Panzani%'").fetchone()[0]
    out = json_of(public.get("/api/kiosk/recommendations", params={"gtin": spaghetti, "lang": "en"}))
    assert out["gtin"] == spaghetti and not out["personalised"] and out["items"]
    first = out["items"][0]
    assert first["kind"] == "together" and first["on_shelf"] > 0 and first["reason"].startswith("Often bought with")
    assert all(i["on_shelf"] > 0 for i in out["items"])
    assert public.get("/api/kiosk/recommendations", params={"gtin": "123"}).status_code == 422
    unknown = "0300000000001" + str(gtin_check_digit("0300000000001"))
    assert public.get("/api/kiosk/recommendations", params={"gtin": unknown}).status_code == 404
    popular = json_of(public.get("/api/kiosk/recommendations"))
    assert popular["items"] and {i["kind"] for i in popular["items"]} == {"popular"}


def test_privacy_endpoints_need_staff(public: httpx.Client) -> None:
    assert public.get("/api/privacy/customers/card-0001/export").status_code == 401
    assert public.delete("/api/privacy/customers/card-0001").status_code == 401


def test_consent_export_and_erasure_through_the_api(
    public: httpx.Client, kiosk_hub: HubProcess, broker, shop_template: tuple[Path, Scenario]
) -> None:
    staff = kiosk_hub.client()
    customer = "card-9999"
    db, _ = hub_view(kiosk_hub)
    nutella = db.execute(
        "SELECT gtin, price_cents FROM products WHERE name LIKE 'Pâte à tartiner%' ORDER BY gtin"
    ).fetchone()
    # a real sale through MQTT, then the loyalty card linked to it
    publisher = Publisher(broker.host, broker.port, client_id="kiosk-test-pos")
    try:
        receipt = Devices().make(
            PosReceipt,
            "lane-9",
            lane="lane-9",
            receipt_id="K-1",
            total_cents=nutella[1],
            lines=[{"gtin": nutella[0], "quantity": 1, "unit_price_cents": nutella[1]}],
        )
        publisher.send(receipt)
    finally:
        publisher.close()
    wait_for(
        lambda: (
            staff.post(
                f"/api/privacy/customers/{customer}/receipts", json={"lane": "lane-9", "receipt_id": "K-1"}
            ).status_code
            == 201
        ),
        what="the receipt to be ingested and linked",
    )
    # the kiosk never names a card: staff scan it at the till and hand the kiosk a short-lived token
    assert staff.post(f"/api/privacy/customers/{customer}/kiosk-token").status_code == 409  # no consent yet
    given = json_of(staff.post(f"/api/privacy/customers/{customer}/consent", json={"given": True}))
    assert given["given"] and given["history"][-1]["recorded_by"] == "marie"
    issued = staff.post(f"/api/privacy/customers/{customer}/kiosk-token")
    assert issued.status_code == 201, issued.text
    token = {"X-Customer-Token": issued.json()["token"]}
    mine = json_of(public.get("/api/kiosk/recommendations", headers=token))
    assert mine["personalised"] and any(i["kind"] == "buy_again" for i in mine["items"])
    withdrawn = json_of(staff.post(f"/api/privacy/customers/{customer}/consent", json={"given": False}))
    assert not withdrawn["given"]
    assert not json_of(public.get("/api/kiosk/recommendations", headers=token))["personalised"]
    export = json_of(staff.get(f"/api/privacy/customers/{customer}/export"))
    assert export["receipts"][0]["lines"][0]["gtin"] == nutella[0]
    assert [c["action"] for c in export["consents"]] == ["given", "withdrawn"]
    erased = json_of(staff.delete(f"/api/privacy/customers/{customer}"))
    assert erased["rows_deleted"] == 3
    assert json_of(staff.get(f"/api/privacy/customers/{customer}/export")) == {
        "customer_id": customer,
        "consents": [],
        "receipts": [],
    }
    assert staff.get("/api/privacy/customers/bad id!/export").status_code in (404, 422)
    usage = json_of(staff.get("/api/privacy/kiosk-usage"))
    assert usage and all(set(u) == {"day", "intent", "lang", "count"} for u in usage)


def test_pages_are_served_with_a_strict_policy(public: httpx.Client) -> None:
    page = public.get("/kiosk")
    assert page.status_code == 200 and 'id="ai-notice"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    privacy = public.get("/kiosk/privacy")
    assert "C'est une IA" in privacy.text and "It is an AI" in privacy.text
    assert public.get("/kiosk/static/kiosk.js").status_code == 200
    assert public.get("/kiosk/static/../kiosk.html").status_code == 404


def test_ask_shares_the_kiosk_rate_limit(broker, shop_template: tuple[Path, Scenario], tmp_path: Path) -> None:
    import shutil

    import yaml

    hub = HubProcess(tmp_path / "limited", broker.url, hub_id="hub-limited")
    hub.write_config()
    config = yaml.safe_load(hub.config_path.read_text())
    config["api"]["kiosk_rate_per_minute"] = 3
    hub.config_path.write_text(yaml.safe_dump(config))
    shutil.copy(shop_template[0], hub.db_path)
    hub.start()
    try:
        with httpx.Client(base_url=hub.url, timeout=30) as client:
            codes = [client.get("/api/kiosk/products", params={"q": "farine"}).status_code,
                     client.post("/api/kiosk/ask", json={"text": "farine"}).status_code,
                     client.get("/api/kiosk/recommendations").status_code,
                     client.post("/api/kiosk/ask", json={"text": "farine"}).status_code]
        assert codes[:3] == [200, 200, 200] and codes[3] == 429, codes  # one bucket for all of /api/kiosk/*
    finally:
        hub.stop()
