"""Hostile notification channels and configurations: servers that answer garbage, reset, hang or flood, and
``notify:`` sections made up by hypothesis. Every faulty delivery is recorded with a short reason and retried,
the worker keeps running, and once the server behaves every notice is sent (nothing lost); every made-up
configuration is accepted or refused with a ValidationError, never another exception. Sized by
COMPTOIR_HOSTILE_SCALE."""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from hub.notify import NotifySettings
from tests.hostile.scale import hostile_scale
from tests.hub.support import wait_for
from tests.notify.support import make_core

FAULTS = ("garbage", "reset", "huge-error", "hang", "half-answer")


class FaultyServer(socketserver.ThreadingTCPServer):
    """A TCP server on 127.0.0.1 that answers each request as ``mode`` says; ``ok`` answers HTTP 200."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        self.mode = "ok"
        self.served = 0
        self.stop = threading.Event()
        super().__init__(("127.0.0.1", 0), FaultyHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class FaultyHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        server: FaultyServer = self.server  # type: ignore[assignment]
        self.request.settimeout(5)
        try:
            self.request.recv(65536)
        except OSError:
            return
        server.served += 1
        mode = server.mode
        if mode == "garbage":
            self.request.sendall(b"\x00\xff\xfe not http at all\r\n\r\n")
        elif mode == "reset":
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        elif mode == "huge-error":
            body = b"E" * 1_000_000
            self.request.sendall(b"HTTP/1.1 500 Oops\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        elif mode == "hang":
            server.stop.wait(3)  # longer than the channel's timeout_s
        elif mode == "half-answer":
            self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort")
        else:
            self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")


@pytest.fixture
def server() -> Iterator[FaultyServer]:
    made = FaultyServer()
    yield made
    made.stop.set()
    made.shutdown()
    made.server_close()


def test_faulty_servers_are_recorded_retried_and_lose_nothing(tmp_path: Path, server: FaultyServer) -> None:
    rounds = hostile_scale()
    core = make_core(tmp_path, {"channels": {"floor": {"type": "ntfy", "server": server.url, "topic": "floor",
                                                       "timeout_s": 1}},
                                "rules": {"all": {"kinds": ["*"], "channels": ["floor"]}},
                                "retry_min_s": 10, "retry_max_s": 10})
    reasons: dict[str, str] = {}
    try:
        n = 0
        for _ in range(rounds):
            for fault in FAULTS:
                server.mode = fault
                n += 1
                alert_id = core.theft(n)
                wait_for(lambda a=alert_id: any(d["attempts"] for d in core.deliveries(a)), 20, f"a try: {fault}")
                [delivery] = core.deliveries(alert_id)
                assert delivery["state"] == "pending", (fault, delivery)
                assert delivery["last_error"] and len(delivery["last_error"]) <= 300, (fault, delivery)
                reasons[fault] = delivery["last_error"]
                core.later(10)  # the earlier ones are tried again against this fault, and fail again
        assert core.worker._thread is not None and core.worker._thread.is_alive()
        server.mode = "ok"
        core.later(10)
        wait_for(lambda: all(d["state"] == "sent" for d in core.deliveries()), 30, "every notice, once it behaves")
        sent = len(core.deliveries())
    finally:
        core.worker.stop()
    assert sent == n
    for fault, reason in sorted(reasons.items()):
        print(f"  {fault}: {reason}")
    print(f"HOSTILE part=notify-channels tried={n} rejected={n} accepted=0 alive=yes lost=0 sent_after={sent} "
          f"faults={len(FAULTS)}")


hostile_config = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10**7) | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12)
shaped = st.fixed_dictionaries({}, optional={
    "channels": st.dictionaries(st.sampled_from(["floor", "Floor!", "", "x" * 50, "hook"]), st.fixed_dictionaries(
        {"type": st.sampled_from(["ntfy", "webhook", "email", "pager", 3])},
        optional={"server": hostile_config, "topic": hostile_config, "url": hostile_config,
                  "secret": hostile_config, "host": hostile_config, "to": hostile_config, "sender": hostile_config,
                  "priority": hostile_config, "timeout_s": hostile_config}), max_size=3),
    "rules": st.dictionaries(st.sampled_from(["r", "theft", "R R"]), st.fixed_dictionaries({}, optional={
        "kinds": hostile_config, "channels": hostile_config, "quiet_hours": hostile_config,
        "repeat_every_min": hostile_config, "escalate_after_min": hostile_config, "escalate_to": hostile_config}),
        max_size=2),
    "language": hostile_config, "poll_s": hostile_config, "max_pending": hostile_config})


def test_made_up_configurations_are_accepted_or_refused_with_a_reason() -> None:
    seen = {"accepted": 0, "rejected": 0}

    @settings(max_examples=60 * hostile_scale(), deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(st.one_of(shaped, hostile_config))
    def run(config: object) -> None:
        try:
            NotifySettings.model_validate(config)
        except ValidationError as exc:
            assert str(exc).strip()
            seen["rejected"] += 1
        else:
            seen["accepted"] += 1

    run()
    tried = seen["accepted"] + seen["rejected"]
    assert seen["rejected"] > 0
    print(f"HOSTILE part=notify-config tried={tried} rejected={seen['rejected']} accepted={seen['accepted']} "
          f"alive=yes lost=0")
