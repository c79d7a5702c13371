"""Shared fixtures: a real MQTT broker per test.

Mosquitto when the binary exists (always in CI, where ``.ci/run`` installs
it); otherwise the embedded amqtt broker, started as a separate process. In
CI a missing mosquitto is a failure, never a silent fallback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from comptoir.link import BrokerSettings
from comptoir.mosquitto import Mosquitto, free_port, mosquitto_binary, wait_for_port


@dataclass
class EmbeddedBroker:
    """The embedded broker in its own process, restartable on the same port."""

    port: int = field(default_factory=free_port)
    host: str = "127.0.0.1"
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "comptoir", "broker", "--host", self.host, "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.host, self.port, timeout=20)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None


@dataclass
class BrokerHandle:
    """What a test gets: the broker's URL and settings, and the power switch."""

    impl: Mosquitto | EmbeddedBroker
    kind: str

    @property
    def url(self) -> str:
        return self.impl.url

    @property
    def host(self) -> str:
        return self.impl.host

    @property
    def port(self) -> int:
        return self.impl.port

    def settings(self, **overrides: object) -> BrokerSettings:
        return BrokerSettings(url=self.url, reconnect_min_s=0.1, reconnect_max_s=0.5, **overrides)

    def start(self) -> None:
        self.impl.start()

    def stop(self) -> None:
        self.impl.stop()


def make_broker(tmp_path: Path) -> BrokerHandle:
    if mosquitto_binary():
        return BrokerHandle(Mosquitto(tmp_path / "mosquitto"), "mosquitto")
    if os.environ.get("CI"):
        pytest.fail("CI must test against mosquitto, and no mosquitto binary was found")
    return BrokerHandle(EmbeddedBroker(), "embedded")


@pytest.fixture
def mqtt_broker(tmp_path: Path) -> Iterator[BrokerHandle]:
    """A running broker for one test."""
    handle = make_broker(tmp_path)
    handle.start()
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def stopped_broker(tmp_path: Path) -> Iterator[BrokerHandle]:
    """A broker that is not started yet: the test decides when it comes up."""
    handle = make_broker(tmp_path)
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerHandle]:
    """One running broker shared by the tests of a module (a hub process per module uses it)."""
    handle = make_broker(tmp_path_factory.mktemp("broker"))
    handle.start()
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Chromium for the page tests of one module (tests/support/browser.py)."""
    from tests.support.browser import headless_chromium

    with headless_chromium() as chromium:
        yield chromium
