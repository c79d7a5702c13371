"""Fixtures of the dashboard tests: one broker, one hub and one Chromium per module.

The browser is Debian's chromium at /usr/bin/chromium, driven by Playwright
for Python (never a downloaded browser). A missing browser fails the tests:
the dashboard is not tested without one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import BrokerHandle
from tests.dashboard.support import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, TABLET, DashboardHub
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


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    assert os.access(CHROMIUM, os.X_OK), (
        f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); .ci/run does it in CI"
    )
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)  # a loaded 2-core CI machine; the 3 s live-update bound is asserted apart
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


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
