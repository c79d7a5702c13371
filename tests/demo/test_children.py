"""``comptoir demo`` killed with SIGKILL takes its broker, hub, edge agents and bridge with it.

The demo runs as its own process (the real command line); its process tree is read from /proc.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from comptoir.mosquitto import free_port, mosquitto_binary

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]
ROOT = Path(__file__).resolve().parents[2]


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text[text.rindex(")") + 2 :].split()  # the command name may hold spaces and parentheses
    return fields[0], int(fields[1])


def descendants(root: int) -> dict[int, str]:
    """Every process below ``root`` (pid -> command line)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            children.setdefault(stat[1], []).append(int(entry.name))
    found: dict[int, str] = {}
    todo = list(children.get(root, []))
    while todo:
        pid = todo.pop()
        try:
            found[pid] = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        todo += children.get(pid, [])
    return found


def alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")  # a zombie has ended; only its parent's wait is missing


def wait_for(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {timeout} s")
        time.sleep(0.2)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
@pytest.mark.parametrize("broker", ["mosquitto", "embedded"])
def test_a_demo_killed_with_sigkill_leaves_no_process_running(tmp_path: Path, broker: str) -> None:
    if broker == "mosquitto" and mosquitto_binary() is None:
        pytest.skip("no mosquitto binary here: the embedded broker's case still runs")
    log_path = tmp_path / "demo.log"
    with open(log_path, "wb") as log:
        demo = subprocess.Popen(
            [sys.executable, "-m", "comptoir", "demo", "--duration", "8h", "--products", "5", "--readers", "shared",
             "--port", str(free_port()), "--broker", broker, "--workdir", str(tmp_path / "shop")],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    started: dict[int, str] = {}
    try:
        # the shop opens once the broker, the hub, every edge agent and the bridge are up
        wait_for(lambda: demo.poll() is not None or b"the shop opens" in log_path.read_bytes(), 180,
                 "the demo did not open its shop")
        assert demo.poll() is None, log_path.read_text()[-3000:]
        started = descendants(demo.pid)
        names = " ".join(started.values())
        for part in ("hub --config", "edge --config", "bridge --config", "mosquitto" if broker == "mosquitto"
                     else "broker --host"):
            assert part in names, f"{part!r} not among the demo's processes: {started}"
        demo.kill()  # SIGKILL: the demo runs no cleanup of its own
        killed_at = time.monotonic()
        demo.wait(10)
        deadline = killed_at + 60
        while (left := {p: c for p, c in started.items() if alive(p)}) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not left, f"processes of the killed demo still run 60 s later: {left}"
        print(f"\ndemo ({broker}) killed with SIGKILL: its {len(started)} processes gone in "
              f"{time.monotonic() - killed_at:.1f} s")
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait(10)
        for pid in started:  # on a failure, leave nothing behind for the next test
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
