"""One serial port that may vanish and come back, read by pyserial in a thread.

A USB serial device that is unplugged makes reads fail; the port's path
(ideally a stable ``/dev/serial/by-id/...`` link) disappears, then reappears
when the device is back. This class keeps trying to open the path and hands
the asyncio side what happens: the port opened, a line arrived, the port
was lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from dataclasses import dataclass

import serial

from firmware_bridge.protocol import LineAssembler

log = logging.getLogger("firmware_bridge.serial")


class PortClosed(ConnectionError):
    """The port is not open (unplugged, or not yet found)."""


@dataclass(frozen=True, slots=True)
class PortEvent:
    """``kind`` is ``opened``, ``lost`` or ``line``; ``line`` is None for an over-long line."""

    kind: str
    line: bytes | None = None
    reason: str = ""


class SerialLine:
    def __init__(
        self,
        path: str,
        baud: int = 115200,
        *,
        reopen_interval_s: float = 0.5,
        read_timeout_s: float = 0.2,
    ) -> None:
        self.path = path
        self.baud = baud
        self.reopen_interval_s = reopen_interval_s
        self.read_timeout_s = read_timeout_s
        self.events: asyncio.Queue[PortEvent] = asyncio.Queue()
        self.opens = 0
        self._port: serial.Serial | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def is_open(self) -> bool:
        return self._port is not None

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._thread = threading.Thread(target=self._run, name=f"serial-{self.path}", daemon=True)
        self._thread.start()

    async def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, 5.0)
        self._close()

    def write(self, data: bytes) -> None:
        with self._lock:
            port = self._port
            if port is None:
                raise PortClosed(f"{self.path} is not open")
            try:
                port.write(data)
            except (serial.SerialException, OSError) as exc:
                raise PortClosed(f"{self.path}: write failed: {exc}") from None

    # -- the reader thread ----------------------------------------------------
    def _emit(self, event: PortEvent) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.events.put_nowait, event)

    def _open(self) -> serial.Serial | None:
        try:
            port = serial.Serial(self.path, self.baud, timeout=self.read_timeout_s, write_timeout=1.0)
        except (serial.SerialException, OSError, ValueError):
            return None
        port.reset_input_buffer()  # what piled up while nobody read is stale
        return port

    def _close(self) -> None:
        with self._lock:
            port, self._port = self._port, None
        if port is not None:
            with contextlib.suppress(serial.SerialException, OSError):
                port.close()

    def _run(self) -> None:
        waiting_logged = False
        while not self._stop.is_set():
            port = self._open()
            if port is None:
                if not waiting_logged:
                    log.info("waiting for the serial port", extra={"port": self.path})
                    waiting_logged = True
                self._stop.wait(self.reopen_interval_s)
                continue
            waiting_logged = False
            with self._lock:
                self._port = port
            self.opens += 1
            log.info("serial port open", extra={"port": self.path, "baud": self.baud})
            self._emit(PortEvent("opened"))
            reason = self._read(port)
            self._close()
            if not self._stop.is_set():
                log.warning(
                    "serial port lost; waiting for it to come back", extra={"port": self.path, "reason": reason}
                )
                self._emit(PortEvent("lost", reason=reason))

    def _read(self, port: serial.Serial) -> str:
        assembler = LineAssembler()
        while not self._stop.is_set():
            try:
                data = port.read(max(1, port.in_waiting))
            except (serial.SerialException, OSError, TypeError) as exc:
                return str(exc)
            if data:
                for line in assembler.feed(data):
                    self._emit(PortEvent("line", line))
        return "stopped"
