"""Child processes of the demo: each started with the real ``comptoir`` command line, logs in a file.

Each one gets SIGTERM from the kernel when the demo dies, however it dies (comptoir.parent_death), so a
demo killed with SIGKILL leaves no hub, agent or broker running.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from comptoir.parent_death import die_with_parent


@dataclass
class Child:
    """One ``comptoir ...`` process that can be stopped cleanly, killed and started again."""

    name: str
    args: list[str]
    env: dict[str, str]
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0
    cwd: Path | None = None
    exits: list[int] = field(default_factory=list)

    @property
    def command(self) -> list[str]:
        return [sys.executable, "-m", "comptoir", *self.args]

    def start(self) -> Child:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            log.write(f"--- start {self.starts + 1}: comptoir {' '.join(self.args)}\n".encode())
            log.flush()
            # a session of its own: Ctrl-C reaches the demo, which then stops its children in order; and a
            # SIGTERM from the kernel if the demo dies first (call this from a thread that lives as long as the child)
            self.proc = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT, env=self.env,
                                         cwd=self.cwd, start_new_session=True, preexec_fn=die_with_parent())
        self.starts += 1
        return self

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout_s: float = 15.0) -> None:
        """SIGTERM (the process drains its outbox and says it is offline), then SIGKILL if it hangs."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.exits.append(self.proc.returncode)
        self.proc = None

    def kill(self) -> None:
        """SIGKILL: a crash or a power cut, nothing flushed."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
            self.exits.append(self.proc.returncode)
        self.proc = None

    def tail(self, chars: int = 1500) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def run_once(args: list[str], env: dict[str, str], *, stdin: str | None = None, timeout_s: float = 120.0) -> str:
    """Run a one-shot ``comptoir`` command (imports, accounts); its error output becomes the exception."""
    done = subprocess.run([sys.executable, "-m", "comptoir", *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=timeout_s, check=False, preexec_fn=die_with_parent())
    if done.returncode != 0:
        raise RuntimeError(f"comptoir {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()[-1500:]}")
    return done.stdout


def child_env(extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env
