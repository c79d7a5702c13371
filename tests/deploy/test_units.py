"""deploy/systemd: every unit verified by systemd-analyze, and the purge run as its unit runs it.

``systemd-analyze verify`` checks that each command a unit starts exists,
so it runs on a stand-in root: the machine's own system units plus an
executable stand-in at ``/opt/comptoir/.venv/bin/comptoir`` (not installed
on a test machine), and the units copied where systemd looks for them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from comptoir.cli import main

SYSTEMD = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
INSTALLED = "/opt/comptoir/.venv/bin/comptoir"
pytestmark = pytest.mark.timeout(120)


def unit_settings(path: Path) -> dict[str, list[str]]:
    """The ``Key=value`` lines of a unit, each key with all its values in order."""
    settings: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";", "[")) and "=" in line:
            key, value = line.split("=", 1)
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def environment_file(path: Path) -> dict[str, str]:
    """Variables of a systemd EnvironmentFile (KEY=VALUE lines; comments and blank lines skipped)."""
    env = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";")):
            key, value = line.split("=", 1)
            env[key.strip()] = value.strip().strip('"')
    return env


def test_every_unit_verifies(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.fail("systemd-analyze is not installed (.ci/run installs the systemd package)")
    units = sorted(SYSTEMD.glob("comptoir-*"))
    assert {u.name for u in units} >= {"comptoir-edge.service", "comptoir-bridge.service", "comptoir-hub.service",
                                       "comptoir-purge.service", "comptoir-purge.timer"}
    root = tmp_path / "root"
    system_units = next(p for p in (Path("/usr/lib/systemd/system"), Path("/lib/systemd/system")) if p.is_dir())
    shutil.copytree(system_units, root / "usr/lib/systemd/system", symlinks=True)
    stand_in = root / INSTALLED.lstrip("/")
    stand_in.parent.mkdir(parents=True)
    stand_in.write_text("#!/bin/sh\nexit 0\n")
    stand_in.chmod(0o755)
    target = root / "etc/systemd/system"
    target.mkdir(parents=True)
    for unit in units:
        shutil.copy(unit, target / unit.name)
    done = subprocess.run([analyze, "verify", f"--root={root}", *(str(target / u.name) for u in units)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and not done.stderr.strip() and not done.stdout.strip(), done.stderr + done.stdout


def test_the_purge_reads_the_hubs_environment_and_runs_as_its_unit_says(tmp_path: Path) -> None:
    """The unit's ExecStart, in the unit's environment only, against a hub.yaml written as docs/api.md says."""
    purge, hub = unit_settings(SYSTEMD / "comptoir-purge.service"), unit_settings(SYSTEMD / "comptoir-hub.service")
    assert purge.get("EnvironmentFile") == hub["EnvironmentFile"], "the purge must read the hub's environment"
    etc = tmp_path / "etc/comptoir"
    etc.mkdir(parents=True)
    done = CliRunner().invoke(main, ["provision", "hub", "--store", "my-shop", "--passwd", str(tmp_path / "passwd"),
                                     "--acl", str(tmp_path / "acl"), "--env", str(etc / "comptoir.env")])
    assert done.exit_code == 0, done.output
    state = tmp_path / "var/lib/comptoir"
    state.mkdir(parents=True)
    (etc / "hub.yaml").write_text(yaml.safe_dump({
        "store": "my-shop", "db": str(state / "hub.sqlite"),
        "broker": {"url": "mqtts://hub.local:8883", "username": "hub",
                   "password": "${COMPTOIR_HUB_MQTT_PASSWORD}"}}))

    def here(value: str) -> str:
        return value.replace("/etc/comptoir/", f"{etc}/").replace("/var/lib/comptoir", str(state))

    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    for name in purge.get("EnvironmentFile", []):
        env.update(environment_file(Path(here(name.lstrip("-")))))
    (command,) = purge["ExecStart"]
    argv = here(command).split()
    assert argv[0] == INSTALLED
    argv[0:1] = [sys.executable, "-m", "comptoir"]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=here(purge["WorkingDirectory"][0]),
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "deleted 0 conversation logs" in done.stdout
    assert os.path.exists(state / "hub.sqlite")
