"""Run a private Eclipse Mosquitto: for tests, benchmarks and the demo.

Writes a minimal config (one listener on 127.0.0.1, anonymous or with a
password file, optional TLS) into a directory and starts the binary.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from comptoir.parent_death import die_with_parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mosquitto_binary() -> str | None:
    for candidate in (shutil.which("mosquitto"), "/usr/sbin/mosquitto"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def wait_for_port(host: str, port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout} s")


@dataclass
class Mosquitto:
    """A mosquitto process that can be stopped and started again on the same port."""

    workdir: Path
    port: int = field(default_factory=free_port)
    host: str = "127.0.0.1"
    password_file: Path | None = None
    certfile: Path | None = None
    keyfile: Path | None = None
    #: keep sessions and queued messages across a restart (saved at shutdown)
    persistent: bool = False
    #: the broker gets SIGTERM when the process that started it dies, even by SIGKILL (Linux; see
    #: comptoir.parent_death): start it from a thread that outlives it
    die_with_parent: bool = False
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"{'mqtts' if self.certfile else 'mqtt'}://{self.host}:{self.port}"

    def config_text(self) -> str:
        lines = [
            # run as whoever started it: mosquitto started as root would otherwise
            # switch to the 'mosquitto' user and lose access to our files
            f"user {pwd.getpwuid(os.getuid()).pw_name}",
            f"listener {self.port} {self.host}",
            f"persistence {'true' if self.persistent else 'false'}",
            f"persistence_location {self.workdir}/",
            "log_dest stderr",
            "log_type error",
            "log_type warning",
            "max_queued_messages 100000",
            "max_inflight_messages 0",
            "set_tcp_nodelay true",
        ]
        if self.password_file:
            lines += ["allow_anonymous false", f"password_file {self.password_file}"]
        else:
            lines.append("allow_anonymous true")
        if self.certfile and self.keyfile:
            lines += [f"certfile {self.certfile}", f"keyfile {self.keyfile}"]
        return "\n".join(lines) + "\n"

    def start(self) -> None:
        """Start the broker and wait until it listens."""
        self.spawn()
        self.wait_ready()

    def spawn(self) -> None:
        """Start the process and return at once (a supervisor's loop thread spawns; a worker waits)."""
        binary = mosquitto_binary()
        if binary is None:
            raise FileNotFoundError("no mosquitto binary: install Debian's 'mosquitto' package")
        self.workdir.mkdir(parents=True, exist_ok=True)
        conf = self.workdir / "mosquitto.conf"
        conf.write_text(self.config_text())
        log = open(self.workdir / "mosquitto.log", "ab")  # noqa: SIM115 - owned by the process
        preexec = die_with_parent() if self.die_with_parent else None
        self.proc = subprocess.Popen([binary, "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT,
                                     preexec_fn=preexec)
        log.close()

    def wait_ready(self) -> None:
        """Until the broker listens; stopped and an error with its log when it does not within 10 s."""
        assert self.proc is not None, "spawn() first"
        deadline = time.monotonic() + 10
        while self.proc.poll() is None and time.monotonic() < deadline:
            try:
                wait_for_port(self.host, self.port, timeout=0.2)
                return
            except TimeoutError:
                pass
        self.stop()
        raise RuntimeError(f"mosquitto did not start: {(self.workdir / 'mosquitto.log').read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None
