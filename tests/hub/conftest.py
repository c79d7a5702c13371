"""Fixtures of the hub tests: one broker and one hub process per test module, reset between tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import BrokerHandle
from tests.hub.support import HubProcess, Publisher


@pytest.fixture(scope="module")
def hub(broker: BrokerHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    # a short exit grace on the real clock: an unpaid exit's alert comes ~0.5 s after its passage
    process = HubProcess(Path(tmp_path_factory.mktemp("hub")), broker.url, fusion={"exit_grace_s": 0.5})
    process.prepare()
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def publisher(broker: BrokerHandle) -> Iterator[Publisher]:
    pub = Publisher(broker.host, broker.port)
    try:
        yield pub
    finally:
        pub.close()
