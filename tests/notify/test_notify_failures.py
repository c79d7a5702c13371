"""A channel that fails: recorded with why, retried with backoff, sent when it comes back, across a restart of the
worker; ingest never waits for it; quiet hours hold notices; the queue is bounded and says what it dropped."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from comptoir.mosquitto import free_port
from hub.notify import NotifySettings, NotifyWorker
from tests.hub.support import wait_for
from tests.notify.servers import HttpReceiver
from tests.notify.support import PARIS, Core, make_core

RULE = {"kinds": ["unpaid_item_exit"], "channels": ["floor"]}


@pytest.fixture
def ntfy() -> Iterator[HttpReceiver]:
    server = HttpReceiver()
    yield server
    server.close()


def floor(url: str, **more: object) -> dict[str, object]:
    return {"channels": {"floor": {"type": "ntfy", "server": url, "topic": "floor", "timeout_s": 10, **more}},
            "rules": {"theft": RULE}}


@pytest.fixture
def core(tmp_path: Path, ntfy: HttpReceiver) -> Iterator[Core]:
    made = make_core(tmp_path, floor(ntfy.url))
    yield made
    made.worker.stop()


def test_a_channel_down_is_retried_with_backoff_and_sends_when_it_comes_back_even_after_a_restart(
        core: Core, ntfy: HttpReceiver) -> None:
    ntfy.status = 503
    alert_id = core.theft(10)
    wait_for(lambda: core.channels().get("floor", {}).get("state") == "failing", 10, "the channel seen failing")
    channel = core.channels()["floor"]
    assert channel["last_error"] == "HTTP 503: down for maintenance" and channel["waiting"] == 1
    [delivery] = core.deliveries(alert_id)
    assert (delivery["state"], delivery["attempts"]) == ("pending", 1)
    assert delivery["due"] - delivery["created"] == 30  # retry_min_s
    core.later(29)
    assert len(ntfy.requests) == 1, "retried before its backoff"
    core.later(1)
    wait_for(lambda: core.deliveries(alert_id)[0]["attempts"] == 2, 10, "the second try")
    [delivery] = core.deliveries(alert_id)
    assert delivery["due"] - core.clock.now().timestamp() == 60  # the wait doubled
    core.worker.stop()  # the hub stops with the notice still owed
    ntfy.status = 200
    core.worker = NotifyWorker(core.path, core.worker.settings, core.clock, PARIS)
    core.worker.start()
    core.later(60)
    wait_for(lambda: core.deliveries(alert_id)[0]["state"] == "sent", 10, "the notice, once the channel is back")
    assert core.deliveries(alert_id)[0]["attempts"] == 3
    assert len([r for r in ntfy.requests if r.path == "/floor"]) == 3
    channel = core.channels()["floor"]
    assert (channel["state"], channel["failures"], channel["waiting"]) == ("ok", 0, 0)


def test_an_unreachable_server_is_said_plainly_and_given_up_after_the_configured_time(tmp_path: Path) -> None:
    nobody = f"http://127.0.0.1:{free_port()}"
    core = make_core(tmp_path, {**floor(nobody), "give_up_after_h": 1})
    try:
        alert_id = core.theft(11)
        wait_for(lambda: core.channels().get("floor", {}).get("state") == "failing", 10, "the refusal")
        assert "ConnectError" in core.channels()["floor"]["last_error"]
        core.later(3600)
        wait_for(lambda: core.deliveries(alert_id)[0]["state"] == "failed", 10, "giving up")
        assert "ConnectError" in core.deliveries(alert_id)[0]["last_error"]
    finally:
        core.worker.stop()


def test_ingest_raises_alerts_while_the_channel_hangs(core: Core, ntfy: HttpReceiver) -> None:
    ntfy.hold = True  # the server takes the request and never answers until released
    core.theft(12)
    assert ntfy.holding.wait(10), "the first notice never reached the server"
    for n in range(13, 23):  # ingest goes on writing alerts while the worker is stuck in a send
        core.theft(n)
    assert not ntfy.requests, "the server answered: the test did not hold it"
    assert len(core.ingest.alerts.open) == 11
    ntfy.hold = False
    ntfy.release()
    wait_for(lambda: len([d for d in core.deliveries() if d["state"] == "sent"]) == 11, 20, "every notice")


def test_quiet_hours_hold_the_notice_until_they_end(tmp_path: Path, ntfy: HttpReceiver) -> None:
    night = datetime(2026, 12, 2, 22, 30, tzinfo=UTC)  # 23:30 in Paris
    rule = {**RULE, "quiet_hours": {"start": "22:00", "end": "07:00"}, "repeat_every_min": 30}
    core = make_core(tmp_path, {**floor(ntfy.url), "rules": {"theft": rule}}, start=night)
    try:
        alert_id = core.theft(30)
        core.settle()
        [delivery] = core.deliveries(alert_id)
        assert delivery["state"] == "pending"
        assert datetime.fromtimestamp(delivery["due"], PARIS).strftime("%H:%M") == "07:00"
        core.later(7 * 3600)  # 06:30: still quiet, and no repeat piles up meanwhile
        assert ntfy.requests == [] and len(core.deliveries(alert_id)) == 1
        core.later(1800)
        wait_for(lambda: ntfy.requests, 10, "the notice at 07:00")
        core.later(60)  # 07:01: the repeat comes a whole period after the notice sent at 07:00, not at once
        core.settle()
        assert len(ntfy.requests) == 1
        core.later(29 * 60)
        wait_for(lambda: len(ntfy.requests) == 2, 10, "the repeat at 07:30")
    finally:
        core.worker.stop()


def test_the_queue_is_bounded_and_records_what_it_dropped(tmp_path: Path, ntfy: HttpReceiver) -> None:
    ntfy.status = 503
    core = make_core(tmp_path, {**floor(ntfy.url), "max_pending": 10, "retry_min_s": 3600})
    try:
        for n in range(40, 52):
            core.theft(n)
        core.settle()
        states = sorted(d["state"] for d in core.deliveries())
        assert states == ["dropped"] * 2 + ["pending"] * 10
        dropped = [d for d in core.deliveries() if d["state"] == "dropped"]
        assert {d["last_error"] for d in dropped} == {"queue full (10 deliveries waiting)"}
    finally:
        core.worker.stop()


def test_alerts_raised_while_notifications_were_off_are_sent_once_they_are_on(
        tmp_path: Path, ntfy: HttpReceiver) -> None:
    core = make_core(tmp_path, {})  # notifications off: the worker does not start
    core.theft(60)
    with sqlite3.connect(core.path) as conn:
        mark = conn.execute("SELECT value FROM notify_progress WHERE name='alerts'").fetchone()[0]
    assert mark == 0  # the database was made before the alert: nothing is skipped that came later
    core.worker = NotifyWorker(core.path, NotifySettings.model_validate({**floor(ntfy.url), "poll_s": 0.05}),
                               core.clock, PARIS)
    core.worker.start()
    try:
        wait_for(lambda: ntfy.requests, 10, "the alert raised while notifications were off")
    finally:
        core.worker.stop()


@pytest.mark.parametrize(("notify", "says"), [
    ({"channels": {}, "rules": {"r": RULE}}, "names channel 'floor', which is not in notify.channels"),
    ({"rules": {"r": {**RULE, "escalate_after_min": 10}}}, "escalate_after_min and escalate_to go together"),
    ({"channels": {"Floor!": {"type": "ntfy", "server": "http://x", "topic": "t"}}}, "name 'Floor!'"),
    ({"channels": {"h": {"type": "webhook", "url": "http://x", "secret": "short"}}}, "needs at least 16 characters"),
    ({"channels": {"p": {"type": "pager", "url": "http://x"}}}, "does not match any of the expected tags"),
    ({"language": "de"}, "language 'de': the catalog has"),
])
def test_a_wrong_configuration_names_what_is_wrong(notify: dict[str, object], says: str) -> None:
    base = {"channels": {"floor": {"type": "ntfy", "server": "http://127.0.0.1:1", "topic": "floor"}}}
    with pytest.raises(ValidationError) as caught:
        NotifySettings.model_validate({**base, **notify})
    assert says in str(caught.value)
