"""Is ingest working? What ``/api/health`` answers, judged from the link's consumer and the periodic checks.

``ok`` while messages flow or nothing waits; ``storage_failing`` while the
store refuses writes (messages are held back, unacknowledged, and retried);
``stalled`` when the receiving loop has ended or a batch has been in hand
longer than ``storage.stall_after_s`` with the store working. Anything but
``ok`` is a 503, so a container health check or a monitor sees it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from comptoir.link import ConsumerState

Status = Literal["ok", "stalled", "storage_failing"]


@dataclass(frozen=True, slots=True)
class IngestHealth:
    status: Status
    reason: str | None
    last_batch: datetime | None
    queued: int  # received and not yet taken up, plus the batch in hand
    held_back: int  # messages held back, unacknowledged, while the store fails


@dataclass
class IngestWatch:
    """What ingest's health is judged from; the running hub fills in its link's consumer."""

    consumer_state: Callable[[], ConsumerState] | None = None
    stall_after_s: float = 60.0
    tick_failure: str | None = None  # why the last periodic check could not use the store

    def health(self) -> IngestHealth:
        state = self.consumer_state() if self.consumer_state is not None else None
        if state is None:
            status: Status = "storage_failing" if self.tick_failure else "ok"
            return IngestHealth(status, self.tick_failure, None, 0, 0)
        status, reason = "ok", None
        if state.stopped:
            status, reason = "stalled", state.stopped
        elif state.store_failure:
            status = "storage_failing"
            reason = (f"{state.store_failure} ({state.held_back} messages held back, unacknowledged, for "
                      f"{state.store_failing_s:.0f} s, {state.retries} tries)")
        elif state.in_hand and state.in_hand_s > self.stall_after_s:
            status = "stalled"
            reason = f"a batch of {state.in_hand} messages has been in hand for {state.in_hand_s:.0f} s"
        elif self.tick_failure:
            status, reason = "storage_failing", f"periodic checks: {self.tick_failure}"
        return IngestHealth(status, reason, state.last_batch, state.queued + state.in_hand, state.held_back)
