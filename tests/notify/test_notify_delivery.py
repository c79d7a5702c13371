"""Alerts reach people through real local servers: an ntfy topic, a signed webhook, an SMTP mailbox.

The hub's core runs in-process on a manual clock (repeats and escalations
follow the hub's clock, never sleeps); the worker is the real thread with its
own connection, delivering over real sockets.
"""

from __future__ import annotations

import email.header
import json
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from tests.hub.support import NUTELLA, epc, wait_for
from tests.notify.servers import HttpReceiver, MailBox
from tests.notify.support import SECRET, Core, make_core, verified


@pytest.fixture
def ntfy() -> Iterator[HttpReceiver]:
    server = HttpReceiver()
    yield server
    server.close()


@pytest.fixture
def hook() -> Iterator[HttpReceiver]:
    server = HttpReceiver()
    yield server
    server.close()


@pytest.fixture
def mailbox() -> Iterator[MailBox]:
    box = MailBox()
    yield box
    box.close()


def channels(ntfy: HttpReceiver, hook: HttpReceiver, mailbox: MailBox | None = None) -> dict[str, object]:
    found: dict[str, object] = {
        "floor": {"type": "ntfy", "server": ntfy.url, "topic": "comptoir-floor"},
        "till-system": {"type": "webhook", "url": f"{hook.url}/comptoir", "secret": SECRET},
    }
    if mailbox is not None:
        found["manager"] = {"type": "email", "host": "127.0.0.1", "port": mailbox.port, "starttls": False,
                            "sender": "hub@shop.example", "to": ["gerante@shop.example"]}
    return found


@pytest.fixture
def core(tmp_path: Path, ntfy: HttpReceiver, hook: HttpReceiver, mailbox: MailBox) -> Iterator[Core]:
    made = make_core(tmp_path, {
        "channels": channels(ntfy, hook, mailbox),
        "rules": {"theft": {"kinds": ["unpaid_item_exit"], "channels": ["floor", "till-system"],
                            "repeat_every_min": 5, "escalate_after_min": 15, "escalate_to": ["manager"]}},
    })
    yield made
    made.worker.stop()


def decoded(header: str) -> str:
    return str(email.header.make_header(email.header.decode_header(header)))


def test_a_theft_reaches_the_ntfy_topic_and_the_signed_webhook_in_the_shops_language(
        core: Core, ntfy: HttpReceiver, hook: HttpReceiver) -> None:
    alert_id = core.theft(1)
    wait_for(lambda: ntfy.to("/comptoir-floor") and hook.to("/comptoir"), 10, "both deliveries")
    push = ntfy.to("/comptoir-floor")[0]
    assert push.headers["Title"].startswith("=?utf-8?b?")  # RFC 2047: HTTP headers are not UTF-8
    assert decoded(push.headers["Title"]) == f"Comptoir : Article non payé passé au portique (étiquette {epc(1)})"
    assert push.headers["Priority"] == "4"
    assert push.headers["Tags"] == "rotating_light,unpaid_item_exit"
    assert push.body.decode() == f"Article non payé passé au portique : GTIN {NUTELLA} (étiquette {epc(1)})"
    assert epc(1) in push.body.decode()
    call = hook.to("/comptoir")[0]
    assert verified(SECRET, call.headers, call.body)
    assert not verified("another-secret-of-16-chars", call.headers, call.body)
    payload = json.loads(call.body)
    assert payload["step"] == "first" and payload["alert"]["id"] == alert_id
    assert payload["alert"]["epc"] == epc(1) and payload["alert"]["kind"] == "unpaid_item_exit"
    tampered = call.body.replace(epc(1).encode(), epc(2).encode())
    assert not verified(SECRET, call.headers, tampered)
    # the server has the request before the worker has its answer and records it: wait for the record
    wait_for(lambda: {d["state"] for d in core.deliveries(alert_id)} == {"sent"}, 10, "both deliveries recorded")
    sent = core.deliveries(alert_id)
    assert {(d["channel"], d["step"], d["state"], d["attempts"]) for d in sent} == {
        ("floor", "first", "sent", 1), ("till-system", "first", "sent", 1)}
    assert core.channels()["floor"]["state"] == "ok"


def test_no_second_notice_before_the_repeat_and_none_once_acknowledged(
        core: Core, ntfy: HttpReceiver, hook: HttpReceiver) -> None:
    alert_id = core.theft(2)
    wait_for(lambda: len(ntfy.requests) == 1 and len(hook.requests) == 1, 10, "the first notices")
    core.later(4 * 60 + 59)  # repeat every 5 min: not yet
    assert (len(ntfy.requests), len(hook.requests)) == (1, 1)
    core.later(1)
    wait_for(lambda: len(ntfy.requests) == 2 and len(hook.requests) == 2, 10, "the first repeat")
    assert decoded(ntfy.requests[1].headers["Title"]).startswith("Rappel 1, non acquitté : Article non payé passé")
    assert json.loads(hook.requests[1].body)["step"] == "repeat"
    core.acknowledge(alert_id)
    core.later(60 * 60)  # an hour: twelve repeats would be due, and the escalation
    assert (len(ntfy.requests), len(hook.requests)) == (2, 2)
    steps = sorted((d["channel"], d["step"], d["step_no"]) for d in core.deliveries(alert_id))
    assert steps == [("floor", "first", 0), ("floor", "repeat", 1), ("till-system", "first", 0),
                     ("till-system", "repeat", 1)]


def test_escalation_mails_the_manager_once_after_fifteen_minutes_unacknowledged(
        core: Core, mailbox: MailBox, ntfy: HttpReceiver) -> None:
    core.theft(3)
    wait_for(lambda: ntfy.requests, 10, "the first notice")
    core.later(14 * 60 + 59)
    assert mailbox.messages == []
    core.later(1)
    wait_for(lambda: mailbox.messages, 10, "the escalation mail")
    core.later(30 * 60)
    assert len(mailbox.messages) == 1
    mail = mailbox.messages[0]
    assert mail["Subject"] == f"Non acquitté depuis 15 min : Article non payé passé au portique (étiquette {epc(3)})"
    assert mail["To"] == "gerante@shop.example" and mail["From"] == "hub@shop.example"
    assert epc(3) in mail.get_content()


def test_a_second_theft_is_its_own_alert_and_gets_its_own_notice(core: Core, ntfy: HttpReceiver) -> None:
    core.theft(4)
    core.theft(5)
    wait_for(lambda: len(ntfy.requests) == 2, 10, "a notice per stolen item")
    assert {epc(4) in r.body.decode() for r in ntfy.requests} == {True, False}


def test_acknowledging_a_lasting_alert_stops_its_repeats_while_it_stays_open(
        tmp_path: Path, ntfy: HttpReceiver, hook: HttpReceiver) -> None:
    core = make_core(tmp_path, {"channels": channels(ntfy, hook),
                                "rules": {"devices": {"kinds": ["device_offline"], "channels": ["floor"],
                                                      "repeat_every_min": 10}}})
    try:
        with core.ingest.db.conn:
            core.ingest.alerts.device_offline("reader-1", "rfid-reader", "reader: no keepalive for 30 s",
                                              core.clock.now().timestamp())
        alert_id = core.ingest.alerts.open["device_offline:reader-1"].id
        core.settle()
        core.later(600)
        wait_for(lambda: len(ntfy.requests) == 2, 10, "the notice and its first repeat")
        core.acknowledge(alert_id)
        core.later(3600)
        assert "device_offline:reader-1" in core.ingest.alerts.open  # still offline, but someone has seen it
        assert len(ntfy.requests) == 2
    finally:
        core.worker.stop()


def test_mail_goes_through_starttls_and_a_login_when_the_server_asks(tmp_path: Path, ntfy: HttpReceiver) -> None:
    ca = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_tls)
    ca.cert_pem.write_to_path(str(tmp_path / "shop-ca.pem"))
    box = MailBox(tls=server_tls, logins={"hub@shop.example": "smtp-pass"})
    mail = {"type": "email", "host": "127.0.0.1", "port": box.port, "sender": "hub@shop.example",
            "to": ["gerante@shop.example"], "username": "hub@shop.example", "password": "smtp-pass"}
    core = make_core(tmp_path, {"channels": {
        "tls": {**mail, "ca_file": str(tmp_path / "shop-ca.pem")},
        "plain": {**mail, "starttls": False},             # the server requires STARTTLS: refused
        "untrusted": mail},                               # the system's CAs do not know the shop's: refused
        "rules": {"theft": {"kinds": ["unpaid_item_exit"], "channels": ["tls", "plain", "untrusted"]}}})
    try:
        core.theft(70)
        wait_for(lambda: box.messages, 10, "the mail over STARTTLS")
        wait_for(lambda: {"plain", "untrusted"} <= {c for c, r in core.channels().items() if r["state"] == "failing"},
                 10, "the two refusals")
        channels = core.channels()
        assert channels["tls"]["state"] == "ok" and box.logged_in == ["hub@shop.example"]
        # the server offers AUTH only after STARTTLS: a client that does not upgrade cannot log in
        assert channels["plain"]["last_error"] == "SMTPNotSupportedError: SMTP AUTH extension not supported by server."
        assert "CERTIFICATE_VERIFY_FAILED" in channels["untrusted"]["last_error"]
        assert len(box.messages) == 1
    finally:
        core.worker.stop()
        box.close()
