"""Gate passages: a tag walking past two antennas, one inside and one outside.

A visit is the run of reads of one tag at the gate's antennas, ended by
``quiet_s`` without any. At its end the visit is judged: each antenna's
strongest read gives the order (inside peaked first: the tag went out), and
the tag must have been clearly on one side in the first half of the visit
and clearly on the other in the second half, by ``side_margin_db`` of mean
RSSI. A visit longer than ``max_visit_s`` is a tag lingering near the gate,
never a passage.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

INSIDE, OUTSIDE = "inside", "outside"
_ABSENT_DBM = -100.0  # a side that did not read the tag at all in half a visit


class GateParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    quiet_s: float = Field(2.0, gt=0, description="a visit ends after this long without a read at the gate")
    max_visit_s: float = Field(15.0, gt=0, description="a longer visit is a tag lingering at the gate: no passage")
    side_margin_db: float = Field(
        3.0, ge=0, description="mean RSSI by which one side must win each half of a visit for a passage"
    )
    min_reads: int = Field(3, ge=2, description="reads a visit needs, at least one at each antenna")
    max_reads: int = Field(500, ge=10, description="reads kept per visit (memory bound for tags parked at the gate)")


@dataclass(frozen=True, slots=True)
class Passage:
    epc: str
    direction: str  # "in" or "out"
    confidence: float
    time: float  # event time (epoch s) of the visit's last read


@dataclass(slots=True)
class _Visit:
    first: float
    last: float
    reads: list[tuple[float, str, float]] = field(default_factory=list)
    lingering: bool = False


class GateDetector:
    """Passages through one gate, from the reads of its two antennas."""

    def __init__(self, gate_id: str, params: GateParams | None = None) -> None:
        self.gate_id = gate_id
        self.params = params or GateParams()
        self.visits: dict[str, _Visit] = {}
        self.lingered = 0

    def observe(self, epc: str, side: str, rssi: float | None, when: float) -> Passage | None:
        """Account for a read at ``side`` (inside/outside); a read after a quiet gap closes the previous visit."""
        p = self.params
        visit = self.visits.get(epc)
        passage = None
        if visit is not None and when - visit.last >= p.quiet_s:
            passage = self._judge(epc, visit)
            visit = None
        if visit is None:
            visit = self.visits[epc] = _Visit(when, when)
        visit.last = max(visit.last, when)
        if visit.last - visit.first > p.max_visit_s:
            visit.lingering = True
            visit.reads.clear()
        elif len(visit.reads) < p.max_reads:
            visit.reads.append((when, side, _ABSENT_DBM if rssi is None else float(rssi)))
        return passage

    def sweep(self, now: float) -> list[Passage]:
        """Judge every visit that has been quiet for ``quiet_s`` as of ``now``."""
        done = [epc for epc, v in self.visits.items() if now - v.last >= self.params.quiet_s]
        passages = []
        for epc in done:
            passage = self._judge(epc, self.visits[epc])
            if passage is not None:
                passages.append(passage)
        return passages

    def _judge(self, epc: str, visit: _Visit) -> Passage | None:
        del self.visits[epc]
        p = self.params
        if visit.lingering:
            self.lingered += 1
            return None
        reads = sorted(visit.reads)
        inside = [r for r in reads if r[1] == INSIDE]
        outside = [r for r in reads if r[1] == OUTSIDE]
        if len(reads) < p.min_reads or not inside or not outside:
            return None
        peak_in = max(inside, key=lambda r: (r[2], -r[0]))[0]
        peak_out = max(outside, key=lambda r: (r[2], -r[0]))[0]
        if peak_in == peak_out:
            return None
        half = len(reads) // 2
        early, late = _lean(reads[:half]), _lean(reads[half:])
        if peak_in < peak_out:
            direction, ok = "out", early >= p.side_margin_db and late <= -p.side_margin_db
        else:
            direction, ok = "in", early <= -p.side_margin_db and late >= p.side_margin_db
        if not ok:
            return None
        confidence = min(1.0, min(abs(early), abs(late)) / max(2 * p.side_margin_db, 1e-9))
        return Passage(epc, direction, round(confidence, 3), visit.last)


def _lean(reads: list[tuple[float, str, float]]) -> float:
    """Mean inside RSSI minus mean outside RSSI (positive: the tag is on the inside)."""
    ins = [r[2] for r in reads if r[1] == INSIDE]
    outs = [r[2] for r in reads if r[1] == OUTSIDE]
    mean_in = sum(ins) / len(ins) if ins else _ABSENT_DBM
    mean_out = sum(outs) / len(outs) if outs else _ABSENT_DBM
    return mean_in - mean_out
