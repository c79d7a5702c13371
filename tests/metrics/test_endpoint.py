"""The shared endpoint (comptoir/metrics.py): off unless a port is given, loopback by default, and a collector
that fails costs its own figures only, never the scrape or the process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prometheus_client.core import Metric

from comptoir.metrics import MetricsSettings, counter, gauge, serve
from tests.metrics.support import scrape, value


def test_no_port_means_no_endpoint() -> None:
    assert MetricsSettings().port is None and MetricsSettings().host == "127.0.0.1"
    assert serve(MetricsSettings(), lambda: []) is None


def test_a_failing_collector_leaves_the_others_and_the_endpoint_working(caplog: pytest.LogCaptureFixture) -> None:
    calls = {"n": 0}

    def broken() -> Iterator[Metric]:
        calls["n"] += 1
        yield gauge("comptoir_test_before_failure", "said before the failure", 1)
        raise RuntimeError("a counter went missing")

    server = serve(MetricsSettings(port=0), broken, lambda: [counter("comptoir_test_other", "another", 7)])
    assert server is not None
    try:
        samples = scrape(server.port)
        samples_again = scrape(server.port)
    finally:
        server.close()
    assert value(samples, "comptoir_test_other_total") == 7 == value(samples_again, "comptoir_test_other_total")
    assert value(samples, "comptoir_test_before_failure") == 1
    assert calls["n"] >= 2 and "metrics: a collector failed" in caplog.text
