"""How big the hostile suite runs: ``COMPTOIR_HOSTILE_SCALE`` (1 in CI; bench/hostile.py runs 10 or more)."""

from __future__ import annotations

import os


def hostile_scale() -> int:
    try:
        return max(1, int(os.environ.get("COMPTOIR_HOSTILE_SCALE", "1")))
    except ValueError:
        return 1
