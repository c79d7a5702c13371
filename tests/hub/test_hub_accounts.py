"""Roles, accounts and the kiosk's customer tokens, on a real hub process (real mosquitto, the CLI, HTTP).

Issue 16, part 4: the public side shows no personal data; the manager role is enforced; an account cannot
be overwritten by accident; a new password or a disabled account ends its sessions; state-changing requests
from another site are refused; sign-in never sends a visitor to another site.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from comptoir.contract import PosReceipt
from tests.conftest import BrokerHandle
from tests.hub.support import NUTELLA, Devices, HubProcess, Publisher, comptoir, json_of, wait_for

CARD, OTHER_CARD, UNKNOWN_CARD = "card-0042", "card-0043", "card-9999"


@pytest.fixture(scope="module")
def hub(broker: BrokerHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    process = HubProcess(Path(tmp_path_factory.mktemp("hub-accounts")), broker.url,
                         api={"kiosk_token_minutes": 0.05, "login_rate_per_minute": 1000})
    process.prepare()
    done = comptoir("hub", "--config", str(process.config_path), "create-user", "leo", "--role", "staff",
                    "--password-stdin", stdin="baguette-77\n")
    assert done.returncode == 0, done.stderr
    process.start()
    try:
        yield process
    finally:
        process.stop()


def cli(hub: HubProcess, *args: str, stdin: str | None = None) -> tuple[int, str]:
    done = comptoir("hub", "--config", str(hub.config_path), *args, stdin=stdin)
    return done.returncode, done.stdout + done.stderr


def sign_in(hub: HubProcess, user: str, password: str) -> httpx.Response:
    return httpx.post(f"{hub.url}/api/session", json={"username": user, "password": password}, timeout=10)


@pytest.fixture(scope="module")
def loyal(hub: HubProcess, broker: BrokerHandle) -> str:
    """CARD bought Nutella (a real receipt through MQTT, linked at the till) and consented; OTHER_CARD did not."""
    staff = hub.client()
    publisher = Publisher(broker.host, broker.port, client_id="accounts-pos")
    try:
        devices = Devices()
        for n, card in enumerate((CARD, OTHER_CARD), start=1):
            publisher.send(devices.make(PosReceipt, "lane-1", lane="lane-1", receipt_id=f"R-{n}", total_cents=389,
                                        lines=[{"gtin": NUTELLA, "quantity": 1, "unit_price_cents": 389}]))
            wait_for(lambda card=card, n=n: staff.post(f"/api/privacy/customers/{card}/receipts",
                                                       json={"lane": "lane-1", "receipt_id": f"R-{n}"}).status_code
                     == 201, what="the receipt to be ingested and linked")
    finally:
        publisher.close()
    json_of(staff.post(f"/api/privacy/customers/{CARD}/consent", json={"given": True}))
    return CARD


def test_the_kiosk_never_answers_by_card_id(hub: HubProcess, loyal: str) -> None:
    kiosk = httpx.Client(base_url=hub.url, timeout=10)
    answers = {card: kiosk.get("/api/kiosk/recommendations", params={"customer": card})
               for card in (loyal, OTHER_CARD, UNKNOWN_CARD)}
    # the same answer for a consenting card, a card without consent and no card at all: nothing to tell apart
    assert {a.status_code for a in answers.values()} == {422}
    assert len({a.text for a in answers.values()}) == 1 and "token" in answers[loyal].json()["detail"]
    plain = json_of(kiosk.get("/api/kiosk/recommendations"))
    forged = json_of(kiosk.get("/api/kiosk/recommendations", headers={"X-Customer-Token": loyal}))
    assert not plain["personalised"] and forged == plain


def test_a_scanned_card_opens_personal_suggestions_for_minutes(hub: HubProcess, loyal: str) -> None:
    staff, kiosk = hub.client(), httpx.Client(base_url=hub.url, timeout=10)
    assert kiosk.post(f"/api/privacy/customers/{loyal}/kiosk-token", headers={"Origin": hub.url}).status_code == 401
    refused = staff.post(f"/api/privacy/customers/{OTHER_CARD}/kiosk-token")
    assert refused.status_code == 409 and "consented" in refused.json()["detail"]
    issued = staff.post(f"/api/privacy/customers/{loyal}/kiosk-token")
    assert issued.status_code == 201, issued.text
    token = issued.json()["token"]
    assert loyal not in token and issued.json()["expires_in_s"] == pytest.approx(3.0)
    mine = json_of(kiosk.get("/api/kiosk/recommendations", headers={"X-Customer-Token": token}))
    assert mine["personalised"]
    # the token expires (3 s here, minutes by default): then the answer is the anonymous one
    wait_for(lambda: not json_of(kiosk.get("/api/kiosk/recommendations", headers={"X-Customer-Token": token}))[
        "personalised"], timeout=30, what="the token to expire")
    # a withdrawal ends the card's tokens at once
    token = staff.post(f"/api/privacy/customers/{loyal}/kiosk-token").json()["token"]
    json_of(staff.post(f"/api/privacy/customers/{loyal}/consent", json={"given": False}))
    assert not json_of(kiosk.get("/api/kiosk/recommendations", headers={"X-Customer-Token": token}))["personalised"]
    json_of(staff.post(f"/api/privacy/customers/{loyal}/consent", json={"given": True}))


MANAGER_ACTIONS = [
    ("GET", f"/api/privacy/customers/{CARD}/export", None),
    ("DELETE", f"/api/privacy/customers/{UNKNOWN_CARD}", None),
    ("POST", "/api/privacy/purge-expired", None),
    ("GET", "/api/users", None),
    ("POST", "/api/users", {"username": "intruder", "password": "long-enough-1", "role": "manager"}),
    ("POST", "/api/purchase-orders", None),
    ("PUT", f"/api/products/{NUTELLA}/reorder-point", {"reorder_point": 1}),
    ("PUT", f"/api/reorder/reservations/{NUTELLA}", {"quantity": 2}),
    ("POST", "/api/reorder/promotions", {"gtin": NUTELLA, "first_day": "2030-01-01", "last_day": "2030-01-02"}),
    ("POST", "/api/reorder/suggestions/1/approve", None),
]


def test_manager_actions_are_refused_to_staff(hub: HubProcess) -> None:
    leo = hub.client("leo", "baguette-77")
    for method, path, body in MANAGER_ACTIONS:
        response = leo.request(method, path, json=body)
        assert response.status_code == 403, (method, path, response.text)
        assert "manager" in response.json()["detail"]
    assert "intruder" not in {a["username"] for a in json_of(hub.client().get("/api/users"))}
    assert leo.get("/api/products").status_code == 200  # a staff member keeps the staff actions
    marie = hub.client()
    assert marie.get(f"/api/privacy/customers/{CARD}/export").status_code == 200
    assert marie.put(f"/api/reorder/reservations/{NUTELLA}", json={"quantity": 0}).status_code == 204


def test_create_user_never_overwrites_and_a_new_password_ends_sessions(hub: HubProcess) -> None:
    session = hub.client()
    code, said = cli(hub, "create-user", "marie", "--password-stdin", stdin="taken-over-99\n")
    assert code != 0 and "already exists" in said and "--reset-password" in said
    assert sign_in(hub, "marie", "taken-over-99").status_code == 401
    assert session.get("/api/session").status_code == 200
    code, said = cli(hub, "create-user", "marie", "--reset-password", "--password-stdin", stdin="croissant-43\n")
    assert code == 0 and "session(s) ended" in said, said
    assert session.get("/api/session").status_code == 401
    assert sign_in(hub, "marie", "croissant-42").status_code == 401
    assert sign_in(hub, "marie", "croissant-43").status_code == 200
    code, said = cli(hub, "create-user", "marie", "--reset-password", "--password-stdin", stdin="croissant-42\n")
    assert code == 0, said
    # a setup script may run the same line every time: --reset-password creates an account not there yet
    code, said = cli(hub, "create-user", "fresh", "--reset-password", "--password-stdin", stdin="brand-new-1\n")
    assert code == 0 and sign_in(hub, "fresh", "brand-new-1").status_code == 200, said


def test_users_command_lists_disables_enables_and_deletes(hub: HubProcess) -> None:
    code, said = cli(hub, "create-user", "temp", "--password-stdin", stdin="temporary-1\n")
    assert code == 0, said
    temp = hub.client("temp", "temporary-1")
    code, listing = cli(hub, "users", "list")
    assert code == 0 and any(line.split()[:3] == ["temp", "staff", "active"] for line in listing.splitlines())
    code, said = cli(hub, "users", "disable", "temp")
    assert code == 0 and "1 session(s) ended" in said, said
    assert temp.get("/api/session").status_code == 401
    assert sign_in(hub, "temp", "temporary-1").status_code == 401
    assert "disabled" in next(line for line in cli(hub, "users", "list")[1].splitlines() if line.startswith("temp"))
    assert cli(hub, "users", "enable", "temp")[0] == 0
    assert sign_in(hub, "temp", "temporary-1").status_code == 200
    assert cli(hub, "users", "delete", "temp", "--yes")[0] == 0
    assert sign_in(hub, "temp", "temporary-1").status_code == 401
    code, said = cli(hub, "users", "disable", "nobody")
    assert code != 0 and "no user nobody" in said


def test_the_accounts_api_mirrors_the_command(hub: HubProcess) -> None:
    marie = hub.client()
    made = marie.post("/api/users", json={"username": "paul", "password": "pain-au-lait", "role": "staff"})
    assert made.status_code == 201 and made.json()["role"] == "staff"
    again = marie.post("/api/users", json={"username": "paul", "password": "another-one", "role": "manager"})
    assert again.status_code == 409 and sign_in(hub, "paul", "pain-au-lait").status_code == 200
    paul = hub.client("paul", "pain-au-lait")
    assert json_of(marie.post("/api/users/paul/disable"))["disabled"] and paul.get("/api/session").status_code == 401
    assert marie.post("/api/users/marie/disable").status_code == 409  # no manager locks themself out
    assert json_of(marie.post("/api/users/paul/enable"))["disabled"] is None
    assert json_of(marie.put("/api/users/paul/password", json={"password": "pain-au-sucre"}))["sessions"] == 0
    assert marie.delete("/api/users/paul").status_code == 204 and marie.delete("/api/users/paul").status_code == 404


def test_state_changing_requests_from_another_site_are_refused(hub: HubProcess) -> None:
    marie = hub.client()
    cookie = {"comptoir_session": marie.cookies["comptoir_session"]}
    path = "/api/alerts/999999/acknowledge"  # 404 once past the guard: nothing changes either way
    evil = httpx.post(f"{hub.url}{path}", cookies=cookie, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403 and "evil.example" in evil.json()["detail"]
    referer = httpx.post(f"{hub.url}{path}", cookies=cookie, headers={"Referer": "http://evil.example/page"})
    assert referer.status_code == 403
    bare = httpx.post(f"{hub.url}{path}", cookies=cookie)
    assert bare.status_code == 403 and "Origin" in bare.json()["detail"]
    assert httpx.post(f"{hub.url}{path}", cookies=cookie, headers={"Origin": hub.url}).status_code == 404
    token = marie.post("/api/session", json={"username": "marie", "password": "croissant-42"}).json()["token"]
    assert httpx.post(f"{hub.url}{path}", headers={"Authorization": f"Bearer {token}"}).status_code == 404
    login = httpx.post(f"{hub.url}/api/session", json={"username": "marie", "password": "croissant-42"},
                       headers={"Origin": "https://evil.example"})
    assert login.status_code == 403  # no signing a browser in from another site either


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil.example",
                                    "/\t/evil.example", "/\r\n/evil.example", "http:/evil.example"])
def test_sign_in_never_sends_a_visitor_away(hub: HubProcess, target: str) -> None:
    page = httpx.get(f"{hub.url}/signin", params={"next": target}, timeout=10)
    assert page.status_code == 200 and 'data-next="/map"' in page.text
    signed = hub.client()
    away = signed.get("/signin", params={"next": target}, follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"] == "/map"


def test_kiosk_search_of_only_spaces_is_a_clear_422(hub: HubProcess) -> None:
    answer = httpx.get(f"{hub.url}/api/kiosk/products", params={"q": "   "}, timeout=10)
    assert answer.status_code == 422 and "query.q" in answer.json()["error"]


def test_a_body_over_the_limit_is_a_413_and_the_hub_goes_on(hub: HubProcess) -> None:
    big = b'{"text": "' + b"a" * 300_000 + b'"}'
    declared = httpx.post(f"{hub.url}/api/kiosk/ask", content=big, headers={"Content-Type": "application/json"})
    assert declared.status_code == 413 and "bytes" in declared.json()["detail"]

    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(40):
            yield b"a" * 10_000
        yield b'"}'

    streamed = httpx.post(f"{hub.url}/api/kiosk/ask", content=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413
    assert httpx.get(f"{hub.url}/api/health").status_code == 200


def test_the_api_document_is_for_staff_only_by_default(hub: HubProcess) -> None:
    assert httpx.get(f"{hub.url}/openapi.json").status_code == 401
    assert httpx.get(f"{hub.url}/docs").status_code == 401
    document = json_of(hub.client().get("/openapi.json"))
    assert "/api/kiosk/recommendations" in document["paths"]
