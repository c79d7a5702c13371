"""Demand classes by ADI and CV² (Syntetos, Boylan and Croston, 2005).

ADI is the mean interval between days with demand; CV² the squared
coefficient of variation of the non-zero quantities. The cut-offs 1.32 and
0.49 are the published ones: they separate where Croston-type methods beat
exponential smoothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49
CLASSES = ("smooth", "erratic", "intermittent", "lumpy")


@dataclass(frozen=True)
class DemandClass:
    kind: str  # smooth / erratic / intermittent / lumpy, or "none" without any sale
    adi: float | None
    cv2: float | None


def classify(y: np.ndarray) -> DemandClass:
    """Class of one daily series (zeros included)."""
    nonzero = np.flatnonzero(y > 0)
    if nonzero.size == 0:
        return DemandClass("none", None, None)
    # intervals counted from the start of the series, so one sale in 100 days has ADI 100
    intervals = np.diff(np.concatenate(([-1], nonzero)))
    adi = float(intervals.mean())
    sizes = y[nonzero]
    cv2 = float((sizes.std() / sizes.mean()) ** 2) if sizes.size > 1 else 0.0
    if adi < ADI_CUTOFF:
        kind = "smooth" if cv2 < CV2_CUTOFF else "erratic"
    else:
        kind = "intermittent" if cv2 < CV2_CUTOFF else "lumpy"
    return DemandClass(kind, round(adi, 4), round(cv2, 4))
