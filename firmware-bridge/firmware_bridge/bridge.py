"""The bridge for one scale: serial lines in, contract messages out, commands back.

Reads the firmware's lines (``serial_line``), checks them (``protocol``),
counts and drops what is corrupt, and publishes the weight through the
link's outbox as ``scale/<device>/weight``. It publishes meaning, not every
reading: a change of status or stability, a stable weight that moved by
``min_change_g``, and a heartbeat every ``heartbeat_s``. Commands come from
the retained ``device/<device>/config`` topic and are run once per id.

Whether the scale is there is not a weight: the serial port lost, or no
reading for ``silence_s``, is said through the link (``device_down`` with the
reason, on ``device/<device>/status``), and the next reading says it is back
(``device_up``) and is published whatever the last weight was.

Time: published messages carry the bridge's clock (the firmware has no
calendar clock); timeouts of the serial line itself are real seconds, as a
serial cable does not run faster in a simulated shop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, TypeAdapter, ValidationError

from comptoir.clock import Clock, RealClock
from comptoir.contract import DeviceConfig, Message, ScaleWeight
from comptoir.contract.fields import Gtin, Label
from comptoir.contract.topics import topic
from comptoir.link import MqttLink
from firmware_bridge.commands import CommandError, DoneCommands, to_frame
from firmware_bridge.config import ScaleConfig
from firmware_bridge.protocol import PROTOCOL_VERSION, Frame, LineError, LineRefused, Verb, encode, parse_line
from firmware_bridge.serial_line import PortClosed, PortEvent, SerialLine
from firmware_bridge.stats import BridgeStats

log = logging.getLogger("firmware_bridge")

#: sequence gaps are logged as a warning at most this often (the rest at debug level), with running totals
GAP_WARNING_EVERY_S = 60.0

SENSOR_ERRORS = {"NOT_READY": "not_ready", "OVERLOAD": "overload"}


@dataclass(frozen=True)
class _Published:
    status: str
    grams: float | None
    stable: bool
    time: datetime


_SETTINGS: dict[str, TypeAdapter[Any]] = {
    "unit_grams": TypeAdapter(Annotated[float, Field(gt=0, le=1e6)] | None),
    "gtin": TypeAdapter(Gtin | None),
    "slot": TypeAdapter(Label | None),
    "rate_hz": TypeAdapter(Annotated[int, Field(ge=1, le=80)] | None),
}


class ScaleBridge:
    def __init__(
        self,
        scale: ScaleConfig,
        link: MqttLink,
        *,
        clock: Clock | None = None,
        done_path: Path | None = None,
        line: SerialLine | None = None,
    ) -> None:
        self.scale = scale
        self.link = link
        self.clock = clock or link.clock or RealClock()
        self.line = line or SerialLine(scale.serial, scale.baud, reopen_interval_s=scale.reopen_interval_s)
        self.stats = BridgeStats()
        self.firmware: dict[str, str] = {}
        self.unit_grams = scale.unit_grams
        self.gtin = scale.gtin
        self.slot = scale.slot
        self.rate_hz = scale.rate_hz
        self.config_topic = topic(link.store, "device", scale.device, "config")
        self._done = DoneCommands(done_path)
        self._expected_seq: int | None = None
        self._bad_in_a_row = 0
        self._baud_warned = False
        self._last: _Published | None = None
        self._host_seq = random.randrange(1, 65536)  # a restarted bridge never reuses the last seq by chance
        self._pending: dict[int, asyncio.Future[Frame]] = {}
        self._queue: asyncio.Queue[tuple[str | None, Any]] = asyncio.Queue()
        self._queued_ids: set[str] = set()
        self._open = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._changed = asyncio.Event()
        self._last_reading_at = 0.0  # loop time of the last reading from the device
        self.scale_up: bool | None = None  # as last told to the link; None: nothing said yet
        self._gap_warned_at = -GAP_WARNING_EVERY_S

    # -- lifecycle ------------------------------------------------------------
    async def start(self) -> None:
        """Start reading the port and listening to the config topic (the link is started by the caller)."""
        self.link.subscribe(self.config_topic, self._on_config)
        self.line.start()
        self._tasks = [
            asyncio.create_task(self._read_events(), name=f"bridge-read-{self.scale.device}"),
            asyncio.create_task(self._run_commands(), name=f"bridge-commands-{self.scale.device}"),
            asyncio.create_task(self._watch_silence(), name=f"bridge-silence-{self.scale.device}"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.line.stop()
        log.info("bridge stopped", extra={"device": self.scale.device, **self.summary()})

    def summary(self) -> dict[str, int]:
        s = self.stats
        return {
            "lines_ok": s.lines_ok,
            "refused": s.refused_total,
            "seq_gaps": s.seq_gaps,
            "lines_missing": s.lines_missing,
            "published": s.published,
            "reopens": max(0, s.opens - 1),
        }

    async def wait_for(self, predicate: Any, timeout: float) -> None:
        """Wait until ``predicate(self)`` holds (tests, and callers that need a state)."""

        async def loop() -> None:
            while not predicate(self):
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(loop(), timeout)

    # -- the serial side ------------------------------------------------------
    async def _read_events(self) -> None:
        while True:
            event = await self.line.events.get()
            try:
                self._on_event(event)
            except Exception:  # one bad line must never stop the bridge
                log.exception("failed to handle a line", extra={"device": self.scale.device})
            self._changed.set()

    def _on_event(self, event: PortEvent) -> None:
        if event.kind == "opened":
            self.stats.opens += 1
            self._expected_seq = None  # what happened while unplugged is not a gap
            self._open.set()
            self._queue.put_nowait((None, Frame(0, Verb.INFO)))  # learn the firmware; proves the baud rate
            if self.rate_hz:
                self._queue.put_nowait((None, Frame(0, Verb.RATE, number=self.rate_hz)))
        elif event.kind == "lost":
            self.stats.losses += 1
            self._open.clear()
            self._scale_state(False, "serial port lost")
        elif event.line is None:
            self._refused(LineRefused(LineError.TOO_LONG, "line longer than 96 bytes"), b"")
        else:
            try:
                frame = parse_line(event.line)
            except LineRefused as refused:
                if refused.kind is not LineError.EMPTY:
                    self._refused(refused, event.line)
                return
            self._bad_in_a_row = 0
            self.stats.lines_ok += 1
            self._check_seq(frame)
            self._on_frame(frame)

    def _refused(self, refused: LineRefused, line: bytes) -> None:
        self.stats.refused[refused.kind.value] += 1
        self._bad_in_a_row += 1
        level = logging.WARNING if self._bad_in_a_row == 1 else logging.DEBUG
        log.log(
            level,
            "dropped a bad line",
            extra={"device": self.scale.device, "kind": refused.kind.value, "why": refused.detail, "line": line[:40]},
        )
        if self._bad_in_a_row >= self.scale.bad_line_warning and not self._baud_warned:
            self._baud_warned = True
            log.warning(
                "many bad lines in a row: is the baud rate right? (the firmware talks at 115200)",
                extra={"device": self.scale.device, "port": self.scale.serial, "baud": self.scale.baud},
            )

    def _check_seq(self, frame: Frame) -> None:
        if frame.verb is Verb.HELLO:  # the device (re)booted: its seq starts again
            self._expected_seq = None
        if self._expected_seq is not None and frame.seq != self._expected_seq:
            missing = (frame.seq - self._expected_seq) % 65536
            self.stats.seq_gaps += 1
            self.stats.lines_missing += missing
            now = time.monotonic()
            quiet = now - self._gap_warned_at < GAP_WARNING_EVERY_S
            if not quiet:
                self._gap_warned_at = now
            log.log(
                logging.DEBUG if quiet else logging.WARNING,
                "lines lost (sequence gap)",
                extra={
                    "device": self.scale.device,
                    "expected": self._expected_seq,
                    "got": frame.seq,
                    "gaps_total": self.stats.seq_gaps,
                    "lost_total": self.stats.lines_missing,
                },
            )
        self._expected_seq = (frame.seq + 1) % 65536

    def _on_frame(self, frame: Frame) -> None:
        match frame.verb:
            case Verb.WEIGHT:
                self._reading("ok", frame.grams, frame.stable)
            case Verb.ERROR if frame.word in SENSOR_ERRORS:
                self.stats.device_errors[frame.word] += 1
                self._reading(SENSOR_ERRORS[frame.word], None, False)
            case Verb.ERROR:
                self.stats.device_errors[frame.word] += 1
                log.warning("the scale reports an error", extra={"device": self.scale.device, "code": frame.word})
            case Verb.ACK | Verb.NAK:
                future = self._pending.get(frame.ref)
                if future is not None and not future.done():
                    future.set_result(frame)
            case Verb.HELLO:
                self.firmware = {"proto": str(frame.number), "fw": frame.word, "board": frame.word2}
                log.info("scale started", extra={"device": self.scale.device, **self.firmware})
                if frame.number != PROTOCOL_VERSION:
                    log.error(
                        "the scale speaks another protocol version",
                        extra={"device": self.scale.device, "theirs": frame.number, "ours": PROTOCOL_VERSION},
                    )
                if self.rate_hz:  # the firmware forgets RATE when it reboots
                    self._queue.put_nowait((None, Frame(0, Verb.RATE, number=self.rate_hz)))
            case _:
                log.warning("unexpected line from the scale", extra={"device": self.scale.device, "verb": frame.verb})

    # -- publishing -----------------------------------------------------------
    async def _watch_silence(self) -> None:
        """A scale that says nothing (wrong baud rate, hung firmware) is said down once."""
        loop = asyncio.get_running_loop()
        self._last_reading_at = loop.time()
        while True:
            await asyncio.sleep(min(1.0, self.scale.silence_s / 4))
            silent = loop.time() - self._last_reading_at >= self.scale.silence_s
            if silent and self.scale_up is not False:
                log.warning(
                    "no reading from the scale", extra={"device": self.scale.device, "for_s": self.scale.silence_s}
                )
                self._scale_state(False, f"no reading for {self.scale.silence_s:g} s (silence_s)")
                self._changed.set()

    def _scale_state(self, up: bool, reason: str | None = None) -> None:
        if up == self.scale_up:
            return
        self.scale_up = up
        if up:
            self.link.device_up()
        else:
            self.link.device_down(reason or "scale lost")
            self._last = None  # the weight is unknown: the first reading after is published whatever it is

    def _reading(self, status: str, grams: float | None, stable: bool) -> None:
        self.stats.readings += 1
        self._last_reading_at = asyncio.get_running_loop().time()
        self._scale_state(True)
        now = self.clock.now()
        last = self._last
        due = (
            last is None
            or status != last.status
            or stable != last.stable
            or (
                stable
                and grams is not None
                and last.grams is not None
                and abs(grams - last.grams) >= self.scale.min_change_g
            )
            or (now - last.time).total_seconds() >= self.scale.heartbeat_s
        )
        if not due:
            return
        fields: dict[str, Any] = {"status": status, "grams": grams, "stable": stable, "time": now}
        if self.slot:
            fields["slot"] = self.slot
        if self.gtin:
            fields["gtin"] = self.gtin
        if self.unit_grams:
            fields["unit_grams"] = self.unit_grams
            if grams is not None:
                fields["units"] = max(0, round(grams / self.unit_grams))
        self.link.emit(ScaleWeight, **fields)
        self.stats.published += 1
        self._last = _Published(status, grams, stable, now)

    # -- the config topic and commands ----------------------------------------
    def _on_config(self, message: Message) -> None:
        if not isinstance(message, DeviceConfig) or message.target != self.scale.device:
            return
        for key, adapter in _SETTINGS.items():
            if key not in message.settings:
                continue
            try:
                value = adapter.validate_python(message.settings[key])
            except ValidationError as exc:
                log.error(
                    "ignored a bad setting from the config topic",
                    extra={"device": self.scale.device, "key": f"settings.{key}", "error": exc.errors()[0]["msg"]},
                )
                continue
            if key == "rate_hz" and value and value != self.rate_hz:
                self._queue.put_nowait((None, Frame(0, Verb.RATE, number=value)))
            setattr(self, key, value)
        for command in message.commands:
            if command.id in self._done or command.id in self._queued_ids:
                continue
            try:
                frame = to_frame(command, 0)
            except CommandError as exc:
                log.error("refused a command", extra={"device": self.scale.device, "id": command.id, "error": str(exc)})
                self._done.add(command.id)
                continue
            self._queued_ids.add(command.id)
            self._queue.put_nowait((command.id, frame))

    def _next_seq(self) -> int:
        self._host_seq = self._host_seq % 65535 + 1
        return self._host_seq

    async def _run_commands(self) -> None:
        while True:
            command_id, frame = await self._queue.get()
            try:
                result = await self._send(frame)
            except Exception:
                log.exception("command failed", extra={"device": self.scale.device, "id": command_id})
                result = None
            if result is None:
                self.stats.commands_failed += 1
                log.error(
                    "the scale did not answer a command",
                    extra={"device": self.scale.device, "id": command_id, "command": frame.verb.value},
                )
            elif result.verb is Verb.NAK:
                self.stats.commands_refused += 1
                log.error(
                    "the scale refused a command",
                    extra={
                        "device": self.scale.device,
                        "id": command_id,
                        "command": frame.verb.value,
                        "code": result.word,
                    },
                )
            else:
                self.stats.commands_acked += 1
                if frame.verb is Verb.INFO:
                    self.firmware.update(result.info())
                log.info(
                    "command done", extra={"device": self.scale.device, "id": command_id, "command": frame.verb.value}
                )
            if command_id is not None:
                self._done.add(command_id)
                self._queued_ids.discard(command_id)
            self._changed.set()

    async def _send(self, frame: Frame) -> Frame | None:
        """Send a command when the port is open, retrying the same seq; the ACK/NAK, or None."""
        seq = self._next_seq()
        line = encode(Frame(seq, frame.verb, decigrams=frame.decigrams, number=frame.number))
        future: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
        self._pending[seq] = future
        try:
            for _ in range(1 + self.scale.command_retries):
                await self._open.wait()
                try:
                    self.line.write(line)
                except PortClosed:
                    await asyncio.sleep(0.1)
                    continue
                try:
                    return await asyncio.wait_for(asyncio.shield(future), self.scale.command_timeout_s)
                except TimeoutError:
                    continue
            return None
        finally:
            self._pending.pop(seq, None)
