"""Count only a still view: a shelf being restocked or a shopper walking by gives no count.

Each frame is shrunk to a small grey thumbnail and compared with the
previous one; the view is still once ``still_frames`` consecutive frames
differ by less than ``max_change`` (mean absolute grey levels, 0-255).
Sensor noise averages out in the thumbnail; a hand, a trolley or a person
does not.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass
class StillnessGate:
    still_frames: int = 3
    max_change: float = 4.0
    thumb: tuple[int, int] = (80, 60)

    def __post_init__(self) -> None:
        self._previous: np.ndarray | None = None
        self._stable = 0
        self.last_change = 0.0

    def update(self, image: np.ndarray) -> bool:
        """Feed one frame; True when the view has been still long enough to count."""
        grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
        small = cv2.GaussianBlur(cv2.resize(grey, self.thumb, interpolation=cv2.INTER_AREA), (3, 3), 0)
        small = small.astype(np.float32)
        if self._previous is None or self._previous.shape != small.shape:
            self._previous, self._stable, self.last_change = small, 1, float("inf")
            return self._stable >= self.still_frames
        self.last_change = float(np.abs(small - self._previous).mean())
        self._previous = small
        self._stable = self._stable + 1 if self.last_change <= self.max_change else 1
        return self._stable >= self.still_frames

    def reset(self) -> None:
        self._previous, self._stable = None, 0
