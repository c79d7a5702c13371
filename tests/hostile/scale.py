"""How much work the hostile-input suite does: ``COMPTOIR_HOSTILE_SCALE`` (1 in CI; bench/hostile.py runs 10+)."""

from __future__ import annotations

import os


def hostile_scale() -> int:
    """The suite's size factor, a positive integer from ``COMPTOIR_HOSTILE_SCALE`` (default 1)."""
    raw = os.environ.get("COMPTOIR_HOSTILE_SCALE", "1")
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"COMPTOIR_HOSTILE_SCALE={raw!r} is not an integer") from None
    if value < 1:
        raise ValueError(f"COMPTOIR_HOSTILE_SCALE={value} must be at least 1")
    return value
