"""Child processes that end when the process that started them ends, even by SIGKILL.

A supervisor that is killed outright (SIGKILL, the OOM killer, a crashed
terminal) runs no cleanup, and children started in a session of their own do
not get the terminal's signals either: without this they run on, holding
ports and files. Linux's ``prctl(PR_SET_PDEATHSIG)``, set in the child
between fork and exec, has the kernel send the child a signal when its
parent dies. The kernel watches the *thread* that forked, not the process:
start such children from a thread that lives as long as they do (the main
thread, or a thread that waits for the child). On other systems
:func:`die_with_parent` returns None and children outlive a killed parent,
as before.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>

_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def die_with_parent(sig: int = signal.SIGTERM) -> Callable[[], None] | None:
    """A ``preexec_fn`` for ``subprocess.Popen``: the child receives ``sig`` when this process dies.

    SIGTERM by default: the child stops as it does under systemd (outbox drained, broker state saved).
    Returns None where the kernel offers no such thing.
    """
    if _prctl is None:
        return None
    parent = os.getpid()
    prctl = _prctl

    def arm() -> None:  # runs in the child, after fork, before exec: nothing here may take a lock
        if prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
            os._exit(126)  # safer to not start than to start a child that may outlive us
        if os.getppid() != parent:  # the parent died between fork and prctl: the signal will never come
            os._exit(1)

    return arm
