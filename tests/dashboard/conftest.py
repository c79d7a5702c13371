"""Fixtures of the dashboard tests: one broker, one hub and one Chromium per module.

The browser is Debian's chromium at /usr/bin/chromium, driven by Playwright
for Python (never a downloaded browser). A missing browser fails the tests:
the dashboard is not tested without one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import BrokerHandle
from tests.dashboard.support import ARTIFACTS, TABLET, DashboardHub
from tests.hub.support import Publisher


@pytest.fixture(scope="module")
def hub(broker: BrokerHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DashboardHub]:
    process = DashboardHub(Path(tmp_path_factory.mktemp("hub")), broker.url)
    process.prepare()
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def publisher(broker: BrokerHandle) -> Iterator[Publisher]:
    pub = Publisher(broker.host, broker.port, client_id="dashboard-test-publisher")
    try:
        yield pub
    finally:
        pub.close()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest, hub: DashboardHub) -> Iterator[object]:
    """A fresh tablet-sized browser tab; its screenshot is saved as an artifact when the test ends."""
    context = browser.new_context(viewport=TABLET, locale="fr-FR", base_url=hub.url)
    outside: list[str] = []
    context.on("request", lambda r: outside.append(r.url) if not r.url.startswith(hub.url) else None)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    try:
        yield tab
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        try:
            tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        finally:
            context.close()
    assert not outside, f"pages loaded something from elsewhere: {outside}"
