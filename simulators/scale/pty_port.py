"""A serial port that can be unplugged: a pseudo-terminal pair behind a stable path.

Real systems give a USB serial device a stable name under
``/dev/serial/by-id/`` that points to the ``/dev/ttyUSBn`` of the moment.
Here ``link_path`` is a symlink we control that points to the current pty
slave; unplugging closes the pair and removes the link, plugging in makes a
new pair and points the link at it, so the path stays the same.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tty
from pathlib import Path


class PtyPort:
    def __init__(self, link_path: str | Path) -> None:
        self.link_path = Path(link_path)
        self.master: int | None = None
        self._slave: int | None = None
        self.slave_name: str | None = None
        self.bytes_dropped = 0

    @property
    def plugged(self) -> bool:
        return self.master is not None

    def plug(self) -> None:
        if self.plugged:
            return
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo, no line editing: bytes pass as they are, like a UART
        os.set_blocking(master, False)
        self.master, self._slave = master, slave
        self.slave_name = os.ttyname(slave)
        tmp = self.link_path.with_name(self.link_path.name + ".new")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        os.symlink(self.slave_name, tmp)
        os.replace(tmp, self.link_path)  # the path never points nowhere while plugged

    def unplug(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.link_path.unlink()
        for fd in (self._slave, self.master):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.master = self._slave = None
        self.slave_name = None

    def write(self, data: bytes) -> None:
        """Send bytes to whoever has the port open; what the line cannot take is lost, as on a UART."""
        if self.master is None:
            self.bytes_dropped += len(data)
            return
        try:
            sent = os.write(self.master, data)
        except BlockingIOError:
            sent = 0
        except OSError as exc:
            if exc.errno not in (errno.EIO, errno.EAGAIN):
                raise
            sent = 0
        self.bytes_dropped += len(data) - sent

    def read(self) -> bytes:
        """What the host has written, without waiting."""
        if self.master is None:
            return b""
        try:
            return os.read(self.master, 4096)
        except (BlockingIOError, OSError):
            return b""
