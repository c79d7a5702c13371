"""Gate passages: a tag walking past two antennas, one inside and one outside.

A visit is the run of reads of one tag at the gate's antennas, ended by
``quiet_s`` without any. At its end the visit is judged: each antenna's
strongest read gives the order (inside peaked first: the tag went out), and
the tag must have been clearly on one side in the first third of the visit's
duration and clearly on the other in the last third, by ``side_margin_db`` of mean
RSSI (over the reads within ``near_db`` of each antenna's peak, so that faint
reads from afar do not blur the walk). A visit longer than ``max_visit_s`` is a tag lingering near the gate,
never a passage.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

INSIDE, OUTSIDE = "inside", "outside"
_NO_RSSI = -100.0  # a read without RSSI


class GateParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    quiet_s: float = Field(2.0, gt=0, description="a visit ends after this long without a read at the gate")
    max_visit_s: float = Field(15.0, gt=0, description="a longer visit is a tag lingering at the gate: no passage")
    side_margin_db: float = Field(
        3.0, ge=0, description="mean RSSI by which one side must win the first and the last third of a visit"
    )
    min_reads: int = Field(6, ge=3, description="reads a visit needs to be judged at all")
    min_reads_per_side: int = Field(2, ge=1, description="reads each of the two antennas must contribute")
    min_peak_rssi_dbm: float | None = Field(
        None,
        ge=-200,
        le=50,
        description="each antenna's strongest read must reach this (dBm): ignores tags only glimpsed from afar",
    )
    near_db: float = Field(
        12.0, gt=0, description="reads weaker than their antenna's peak by more than this are left out of the judgement"
    )
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
            visit.reads.append((when, side, _NO_RSSI if rssi is None else float(rssi)))
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
        if len(reads) < p.min_reads or min(len(inside), len(outside)) < p.min_reads_per_side:
            return None
        strongest_in = max(inside, key=lambda r: (r[2], -r[0]))
        strongest_out = max(outside, key=lambda r: (r[2], -r[0]))
        if p.min_peak_rssi_dbm is not None and min(strongest_in[2], strongest_out[2]) < p.min_peak_rssi_dbm:
            return None
        peak_in, peak_out = strongest_in[0], strongest_out[0]
        if peak_in == peak_out:
            return None
        # judge on the reads near each antenna's peak: faint reads from afar (a tag waiting at the
        # checkout, seen through the shelving) say where the tag was before the walk, not during it
        floor = {INSIDE: strongest_in[2] - p.near_db, OUTSIDE: strongest_out[2] - p.near_db}
        near = [r for r in reads if r[2] >= floor[r[1]]]
        # a side silent in a third counts as a little weaker than its weakest near read
        absent_in = min(r[2] for r in near if r[1] == INSIDE) - 3.0
        absent_out = min(r[2] for r in near if r[1] == OUTSIDE) - 3.0
        # thirds of the walk's duration, not of its reads: a reader reads a tag more often close to an antenna, so
        # thirds by count would lean towards the middle of the walk, where the two antennas read alike
        began, ended = near[0][0], near[-1][0]
        span = ended - began
        early = _lean([r for r in near if r[0] <= began + span / 3] or near[:1], absent_in, absent_out)
        late = _lean([r for r in near if r[0] >= ended - span / 3] or near[-1:], absent_in, absent_out)
        if peak_in < peak_out:
            direction, ok = "out", early >= p.side_margin_db and late <= -p.side_margin_db
        else:
            direction, ok = "in", early <= -p.side_margin_db and late >= p.side_margin_db
        if not ok:
            return None
        confidence = min(1.0, min(abs(early), abs(late)) / max(2 * p.side_margin_db, 1e-9))
        return Passage(epc, direction, round(confidence, 3), visit.last)


def _lean(reads: list[tuple[float, str, float]], absent_in: float, absent_out: float) -> float:
    """Mean inside RSSI minus mean outside RSSI (positive: the tag is on the inside)."""
    ins = [r[2] for r in reads if r[1] == INSIDE]
    outs = [r[2] for r in reads if r[1] == OUTSIDE]
    mean_in = sum(ins) / len(ins) if ins else absent_in
    mean_out = sum(outs) / len(outs) if outs else absent_out
    return mean_in - mean_out
