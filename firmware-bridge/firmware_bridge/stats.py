"""What a scale's bridge has seen: lines, refusals by kind, gaps, port losses, readings, commands."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class BridgeStats:
    """What a bridge has seen; ``refused`` is per error kind (bad_crc, too_long, ...)."""

    lines_ok: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    seq_gaps: int = 0
    lines_missing: int = 0
    opens: int = 0
    losses: int = 0
    readings: int = 0
    published: int = 0
    device_errors: Counter[str] = field(default_factory=Counter)
    commands_acked: int = 0
    commands_refused: int = 0
    commands_failed: int = 0

    @property
    def refused_total(self) -> int:
        return sum(self.refused.values())
