"""How big a hostile-input run is: ``COMPTOIR_HOSTILE_SCALE`` (1 in CI; the benchmark runs 10 or more)."""

from __future__ import annotations

import os


def hostile_scale() -> int:
    """The multiplier every hostile part applies to its counts; bad values fail loudly rather than shrink the run."""
    raw = os.environ.get("COMPTOIR_HOSTILE_SCALE", "1")
    try:
        scale = int(raw)
    except ValueError:
        raise ValueError(f"COMPTOIR_HOSTILE_SCALE must be a whole number >= 1, got {raw!r}") from None
    if scale < 1:
        raise ValueError(f"COMPTOIR_HOSTILE_SCALE must be a whole number >= 1, got {raw!r}")
    return scale
