"""Hostile HTTP bodies against every state-changing endpoint of a real ``comptoir hub`` process.

Huge bodies, deep JSON, wrong content types, invalid UTF-8, form-encoded junk, NUL in fields, oversized
headers and cookies, a Content-Length that lies, and arbitrary JSON values from hypothesis: each request gets a
4xx with a reason (or, for an endpoint that takes no body, its normal answer), never a 500 or a dropped
connection, and the hub answers its health check after. Sized by COMPTOIR_HOSTILE_SCALE.
"""

from __future__ import annotations

import json
import re
import socket
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import BrokerHandle
from tests.hostile.scale import hostile_scale
from tests.hub.support import NUTELLA, HubProcess, json_of

#: Values for path parameters: real where harmless, names of nothing where the action would destroy.
PATH_VALUES = {"gtin": NUTELLA, "alert_id": "1", "username": "nobody-here", "customer_id": "card-nobody",
               "po_id": "1", "suggestion_id": "1", "promotion_id": "1", "count_id": "1", "allocation_id": "1",
               "device": "no-such-device", "camera": "no-such-camera", "lot_id": "1", "markdown_id": "1"}
#: Ends the run's own session.
SKIP = {("DELETE", "/api/session")}
JSON = {"Content-Type": "application/json"}


def hostile_bodies() -> list[tuple[str, bytes, dict[str, str]]]:
    """(name, body, headers) of each hostile request body."""
    scale = hostile_scale()
    return [
        ("huge", b'{"text": "' + b"x" * (600_000 * scale) + b'"}', JSON),
        ("deep json", b"[" * 3000 + b"]" * 3000, JSON),
        ("deep object", b'{"a":' * 2000 + b"1" + b"}" * 2000, JSON),
        ("truncated json", b'{"username": "marie", "password": ', JSON),
        ("invalid utf-8", b'{"username": "\xff\xfe", "password": "\xc3\x28"}', JSON),
        ("nul in fields", json.dumps({"username": "ma\x00rie", "password": "\x00" * 10, "text": "a\x00b",
                                      "gtin": "376\x0000000001", "quantity": "\x00", "note": "\x00"}).encode(), JSON),
        ("form junk", b"a=1&b=%ZZ&&=&c=" + b"%00" * 100, {"Content-Type": "application/x-www-form-urlencoded"}),
        ("xml", b"<?xml version='1.0'?><!DOCTYPE a [<!ENTITY b 'c'>]><a>&b;</a>", {"Content-Type": "application/xml"}),
        ("no content type", b'{"quantity": 1}', {}),
        ("multipart junk", b"--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n" + b"b" * 1000,
         {"Content-Type": "multipart/form-data; boundary=x"}),
        ("big cookie", b"{}", {**JSON, "Cookie": "comptoir_session=" + "c" * 60_000}),
        ("big header", b"{}", {**JSON, "X-Padding": "h" * 60_000}),
    ]


@pytest.fixture(scope="module")
def hub(broker: BrokerHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    process = HubProcess(Path(tmp_path_factory.mktemp("hub-http")), broker.url,
                         api={"kiosk_rate_per_minute": 100_000, "login_rate_per_minute": 10_000})
    process.prepare()
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def signed_in(hub: HubProcess) -> dict[str, str]:
    token = json_of(hub.client().post("/api/session", json={"username": "marie", "password": "croissant-42"}))
    return {"Authorization": f"Bearer {token['token']}", "Origin": hub.url}


@pytest.fixture(scope="module")
def endpoints(hub: HubProcess, signed_in: dict[str, str]) -> list[tuple[str, str]]:
    """Every state-changing operation of the hub's own document, its path filled in."""
    document = json_of(httpx.get(f"{hub.url}/openapi.json", headers=signed_in, timeout=10))
    found = []
    for path, item in document["paths"].items():
        for method in item:
            if method.upper() in {"POST", "PUT", "PATCH", "DELETE"} and (method.upper(), path) not in SKIP:
                found.append((method.upper(), re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES[m.group(1)], path)))
    assert len(found) >= 20
    return found


class Tally:
    def __init__(self) -> None:
        self.statuses: Counter[int] = Counter()

    def check(self, response: httpx.Response, what: str) -> None:
        self.statuses[response.status_code] += 1
        assert response.status_code < 500, f"{what}: {response.status_code} {response.text[:300]}"
        if response.status_code >= 400:
            assert response.text.strip(), f"{what}: a {response.status_code} without a reason"
            if response.headers.get("content-type", "").startswith("application/json"):
                detail = response.json().get("detail")
                assert detail, f"{what}: {response.text[:200]}"


TALLY = Tally()


def lying_length(hub: HubProcess, method: str, path: str, headers: dict[str, str]) -> int:
    """A request whose Content-Length announces 100 GB and sends 15 bytes (raw socket: clients refuse to lie)."""
    head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{hub.port}", "Content-Type: application/json",
            "Content-Length: 99999999999", "Connection: close", *(f"{k}: {v}" for k, v in headers.items())]
    with socket.create_connection(("127.0.0.1", hub.port), timeout=30) as conn:
        conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + b'{"quantity": 1}')
        status_line = conn.makefile("rb").readline().decode()
    return int(status_line.split()[1])


def test_hostile_bodies_get_a_4xx_with_a_reason(hub: HubProcess, signed_in: dict[str, str],
                                                endpoints: list[tuple[str, str]]) -> None:
    with httpx.Client(base_url=hub.url, timeout=30, headers=signed_in) as client:
        for method, path in endpoints:
            for name, body, headers in hostile_bodies():
                response = client.request(method, path, content=body, headers=headers)
                TALLY.check(response, f"{method} {path} with {name}")
                if name == "huge":
                    assert response.status_code == 413, (method, path)
                if name in ("big cookie", "big header"):
                    assert response.status_code == 431, (method, path, name)
            status = lying_length(hub, method, path, signed_in)
            TALLY.statuses[status] += 1
            assert status == 413, (method, path, "Content-Length: 99999999999")
    assert httpx.get(f"{hub.url}/api/health", timeout=10).status_code == 200


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(
        st.sampled_from(["username", "password", "quantity", "gtin", "note", "lines", "given", "text", "role",
                         "first_day", "last_day", "reorder_point", "close", "from_dock", "purpose", "lane"])
        | st.text(max_size=10), inner, max_size=6),
    max_leaves=20)


@settings(max_examples=4 * hostile_scale(), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=json_values)
def test_any_json_value_gets_an_answer_not_a_crash(hub: HubProcess, signed_in: dict[str, str],
                                                   endpoints: list[tuple[str, str]], body: Any) -> None:
    with httpx.Client(base_url=hub.url, timeout=30, headers=signed_in) as client:
        for method, path in endpoints:
            TALLY.check(client.request(method, path, json=body), f"{method} {path} with {body!r:.100}")


def test_the_hub_stayed_up_and_lost_nothing(hub: HubProcess, signed_in: dict[str, str]) -> None:
    assert hub.proc is not None and hub.proc.poll() is None
    assert httpx.get(f"{hub.url}/api/health", timeout=10).status_code == 200
    # the account the run signed in with is whole: nothing a hostile body sent changed it
    assert httpx.get(f"{hub.url}/api/session", headers=signed_in, timeout=10).json()["username"] == "marie"
    tried = sum(TALLY.statuses.values())
    assert tried > 0 and not [s for s in TALLY.statuses if s >= 500]
    rejected = sum(n for s, n in TALLY.statuses.items() if s >= 400)
    codes = ",".join(f"{s}:{n}" for s, n in sorted(TALLY.statuses.items()))
    print(f"HOSTILE part=http tried={tried} rejected={rejected} accepted={tried - rejected} alive=yes lost=0 "
          f"server_errors=0 statuses={codes}")
