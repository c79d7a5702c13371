"""The scale firmware's behaviour, in Python: load-cell readings in, protocol lines out.

It follows the firmware's portable core (``lib/scale_core``): the same
median-then-average filter, stable flag, TARE/CAL/INFO/RATE commands, retry
handling and error reports, so that the bridge meets here what it meets on
a real shelf.
"""

from __future__ import annotations

import random
import statistics
from collections import deque
from dataclasses import dataclass

from simulators.scale.line_protocol import Command, Reply, frame, grams_text, read_command

HX711_MAX = 8_388_607


@dataclass
class FirmwareParams:
    """The firmware's defaults (``DeviceParams`` and ``FilterParams`` in the C++ core)."""

    rate_hz: int = 10
    capacity_g: float = 20_000.0
    median_len: int = 3
    average_len: int = 8
    stable_len: int = 10
    stable_band_g: float = 2.0
    min_cal_counts: float = 100.0


class LoadCell:
    """An HX711 on a load cell: raw counts for a weight, with noise."""

    def __init__(
        self, offset: int = 84_210, counts_per_gram: float = 420.0, noise_counts: float = 120.0, seed: int = 1
    ) -> None:
        self.offset = offset
        self.counts_per_gram = counts_per_gram
        self.noise_counts = noise_counts
        self.rng = random.Random(seed)
        self.ready = True

    def read(self, grams: float) -> int:
        raw = self.offset + self.counts_per_gram * grams + self.rng.gauss(0.0, self.noise_counts)
        return max(-HX711_MAX - 1, min(HX711_MAX, round(raw)))


class SimulatedFirmware:
    """Feed it ``sample``/``host_line`` and ``tick``; it returns the lines the scale sends."""

    def __init__(
        self,
        params: FirmwareParams | None = None,
        *,
        firmware: str = "1.0.0",
        board: str = "sim-hx711",
        offset: int = 84_210,
        counts_per_gram: float = 420.0,
    ) -> None:
        self.params = params or FirmwareParams()
        self.firmware = firmware
        self.board = board
        # The stored calibration: right for an empty load cell; the tray is what TARE removes.
        self.offset = offset
        self.counts_per_gram = counts_per_gram
        self.rate_hz = self.params.rate_hz
        self.seq = 0
        self._raw: deque[float] = deque(maxlen=self.params.median_len)
        self._medians: deque[float] = deque(maxlen=self.params.average_len)
        self._history: deque[float] = deque(maxlen=self.params.stable_len)
        self._saturated = False
        self._last_sample_s: float | None = None
        self._last_report_s = 0.0
        self._started_s = 0.0
        self._last_command: tuple[int, str, str] | None = None  # seq, name, reply payload

    # -- lines ----------------------------------------------------------------
    def _line(self, payload: str) -> bytes:
        line = frame(f"{self.seq} {payload}")
        self.seq = (self.seq + 1) % 65536
        return line

    def boot(self, now_s: float) -> bytes:
        """Power on: seq from 0, default rate, empty filter; the calibration is in flash and stays."""
        self._started_s = self._last_report_s = now_s
        self.seq = 0
        self.rate_hz = self.params.rate_hz
        self._reset_filter()
        self._last_command = None
        self._last_sample_s = None
        return self._line(f"HELLO 1 {self.firmware} {self.board}")

    # -- the load cell --------------------------------------------------------
    def sample(self, now_s: float, raw: int) -> None:
        self._last_sample_s = now_s
        self._saturated = raw >= HX711_MAX or raw <= -HX711_MAX - 1
        if self._saturated:
            return
        self._raw.append((raw - self.offset) / self.counts_per_gram)
        self._medians.append(statistics.median(self._raw))
        self._history.append(sum(self._medians) / len(self._medians))

    @property
    def grams(self) -> float | None:
        return self._history[-1] if self._history else None

    @property
    def stable(self) -> bool:
        h = self._history
        return len(h) == h.maxlen and max(h) - min(h) <= self.params.stable_band_g

    def _reset_filter(self) -> None:
        self._raw.clear()
        self._medians.clear()
        self._history.clear()

    def _sensor_ready(self, now_s: float) -> bool:
        return self._last_sample_s is not None and now_s - self._last_sample_s <= 0.5

    def tick(self, now_s: float) -> bytes | None:
        """The report due at ``now_s``, if one is."""
        if now_s - self._last_report_s < 1.0 / self.rate_hz:
            return None
        self._last_report_s = now_s
        grams = self.grams
        if not self._sensor_ready(now_s):
            return None if now_s - self._started_s < 0.5 else self._line("ERROR NOT_READY")
        if self._saturated or (grams is not None and abs(grams) > self.params.capacity_g):
            return self._line("ERROR OVERLOAD")
        if grams is None:
            return None
        decigrams = max(-9_999_999, min(9_999_999, round(grams * 10)))
        return self._line(f"WEIGHT {grams_text(decigrams)} {'STABLE' if self.stable else 'MOVING'}")

    # -- commands -------------------------------------------------------------
    def host_line(self, now_s: float, line: bytes | None) -> bytes | None:
        """The answer to one line from the host (``None`` line: it was over-long)."""
        got = Reply(None, "BAD_LINE") if line is None else read_command(line)
        if got is None:
            return None
        if isinstance(got, Reply):
            return self._line("ERROR BAD_LINE" if got.seq is None else f"NAK {got.seq} {got.code}")
        last = self._last_command
        if last is not None and last[0] == got.seq and last[1] == got.name:
            return self._line(last[2])  # a retry: answer again, do not run twice
        reply = self._run(now_s, got)
        self._last_command = (got.seq, got.name, reply)
        return self._line(reply)

    def _run(self, now_s: float, command: Command) -> str:
        ok, grams = f"ACK {command.seq} {command.name}", self.grams
        ready = self._sensor_ready(now_s) and grams is not None and not self._saturated
        if command.name == "TARE":
            if not ready:
                return f"NAK {command.seq} NOT_READY"
            self.offset += round(grams * self.counts_per_gram)
            self._reset_filter()
            return ok
        if command.name == "CAL":
            if not ready:
                return f"NAK {command.seq} NOT_READY"
            net_counts = grams * self.counts_per_gram
            if abs(net_counts) < self.params.min_cal_counts:
                return f"NAK {command.seq} CAL_FAILED"
            self.counts_per_gram = net_counts / (command.decigrams / 10)
            self._reset_filter()
            return ok
        if command.name == "RATE":
            self.rate_hz = command.hz
            return ok
        return (
            f"{ok} proto=1 fw={self.firmware} rate={self.rate_hz} cap_g={int(self.params.capacity_g)} "
            f"cpg={self.counts_per_gram:.3f}"
        )
