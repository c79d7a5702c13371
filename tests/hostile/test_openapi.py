"""OpenAPI conformance: schemathesis (every check) against a real ``comptoir hub`` process, signed in and not.

The hub's document is what integrators generate clients from, so every answer
must be one it declares, in the shape it declares. Schemathesis runs as its
command line does (``st run``), with its JSON and HAR reports read back: the
JSON for the cases generated and the failures found, the HAR for what the hub
answered to each request. Sized by COMPTOIR_HOSTILE_SCALE (cases per
operation). Two operations are left out of the signed-in run because they end
the run's own session (sign-out, and a new password for the signed-in
manager); the run without a session tries them, and tests/hub/test_hub_accounts.py
checks what they do. The live event stream (``GET /api/stream``, server-sent
events that never end) is left out of both: a client cannot check a response
that has no end; tests/dashboard checks it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import BrokerHandle
from tests.hostile.scale import hostile_scale
from tests.hub.support import HubProcess, json_of

ENDS_OWN_SESSION = ("end_session_api_session_delete", "new_password_api_users__username__password_put")
NEVER_ENDS = ("stream_api_stream_get",)


@pytest.fixture(scope="module")
def hub(broker: BrokerHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    # budgets high enough that the run tests the API, not the rate limiter (the limiter has its own tests)
    process = HubProcess(Path(tmp_path_factory.mktemp("hub-openapi")), broker.url,
                         api={"kiosk_rate_per_minute": 100_000, "login_rate_per_minute": 10_000})
    process.prepare()
    process.start()
    try:
        yield process
    finally:
        process.stop()


def schemathesis(document: Path, hub: HubProcess, reports: Path, headers: dict[str, str],
                 exclude: tuple[str, ...] = ()) -> tuple[dict[str, Any], list[int]]:
    """One ``st run`` with every check; its JSON report and the status of every response the hub gave."""
    command = [shutil.which("st", path=str(Path(sys.executable).parent)) or "st",
               "--config-file", str(Path(__file__).with_name("schemathesis.toml")), "run", str(document),
               "--url", hub.url, "--checks", "all", "--max-examples", str(3 * hostile_scale()),
               "--generation-with-security-parameters", "false", "--request-timeout", "30", "--no-color",
               "--report", "json,har", "--report-json-path", str(reports / "run.json"),
               "--report-har-path", str(reports / "run.har")]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    for operation in exclude:
        command += ["--exclude-operation-id", operation]
    # run in the report folder: schemathesis keeps a cache (.schemathesis/) in its working directory
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=reports)
    report = json.loads((reports / "run.json").read_text())
    har = json.loads((reports / "run.har").read_text())
    statuses = [entry["response"]["status"] for entry in har["log"]["entries"]]
    found = done.stdout.find("FAILURES")
    report["_output"] = done.stdout[found:found + 6000] if found >= 0 else done.stdout[-3000:]
    report["_slowest"] = sorted(((e["time"], e["request"]["method"], e["request"]["url"][:80])
                                 for e in har["log"]["entries"]), reverse=True)[:5]
    return report, statuses


@pytest.mark.timeout(300 * hostile_scale())
def test_the_api_does_what_its_document_says(hub: HubProcess, tmp_path: Path) -> None:
    assert httpx.get(f"{hub.url}/openapi.json").status_code == 401  # staff only by default (api.openapi)
    staff = hub.client()
    token = json_of(staff.post("/api/session", json={"username": "marie", "password": "croissant-42"}))["token"]
    document = tmp_path / "openapi.json"
    document.write_text(staff.get("/openapi.json").text)
    operations = sum(len(item) for item in json.loads(document.read_text())["paths"].values())
    runs = {}
    for name, headers, exclude in (
        ("signed_in", {"Authorization": f"Bearer {token}", "Origin": hub.url}, ENDS_OWN_SESSION + NEVER_ENDS),
        ("public", {"Origin": hub.url}, NEVER_ENDS),
    ):
        reports = tmp_path / name
        reports.mkdir()
        runs[name] = schemathesis(document, hub, reports, headers, exclude)
    for name, (report, _) in runs.items():
        assert not report["failures"] and not report["errors"], f"{name} run:\n{report['_output']}"
        assert report["test_cases"]["generated"] > 0
    signed_in = runs["signed_in"][1]
    assert sum(200 <= s < 300 for s in signed_in) > 0, "the signed-in run never got past sign-in"
    statuses = [s for _, answered in runs.values() for s in answered]
    assert statuses and not [s for s in statuses if s >= 500]
    assert httpx.get(f"{hub.url}/api/health", timeout=10).status_code == 200 and hub.proc.poll() is None
    for name, (report, _) in runs.items():
        print(f"{name}: {report['running_time']:.0f} s, slowest requests {report['_slowest'][:3]}")
    cases = sum(r["test_cases"]["generated"] for r, _ in runs.values())
    print(f"HOSTILE part=openapi tried={len(statuses)} rejected={sum(400 <= s < 500 for s in statuses)} "
          f"accepted={sum(s < 400 for s in statuses)} alive=yes lost=0 operations={operations} cases={cases} "
          f"failures=0 server_errors=0")
