"""One LLRP reader, kept connected through sllurp, whatever the network does.

sllurp's LLRPReaderClient does the LLRP work (capabilities, configuration,
the ROSpec, decoding) in its own thread. This wrapper builds its
configuration from ``edge.yaml`` (antennas, session, power, report trigger;
antenna id, peak RSSI, timestamps and seen count switched on), hands tag
reports to the asyncio loop, and reconnects with exponential backoff when
the connection drops, the sllurp thread dies, or the reader falls silent
(no report nor keepalive for ``silence_s``). Frames are split by
:mod:`edge.rfid.llrp_guard`: a bad frame is skipped and logged, a stream
that cannot be framed is dropped at once.

It says whether the reader works through ``on_state(up, reason)``: up once
the reader inventories, down (with what failed) when a connection attempt
fails or a connection ends, so the agent can tell its link, and the hub can
show the reader offline, within ``silence_s`` of the last thing it heard.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from sllurp.llrp import LLRPReaderClient, LLRPReaderConfig, LLRPReaderState

from comptoir.clock import Clock, RealClock
from edge.config import ReaderConfig
from edge.rfid.llrp_guard import GuardedReaderClient

log = logging.getLogger("comptoir.edge.rfid")

TagsHandler = Callable[[list[dict[str, Any]]], None]
StateHandler = Callable[[bool, str | None], None]


def sllurp_config(config: ReaderConfig) -> LLRPReaderConfig:
    ports = sorted(config.antennas)
    return LLRPReaderConfig(
        {
            "antennas": ports,
            "tx_power": {port: config.tx_power for port in ports},
            "session": config.session,
            "tag_population": config.tag_population,
            "report_every_n_tags": config.report_every_n_tags,
            "report_timeout_ms": config.report_timeout_ms,
            "start_inventory": True,
            "reset_on_connect": True,
            "reconnect": False,  # reconnecting is ours: sllurp's waits a fixed minute
            "keepalive_interval": int(config.keepalive_s * 1000),
            "tag_content_selector": {
                "EnableROSpecID": False,
                "EnableSpecIndex": False,
                "EnableInventoryParameterSpecID": False,
                "EnableAntennaID": True,
                "EnableChannelIndex": False,
                "EnablePeakRSSI": True,
                "EnableFirstSeenTimestamp": True,
                "EnableLastSeenTimestamp": True,
                "EnableTagSeenCount": True,
                "EnableAccessSpecID": False,
            },
        }
    )


class ReaderLink:
    """Keeps one reader connected and inventorying; calls ``on_tags`` in the loop with each report's tags."""

    def __init__(
        self,
        config: ReaderConfig,
        on_tags: TagsHandler,
        clock: Clock | None = None,
        on_state: StateHandler | None = None,
    ) -> None:
        self.config = config
        self.on_tags = on_tags
        self.on_state = on_state
        self.clock = clock or RealClock()
        self.connects = 0
        self.failures = 0
        self.reports = 0
        self.bad_frames = 0  # frames skipped, or streams dropped, because they were not LLRP
        self.inventorying = asyncio.Event()
        self._heard = threading.Event()
        self._refused = threading.Event()
        self._client: LLRPReaderClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def address(self) -> str:
        return f"{self.config.host}:{self.config.port}"

    async def run(self) -> None:
        """Connect, watch, reconnect; forever (cancel to stop)."""
        self._loop = asyncio.get_running_loop()
        backoff = self.config.reconnect_min_s
        try:
            while True:
                healthy, lost = await self._session()
                self._say(False, f"LLRP reader {self.address}: {lost}")
                if healthy:
                    backoff = self.config.reconnect_min_s
                log.warning(
                    "reader connection lost; reconnecting",
                    extra={"reader": self.config.id, "address": self.address, "retry_in_s": backoff},
                )
                await self.clock.sleep(backoff)
                backoff = min(backoff * 2, self.config.reconnect_max_s)
        finally:
            await self._drop()

    async def _session(self) -> tuple[bool, str]:
        """One connection, until it dies: whether it delivered reports, and what ended it."""
        client = GuardedReaderClient(
            self.config.host,
            self.config.port,
            sllurp_config(self.config),
            timeout=5.0,
            on_bad_frame=self._bad_frame_from_thread,
        )
        client.add_tag_report_callback(self._tags_from_thread)
        # first: sllurp wires event callbacks only if no other READER_EVENT_NOTIFICATION callback exists yet
        client.add_event_callback(self._event_from_thread)
        for name in ("RO_ACCESS_REPORT", "KEEPALIVE", "READER_EVENT_NOTIFICATION"):
            client.add_message_callback(name, self._heard_from_thread)
        client.add_state_callback(LLRPReaderState.STATE_INVENTORYING, self._inventorying_from_thread)
        self._refused.clear()
        self.inventorying.clear()
        reports_before = self.reports
        try:
            await asyncio.to_thread(client.connect)
        except Exception as exc:  # refused, unreachable, timed out
            self.failures += 1
            log.warning(
                "cannot connect to the reader",
                extra={"reader": self.config.id, "address": self.address, "error": str(exc)},
            )
            return False, f"cannot connect ({exc})"
        self._client = client
        self.connects += 1
        log.info("connected to the reader", extra={"reader": self.config.id, "address": self.address})
        last_heard = self.clock.now()
        lost = "connection lost"
        try:
            while client.is_alive() and not self._refused.is_set():
                await self.clock.sleep(min(1.0, self.config.silence_s / 4))
                if self._heard.is_set():
                    self._heard.clear()
                    last_heard = self.clock.now()
                elif (self.clock.now() - last_heard).total_seconds() > self.config.silence_s:
                    log.warning(
                        "reader silent; dropping the connection",
                        extra={"reader": self.config.id, "silence_s": self.config.silence_s},
                    )
                    lost = f"no report nor keepalive for {self.config.silence_s:g} s (silence_s)"
                    break
        finally:
            await self._drop()
        if self._refused.is_set():
            lost = "refused the connection (another client holds it?)"
            log.warning("the reader " + lost, extra={"reader": self.config.id, "address": self.address})
        return self.reports > reports_before, lost

    async def _drop(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        self.inventorying.clear()
        if client.is_alive() and not self._refused.is_set():
            # politely: the reader deletes our ROSpec and closes its side, then sllurp ends its thread
            with contextlib.suppress(Exception):
                await asyncio.to_thread(client.disconnect, self.config.polite_disconnect_s)
        client.disconnect_requested.set()  # tells sllurp not to treat the close as a loss
        # always, even when sllurp's thread has ended: ended by an exception of its own, it leaves its socket
        # open, and a reader serves one client at a time, so every later connection would be refused
        await asyncio.to_thread(client.hard_disconnect)
        if client.is_alive():
            with contextlib.suppress(Exception):
                await asyncio.to_thread(client.join, 5.0)

    # -- called in sllurp's thread --------------------------------------------
    def _call(self, fn: Callable[..., None], *args: Any) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(fn, *args)

    def _tags_from_thread(self, _client: LLRPReaderClient, tags: list[dict[str, Any]]) -> None:
        self._call(self._deliver, tags)

    def _bad_frame_from_thread(self, msg_type: int, length: int, reason: str) -> None:
        self.bad_frames += 1
        log.warning(
            "bad LLRP frame from the reader",
            extra={"reader": self.config.id, "type": msg_type, "length": length, "reason": reason},
        )

    def _heard_from_thread(self, _client: LLRPReaderClient, _msg: object) -> None:
        self._heard.set()

    def _event_from_thread(self, _client: LLRPReaderClient, event: dict[str, Any]) -> None:
        attempt = event.get("ConnectionAttemptEvent")
        if attempt is not None and attempt.get("Status") != "Success":
            self._refused.set()

    def _inventorying_from_thread(self, _client: LLRPReaderClient, _state: int) -> None:
        self._call(self._now_inventorying)

    # -- back in the loop -------------------------------------------------------
    def _say(self, up: bool, reason: str | None) -> None:
        if self.on_state is not None:
            try:
                self.on_state(up, reason)
            except Exception:  # telling must never stop the reading
                log.exception("reader state handler failed", extra={"reader": self.config.id})

    def _now_inventorying(self) -> None:
        self.inventorying.set()
        self._say(True, None)
        log.info("reader inventorying", extra={"reader": self.config.id, "antennas": sorted(self.config.antennas)})

    def _deliver(self, tags: list[dict[str, Any]]) -> None:
        self.reports += 1
        try:
            self.on_tags(tags)
        except Exception:  # a bug in handling one report must not end the reader
            log.exception("tag report handling failed", extra={"reader": self.config.id, "tags": len(tags)})
