"""Security: staff endpoints need a session, the kiosk sees no item-level data, injection changes nothing."""

from __future__ import annotations

import sqlite3

import httpx
import pytest

from comptoir.contract import ZoneEvent
from tests.hub.support import NUTELLA, Devices, HubProcess, Publisher, epc, json_of, wait_for

STAFF_ENDPOINTS = [
    ("GET", "/api/products"),
    ("GET", f"/api/products/{NUTELLA}"),
    ("PUT", f"/api/products/{NUTELLA}/reorder-point"),
    ("GET", "/api/inventory"),
    ("GET", "/api/inventory/zones"),
    ("GET", f"/api/inventory/{NUTELLA}"),
    ("GET", f"/api/items/{epc(1)}"),
    ("GET", "/api/alerts"),
    ("POST", "/api/alerts/1/acknowledge"),
    ("GET", "/api/devices"),
    ("DELETE", "/api/devices/reader-1"),
    ("GET", "/api/notify/channels"),
    ("GET", "/api/notify/deliveries"),
    ("GET", "/api/dead-letters"),
    ("GET", "/api/stream"),
    ("GET", "/api/session"),
]


@pytest.mark.parametrize(("method", "path"), STAFF_ENDPOINTS)
def test_staff_endpoints_answer_401_without_a_session(hub: HubProcess, method: str, path: str) -> None:
    response = httpx.request(method, f"{hub.url}{path}", json={"reorder_point": 1}, timeout=5)
    assert response.status_code == 401
    assert "sign in" in response.json()["detail"]
    forged = httpx.request(
        method,
        f"{hub.url}{path}",
        headers={"Authorization": "Bearer forged-token", "Origin": hub.url},
        cookies={"comptoir_session": "forged"},
        json={"reorder_point": 1},
        timeout=5,
    )
    assert forged.status_code == 401


def test_sign_in_checks_the_password_and_sign_out_ends_the_session(hub: HubProcess) -> None:
    wrong = httpx.post(f"{hub.url}/api/session", json={"username": "marie", "password": "baguette"})
    assert wrong.status_code == 401 and wrong.json()["detail"] == "wrong username or password"
    nobody = httpx.post(f"{hub.url}/api/session", json={"username": "nobody", "password": "croissant-42"})
    assert nobody.status_code == 401
    staff = hub.client()
    assert json_of(staff.get("/api/session"))["username"] == "marie"
    token = staff.cookies["comptoir_session"]
    assert httpx.get(f"{hub.url}/api/devices", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert staff.delete("/api/session").status_code == 204
    assert httpx.get(f"{hub.url}/api/devices", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    with sqlite3.connect(hub.db_path) as db:
        stored = db.execute("SELECT password_hash FROM users WHERE username='marie'").fetchone()[0]
    assert stored.startswith("$argon2id$") and "croissant" not in stored


def test_the_kiosk_sees_products_not_items(hub: HubProcess, publisher: Publisher) -> None:
    dev = Devices()
    publisher.send(
        *[
            dev.make(ZoneEvent, "reader-1", event="arrived", epc=epc(7000 + i), gtin=NUTELLA, location="floor-a2")
            for i in range(6)
        ]
    )
    kiosk = httpx.Client(base_url=hub.url)
    found = wait_for(
        lambda: [
            p
            for p in json_of(kiosk.get("/api/kiosk/products", params={"q": "tartiner"}))
            if p["availability"] == "in_stock"
        ],
        what="kiosk availability",
    )
    product = found[0]
    assert product["name"] == "Pâte à tartiner 400 g" and product["price_eur"] == 3.89 and product["aisle"] == "A2"
    assert set(product) == {"gtin", "name", "brand", "category", "price_eur", "aisle", "shelf", "availability", "as_of"}
    text = (
        kiosk.get("/api/kiosk/products", params={"q": "tartiner"}).text
        + kiosk.get(f"/api/kiosk/products/{NUTELLA}").text
    )
    assert epc(7000) not in text and "reader" not in text and "supplier" not in text and "marie" not in text
    for path in (
        f"/api/kiosk/items/{epc(7000)}",
        "/api/kiosk/devices",
        "/api/kiosk/alerts",
        "/api/kiosk/../items/" + epc(7000),
    ):
        assert kiosk.get(path).status_code in (401, 404)
    for method in ("POST", "PUT", "DELETE"):
        assert kiosk.request(method, f"/api/kiosk/products/{NUTELLA}").status_code == 405


def test_injection_shaped_queries_change_nothing(hub: HubProcess) -> None:
    staff = hub.client()
    kiosk = httpx.Client(base_url=hub.url)
    before = json_of(staff.get("/api/products", params={"limit": 500}))
    for q in ("'; DROP TABLE products; --", "%' OR '1'='1", '" OR 1=1 --', "_%"):
        assert json_of(kiosk.get("/api/kiosk/products", params={"q": q})) == []
        assert json_of(staff.get("/api/products", params={"q": q})) == []
    bad = staff.get("/api/inventory/1' OR '1'='1")
    assert bad.status_code == 422 and "gtin" in bad.json()["error"]
    assert staff.get("/api/items/00' OR 1=1 --").status_code == 422
    assert json_of(staff.get("/api/products", params={"limit": 500})) == before
    with sqlite3.connect(hub.db_path) as db:
        assert db.execute("SELECT COUNT(*) FROM products").fetchone()[0] == 3


def test_bad_input_gets_a_clear_4xx(hub: HubProcess) -> None:
    staff = hub.client()
    response = staff.get("/api/alerts", params={"limit": 100000})
    assert response.status_code == 422 and response.json()["error"].startswith("query.limit:")
    response = staff.put(f"/api/products/{NUTELLA}/reorder-point", json={"reorder_point": -3})
    assert response.status_code == 422 and "reorder_point" in response.json()["error"]
    response = staff.get("/api/products/3760000000018")
    assert response.status_code == 404 and "check digit" in response.json()["detail"]
    assert staff.get("/api/products/3760000099992").status_code in (404, 422)
    assert staff.post("/api/alerts/999999/acknowledge").status_code == 404


def test_public_endpoints_are_rate_limited(hub: HubProcess) -> None:
    kiosk = httpx.Client(base_url=hub.url)
    codes = [kiosk.get(f"/api/kiosk/products/{NUTELLA}").status_code for _ in range(700)]
    assert codes[0] == 200 and 429 in codes
    limited = kiosk.get(f"/api/kiosk/products/{NUTELLA}")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert httpx.get(f"{hub.url}/api/health").status_code == 200  # health is not the kiosk's budget
