"""A simulated RFID reader: a TCP server that speaks LLRP 1.0.1 to any client.

It follows the connection life of a real fixed reader: a
READER_EVENT_NOTIFICATION (ConnectionAttempt: Success) on accept; answers to
capabilities and configuration requests (the capabilities are a real
Impinj reader's, recorded, with the antenna count set to the simulated
one); ROSpecs added, enabled (an Immediate start trigger starts them),
started, stopped, disabled and deleted; RO_ACCESS_REPORTs that honour the
ROReportSpec (every N tags, or at the end of each AISpec or of the ROSpec)
and the TagReportContentSelector; KEEPALIVEs at the interval the client
set; AccessSpecs with C1G2 Read and Write operations, run on the tags the
inventory sees, their results in the tag reports and the written EPCs
reported from then on (``access.py``); CLOSE_CONNECTION. One client at a time: a second one is told
"Failed (a Client initiated connection already exists)" and closed.

Errors never end the session: an unknown message type, an unsupported
version, or a frame whose length cannot be right is answered with
ERROR_MESSAGE; a known request with a bad body is answered with its own
response carrying the error status (as the standard asks); the connection
stays usable.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import ClassVar, Protocol

from comptoir.clock import Clock, RealClock
from simulators.llrp import protocol as llrp
from simulators.llrp.access import AccessSpecs, TagMemory
from simulators.llrp.protocol import LLRPDecodeError, ROSpec, TagObservation
from simulators.llrp.radio import micros

log = logging.getLogger("comptoir.sim.reader")

#: ROSpec states
DISABLED, INACTIVE, ACTIVE = 0, 1, 2


class ReadSource(Protocol):
    """Where a simulated reader's tag reads come from."""

    @property
    def ports(self) -> list[int]: ...

    def observe(self, ports: list[int], start: datetime, end: datetime) -> list[TagObservation]: ...


def recorded_bodies() -> dict[str, bytes]:
    """The real reader's capabilities and configuration bodies shipped with the simulator."""
    text = (resources.files("simulators.llrp") / "data" / "impinj_recorded.json").read_text()
    return {k: bytes.fromhex(v) for k, v in json.loads(text).items() if not k.startswith("_")}


def load_replay(directory: str | Path) -> list[bytes]:
    """RO_ACCESS_REPORT bodies recorded as ``ROAccessReport-NNN.bytes`` files, in order."""
    files = sorted(Path(directory).glob("ROAccessReport-*.bytes"))
    if not files:
        raise FileNotFoundError(f"no ROAccessReport-*.bytes files in {directory}")
    return [f.read_bytes() for f in files]


@dataclass
class ReaderStats:
    sessions: int = 0
    refused: int = 0
    reports: int = 0
    tags_reported: int = 0
    errors_sent: int = 0
    messages: dict[int, int] = field(default_factory=dict)


@dataclass
class _Spec:
    spec: ROSpec
    state: int = DISABLED
    task: asyncio.Task[None] | None = None


class _Session:
    """One client connection."""

    def __init__(self, server: ReaderSimulator, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.server = server
        self.reader = reader
        self.writer = writer
        self.specs: dict[int, _Spec] = {}
        self.access = AccessSpecs(server.memory)
        self.pending: dict[tuple[bytes, int], TagObservation] = {}
        self.msg_id = 0
        self.keepalive_task: asyncio.Task[None] | None = None
        self.closing = False

    # -- sending --------------------------------------------------------------
    def send(self, msg_type: int, body: bytes = b"", msg_id: int | None = None) -> None:
        if self.writer.is_closing():
            return
        if msg_id is None:
            self.msg_id = (self.msg_id + 1) & 0xFFFFFFFF
            msg_id = self.msg_id
        self.writer.write(llrp.frame(msg_type, msg_id, body))

    def error_message(self, status: int, text: str, msg_id: int = 0) -> None:
        self.server.stats.errors_sent += 1
        log.info("answering ERROR_MESSAGE", extra={"status": status, "reason": text})
        self.send(llrp.ERROR_MESSAGE, llrp.llrp_status(status, text), msg_id)

    def respond(self, request: llrp.Frame, body: bytes = b"", status: int = llrp.M_SUCCESS, text: str = "") -> None:
        if status != llrp.M_SUCCESS:
            self.server.stats.errors_sent += 1
        self.send(llrp.RESPONSE_OF[request.msg_type], llrp.llrp_status(status, text) + body, request.msg_id)

    # -- receiving ------------------------------------------------------------
    async def run(self) -> None:
        now = micros(self.server.clock.now())
        self.send(
            llrp.READER_EVENT_NOTIFICATION, llrp.reader_event(now, llrp.connection_attempt(llrp.CONNECTION_SUCCESS))
        )
        buffer = b""
        try:
            while not self.closing:
                timeout = self.server.partial_frame_timeout_s if buffer else None
                try:
                    data = await asyncio.wait_for(self.reader.read(65536), timeout)
                except TimeoutError:
                    self.error_message(
                        llrp.M_PARAMETER_ERROR, f"incomplete frame: {len(buffer)} bytes, then silence; discarded"
                    )
                    buffer = b""
                    continue
                if not data:
                    break
                buffer = self.take_frames(buffer + data)
                await self.writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            await self.close()

    def take_frames(self, buffer: bytes) -> bytes:
        """Handle every whole frame in ``buffer``; return what is left."""
        while len(buffer) >= llrp.HEADER_LEN:
            version, msg_type, length, msg_id = llrp.parse_header(buffer)
            if length < llrp.HEADER_LEN or length > llrp.MAX_FRAME:
                # no way to find the next frame boundary: drop what we have and start afresh
                self.error_message(
                    llrp.M_PARAMETER_ERROR,
                    f"frame length {length} is impossible; {len(buffer)} bytes discarded",
                    msg_id,
                )
                return b""
            if len(buffer) < length:
                return buffer
            frame = llrp.Frame(version, msg_type, msg_id, buffer[llrp.HEADER_LEN : length])
            buffer = buffer[length:]
            self.handle(frame)
        return buffer

    def handle(self, frame: llrp.Frame) -> None:
        stats = self.server.stats
        stats.messages[frame.msg_type] = stats.messages.get(frame.msg_type, 0) + 1
        if frame.version != llrp.VERSION:
            self.error_message(
                llrp.M_UNSUPPORTED_VERSION, f"LLRP version {frame.version} is not supported", frame.msg_id
            )
            return
        handler = self.HANDLERS.get(frame.msg_type)
        if handler is None:
            self.error_message(
                llrp.M_UNSUPPORTED_MESSAGE, f"message type {frame.msg_type} is not supported", frame.msg_id
            )
            return
        try:
            handler(self, frame)
        except LLRPDecodeError as exc:
            log.info("bad request", extra={"type": frame.msg_type, "reason": str(exc)})
            if frame.msg_type in llrp.RESPONSE_OF:
                self.respond(frame, status=exc.status, text=str(exc))
            else:
                self.error_message(exc.status, str(exc), frame.msg_id)

    # -- requests ---------------------------------------------------------------
    def on_get_capabilities(self, frame: llrp.Frame) -> None:
        if len(frame.body) < 1:
            raise LLRPDecodeError("GET_READER_CAPABILITIES needs its RequestedData field", llrp.M_FIELD_ERROR)
        body = self.server.capabilities_body
        self.send(llrp.GET_READER_CAPABILITIES_RESPONSE, body, frame.msg_id)

    def on_get_config(self, frame: llrp.Frame) -> None:
        if len(frame.body) < 7:
            raise LLRPDecodeError("GET_READER_CONFIG is too short", llrp.M_FIELD_ERROR)
        self.send(llrp.GET_READER_CONFIG_RESPONSE, self.server.config_body, frame.msg_id)

    def on_set_config(self, frame: llrp.Frame) -> None:
        interval = llrp.parse_keepalive_ms(frame.body)
        if interval is not None:
            self.start_keepalive(interval)
        self.respond(frame)

    def on_enable_events(self, frame: llrp.Frame) -> None:
        """ENABLE_EVENTS_AND_REPORTS has no reply; events and reports already flow."""

    def on_keepalive_ack(self, frame: llrp.Frame) -> None:
        pass

    def on_close(self, frame: llrp.Frame) -> None:
        self.respond(frame)
        self.closing = True

    def on_add_rospec(self, frame: llrp.Frame) -> None:
        spec = llrp.parse_add_rospec(frame.body)
        if spec.rospec_id in self.specs:
            raise LLRPDecodeError(f"ROSpec {spec.rospec_id} already exists", llrp.A_INVALID)
        if spec.state != DISABLED:
            raise LLRPDecodeError("a ROSpec must be added in the Disabled state", llrp.A_INVALID)
        known = set(self.server.source.ports) | {0}
        for ai in spec.aispecs:
            unknown = [a for a in ai.antennas if a not in known]
            if unknown:
                raise LLRPDecodeError(f"AISpec names antennas {unknown} this reader does not have", llrp.A_OUT_OF_RANGE)
        self.specs[spec.rospec_id] = _Spec(spec)
        self.respond(frame)

    def _targets(self, frame: llrp.Frame, what: str) -> list[_Spec]:
        rospec_id = llrp.parse_u32(frame.body, what)
        if rospec_id == 0:
            return list(self.specs.values())
        if rospec_id not in self.specs:
            raise LLRPDecodeError(f"no ROSpec {rospec_id}", llrp.A_INVALID)
        return [self.specs[rospec_id]]

    def on_enable_rospec(self, frame: llrp.Frame) -> None:
        for s in self._targets(frame, "ENABLE_ROSPEC"):
            if s.state == DISABLED:
                s.state = INACTIVE
                if s.spec.start_trigger == 1:  # Immediate
                    self.start(s)
        self.respond(frame)

    def on_start_rospec(self, frame: llrp.Frame) -> None:
        targets = self._targets(frame, "START_ROSPEC")
        for s in targets:
            if s.state != INACTIVE:
                raise LLRPDecodeError(f"ROSpec {s.spec.rospec_id} is not enabled and inactive", llrp.A_INVALID)
        for s in targets:
            self.start(s)
        self.respond(frame)

    def on_stop_rospec(self, frame: llrp.Frame) -> None:
        for s in self._targets(frame, "STOP_ROSPEC"):
            if s.state == ACTIVE:
                self.halt(s, INACTIVE)
        self.respond(frame)

    def on_disable_rospec(self, frame: llrp.Frame) -> None:
        for s in self._targets(frame, "DISABLE_ROSPEC"):
            self.halt(s, DISABLED)
        self.respond(frame)

    def on_delete_rospec(self, frame: llrp.Frame) -> None:
        for s in self._targets(frame, "DELETE_ROSPEC"):
            self.halt(s, DISABLED)
            del self.specs[s.spec.rospec_id]
        self.respond(frame)

    def on_add_accessspec(self, frame: llrp.Frame) -> None:
        """An AccessSpec (tag memory reads and writes: simulators/llrp/access.py), added disabled."""
        self.access.add(frame.body)
        self.respond(frame)

    def on_enable_accessspec(self, frame: llrp.Frame) -> None:
        self.access.enable(frame.body, True)
        self.respond(frame)

    def on_disable_accessspec(self, frame: llrp.Frame) -> None:
        self.access.enable(frame.body, False)
        self.respond(frame)

    def on_delete_accessspec(self, frame: llrp.Frame) -> None:
        self.access.delete(frame.body)
        self.respond(frame)

    def on_get_report(self, frame: llrp.Frame) -> None:
        active = next((s for s in self.specs.values() if s.state == ACTIVE), None)
        self.flush(active.spec if active else None)

    HANDLERS: ClassVar[dict[int, Callable[[_Session, llrp.Frame], None]]] = {
        llrp.GET_READER_CAPABILITIES: on_get_capabilities,
        llrp.GET_READER_CONFIG: on_get_config,
        llrp.SET_READER_CONFIG: on_set_config,
        llrp.ENABLE_EVENTS_AND_REPORTS: on_enable_events,
        llrp.KEEPALIVE_ACK: on_keepalive_ack,
        llrp.CLOSE_CONNECTION: on_close,
        llrp.ADD_ROSPEC: on_add_rospec,
        llrp.ENABLE_ROSPEC: on_enable_rospec,
        llrp.START_ROSPEC: on_start_rospec,
        llrp.STOP_ROSPEC: on_stop_rospec,
        llrp.DISABLE_ROSPEC: on_disable_rospec,
        llrp.DELETE_ROSPEC: on_delete_rospec,
        llrp.DELETE_ACCESSSPEC: on_delete_accessspec,
        llrp.ENABLE_ACCESSSPEC: on_enable_accessspec,
        llrp.DISABLE_ACCESSSPEC: on_disable_accessspec,
        llrp.ADD_ACCESSSPEC: on_add_accessspec,
        llrp.GET_REPORT: on_get_report,
    }

    # -- inventory ------------------------------------------------------------
    def start(self, s: _Spec) -> None:
        for other in self.specs.values():  # one ROSpec runs at a time on this reader
            if other is not s and other.state == ACTIVE:
                self.halt(other, INACTIVE)
        s.state = ACTIVE
        s.task = asyncio.create_task(self.inventory(s), name=f"rospec-{s.spec.rospec_id}")

    def halt(self, s: _Spec, state: int) -> None:
        if s.task is not None and s.task is not asyncio.current_task():
            s.task.cancel()
        s.task = None
        if s.state == ACTIVE:
            self.flush(s.spec)
        s.state = state

    async def inventory(self, s: _Spec) -> None:
        server = self.server
        clock = server.clock
        spec = s.spec
        began = clock.now()
        replay_index = 0
        try:
            while s.state == ACTIVE:
                for index, ai in enumerate(spec.aispecs, start=1):
                    await self.run_aispec(s, ai, index, replay_index)
                    replay_index += 1
                    if s.state != ACTIVE:
                        return
                await self.writer.drain()
                if spec.stop_trigger == 1 and (clock.now() - began).total_seconds() * 1000 >= spec.stop_duration_ms:
                    self.flush(spec)
                    s.state = INACTIVE
                    s.task = None
                    return
        except asyncio.CancelledError:
            raise
        except (ConnectionError, RuntimeError):
            return

    async def run_aispec(self, s: _Spec, ai: llrp.AISpec, index: int, replay_index: int) -> None:
        """One AISpec: inventory rounds until its stop trigger, reports as the ROReportSpec says."""
        server = self.server
        clock = server.clock
        spec = s.spec
        ports = server.source.ports if 0 in ai.antennas else list(ai.antennas)
        if ai.stop_type == 1 and ai.duration_ms:
            period_ms: float | None = ai.duration_ms
        elif ai.stop_type == 3 and ai.observe_timeout_ms:
            period_ms = ai.observe_timeout_ms
        else:
            period_ms = None  # runs until the ROSpec stops: reports come every N tags only
        elapsed = 0.0
        round_start = clock.now()
        while s.state == ACTIVE:
            # rounds tile simulated time exactly: a loaded machine falls behind the clock, it never skips
            step = server.round_ms if period_ms is None else min(server.round_ms, period_ms - elapsed)
            round_end = round_start + timedelta(milliseconds=step)
            await clock.sleep(max(0.0, (round_end - clock.now()).total_seconds()))
            elapsed += step
            start, round_start = round_start, round_end
            if server.replay:
                self.send(llrp.RO_ACCESS_REPORT, server.replay[replay_index % len(server.replay)])
                server.stats.reports += 1
                return
            reads = server.source.observe(ports, start, round_end)
            # an AISpec that ends at the N-th observation ends often within one round: each of
            # those short runs is an AISpec of its own, with its own end-of-AISpec report
            runs = self._aispec_runs(reads, ai)
            for run in runs:
                self.collect(run, spec, index)
                if spec.report_trigger == 1 and (len(runs) > 1 or self._run_ends_aispec(run, ai)):
                    self.flush(spec, index)
            await self.writer.drain()
            if period_ms is not None and elapsed >= period_ms:
                if spec.report_trigger == 1:
                    self.flush(spec, index)
                return

    @staticmethod
    def _run_ends_aispec(run: list[TagObservation], ai: llrp.AISpec) -> bool:
        """Whether ``run`` reached the AISpec's N-th observation (one tag on the field with N=1 does, every round)."""
        n = ai.observe_tags if ai.stop_type == 3 else 0
        if not n or ai.observe_type not in (0, 3):
            return False
        return (len(run) if ai.observe_type == 0 else len({r.epc for r in run})) >= n

    @staticmethod
    def _aispec_runs(reads: list[TagObservation], ai: llrp.AISpec) -> list[list[TagObservation]]:
        n = ai.observe_tags if ai.stop_type == 3 else 0
        if not n or ai.observe_type not in (0, 3):
            return [reads]
        if ai.observe_type == 0:
            return [reads[i : i + n] for i in range(0, len(reads), n)] or [[]]
        runs: list[list[TagObservation]] = [[]]
        seen: set[bytes] = set()
        for r in reads:
            if r.epc not in seen and len(seen) >= n:
                runs.append([])
                seen = set()
            seen.add(r.epc)
            runs[-1].append(r)
        return runs

    def collect(self, reads: list[TagObservation], spec: ROSpec, spec_index: int) -> None:
        at_once = self.access.apply(reads, spec.rospec_id)
        if at_once:  # an access reported at the end of the access, before the inventory's report
            self.send(llrp.RO_ACCESS_REPORT, llrp.ro_access_report(at_once, spec.content, spec.rospec_id, spec_index))
            self.server.stats.reports += 1
        pending = self.pending
        for r in reads:
            key = (r.epc, r.antenna)
            have = pending.get(key)
            if have is None:
                pending[key] = r
            else:
                have.peak_rssi = max(have.peak_rssi, r.peak_rssi)
                have.first_seen_us = min(have.first_seen_us, r.first_seen_us)
                have.last_seen_us = max(have.last_seen_us, r.last_seen_us)
                have.seen_count += r.seen_count
                have.access = have.access or r.access
            if spec.report_trigger in (1, 2) and spec.report_n and len(pending) >= spec.report_n:
                self.flush(spec, spec_index)

    def flush(self, spec: ROSpec | None, spec_index: int = 1) -> None:
        if not self.pending or spec is None:
            return
        observations = sorted(self.pending.values(), key=lambda o: o.first_seen_us)
        self.pending = {}
        self.send(llrp.RO_ACCESS_REPORT, llrp.ro_access_report(observations, spec.content, spec.rospec_id, spec_index))
        self.server.stats.reports += 1
        self.server.stats.tags_reported += len(observations)

    def start_keepalive(self, interval_ms: int) -> None:
        if self.keepalive_task is not None:
            self.keepalive_task.cancel()
            self.keepalive_task = None
        if interval_ms > 0:
            self.keepalive_task = asyncio.create_task(self._keepalive(interval_ms / 1000))

    async def _keepalive(self, interval_s: float) -> None:
        while not self.writer.is_closing():
            await self.server.clock.sleep(interval_s)
            self.send(llrp.KEEPALIVE)

    async def close(self) -> None:
        for s in self.specs.values():
            if s.task is not None:
                s.task.cancel()
        if self.keepalive_task is not None:
            self.keepalive_task.cancel()
        if not self.writer.is_closing():
            with contextlib.suppress(Exception):
                self.send(
                    llrp.READER_EVENT_NOTIFICATION,
                    llrp.reader_event(micros(self.server.clock.now()), llrp.connection_close()),
                )
                await asyncio.wait_for(self.writer.drain(), 1.0)
            self.writer.close()
        with contextlib.suppress(Exception):
            await self.writer.wait_closed()


class ReaderSimulator:
    """The TCP server. ``round_ms`` is the simulated inventory round (AISpecs without their own duration)."""

    def __init__(
        self,
        source: ReadSource,
        *,
        clock: Clock | None = None,
        round_ms: int = 1000,
        replay: list[bytes] | None = None,
        partial_frame_timeout_s: float = 2.0,
        memory: TagMemory | None = None,
    ) -> None:
        self.source = source
        self.memory = memory or TagMemory()  # the tags' EPC banks: writes outlive a connection
        self.clock = clock or RealClock()
        self.round_ms = round_ms
        self.replay = replay or []
        self.partial_frame_timeout_s = partial_frame_timeout_s
        bodies = recorded_bodies()
        self.capabilities_body = llrp.patch_antenna_count(
            bodies["GET_READER_CAPABILITIES_RESPONSE"], max(source.ports, default=1)
        )
        self.config_body = bodies["GET_READER_CONFIG_RESPONSE"]
        self.stats = ReaderStats()
        self.session: _Session | None = None
        self._session_task: asyncio.Task[None] | None = None
        self._server: asyncio.base_events.Server | None = None
        self.host = "127.0.0.1"
        self.port = 0
        self.connected = asyncio.Event()

    async def start(self, host: str = "127.0.0.1", port: int = 5084) -> ReaderSimulator:
        self._server = await asyncio.start_server(self._accept, host, port)
        self.host = host
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("LLRP reader listening", extra={"host": host, "port": self.port})
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        if self.session is not None:
            self.session.closing = True
            self.drop_connection()
        if self._session_task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._session_task, 3.0)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 3.0)
        self._server = None

    async def __aenter__(self) -> ReaderSimulator:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def inventorying(self) -> bool:
        """A client is connected and one of its ROSpecs is running (rounds go on, reads or none)."""
        session = self.session
        return session is not None and any(s.state == ACTIVE for s in session.specs.values())

    def drop_connection(self) -> bool:
        """Cut the client off without a word, as a reader that loses power or network does."""
        session = self.session
        if session is None:
            return False
        transport = session.writer.transport
        transport.abort()
        return True

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.session is not None:
            self.stats.refused += 1
            event = llrp.connection_attempt(llrp.CONNECTION_FAILED_CLIENT_EXISTS)
            writer.write(
                llrp.frame(llrp.READER_EVENT_NOTIFICATION, 0, llrp.reader_event(micros(self.clock.now()), event))
            )
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.drain(), 1.0)
            writer.close()
            log.info("refused a second client", extra={"peer": str(writer.get_extra_info("peername"))})
            return
        self.stats.sessions += 1
        session = _Session(self, reader, writer)
        self.session = session
        self.connected.set()
        self._session_task = asyncio.current_task()
        log.info("client connected", extra={"peer": str(writer.get_extra_info("peername"))})
        try:
            await session.run()
        finally:
            self.session = None
            self.connected.clear()
            log.info("client gone")


def tag_report_epcs(body: bytes) -> list[bytes]:
    """EPCs in an RO_ACCESS_REPORT body (for tests and the replay reader's log)."""
    epcs = []
    for p in llrp.iter_params(body):
        if p.ptype != llrp.P_TAG_REPORT_DATA:
            continue
        for sub in llrp.iter_params(p.value):
            if sub.tv and sub.ptype == llrp.TV_EPC_96:
                epcs.append(sub.value)
            elif not sub.tv and sub.ptype == llrp.P_EPC_DATA:
                (bits,) = struct.unpack_from("!H", sub.value)
                epcs.append(sub.value[2 : 2 + (bits + 7) // 8])
    return epcs
