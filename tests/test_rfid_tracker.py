"""The tag tracker and the gate detector, fed reads directly in event time."""

from __future__ import annotations

import random

from edge.rfid.gate import INSIDE, OUTSIDE, GateDetector, GateParams
from edge.rfid.tracker import TagTracker, TrackerParams

T0 = 1_767_600_000.0  # event time, epoch seconds
EPC = "3034D10210007AC0000003E8"


def kinds(events) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.kind for e in events if e is not None]


def test_arrival_after_settling_at_the_location_that_reads_most() -> None:
    tracker = TagTracker(TrackerParams(arrival_settle_s=2))
    # first read by a neighbouring antenna (a cross-read), then the tag's own antenna reads it
    assert tracker.observe(EPC, "floor-a2", 4, -58, T0) is None
    assert tracker.observe(EPC, "floor-a1", 3, -50, T0 + 0.5) is None
    assert tracker.observe(EPC, "floor-a1", 3, -51, T0 + 1.5) is None
    arrived = tracker.observe(EPC, "floor-a1", 3, -50, T0 + 2.5)
    assert arrived is not None and arrived.kind == "arrived" and arrived.location == "floor-a1"
    assert arrived.time == T0  # the event time is the first read
    assert [tracker.observe(EPC, "floor-a1", 3, -50 + i % 3, T0 + 2.5 + i) for i in range(1, 30)] == [None] * 29
    assert tracker.tags[EPC].present and tracker.tags[EPC].location == "floor-a1"


def test_a_tag_read_once_arrives_at_the_next_sweep() -> None:
    tracker = TagTracker(TrackerParams(arrival_settle_s=2))
    assert tracker.observe(EPC, "backroom", 1, -50, T0) is None
    assert tracker.sweep(T0 + 1) == []
    assert [(e.kind, e.location) for e in tracker.sweep(T0 + 2)] == [("arrived", "backroom")]


def test_faint_cross_reads_through_a_wall_never_make_an_arrival() -> None:
    # the dock's reader reads a backroom tag now and then through the wall, always faintly
    tracker = TagTracker(TrackerParams(arrival_settle_s=2, arrival_min_rssi_dbm=-56))
    for i in range(30):
        assert tracker.observe(EPC, "dock", 2, -58 - i % 4, T0 + 10 * i) is None
        assert tracker.sweep(T0 + 10 * i + 5) == []
    assert not tracker.tags[EPC].present
    # a delivery put down at the dock is read strongly: it arrives, and its faint reads later keep it present
    other = "3034D10210007AC0000003E9"
    assert tracker.observe(other, "dock", 2, -47, T0 + 400) is None
    assert [(e.kind, e.location) for e in tracker.sweep(T0 + 403)] == [("arrived", "dock")]
    assert tracker.observe(other, "dock", 2, -60, T0 + 500) is None and tracker.tags[other].present


def test_settle_zero_arrives_on_the_first_read() -> None:
    tracker = TagTracker(TrackerParams(arrival_settle_s=0))
    first = tracker.observe(EPC, "floor-a1", 3, -50, T0)
    assert first is not None and first.kind == "arrived"


def test_move_needs_the_margin_while_the_old_location_still_reads() -> None:
    params = TrackerParams(
        move_margin_db=6, margin_holdoff_s=2, margin_decay_db_per_s=1, rssi_window=4, arrival_settle_s=0
    )
    tracker = TagTracker(params)
    tracker.observe(EPC, "A", 1, -50, T0)
    # both locations read the tag every second; B is 4 dB better: inside the margin, no move
    for s in range(1, 20):
        assert tracker.observe(EPC, "A", 1, -50, T0 + s) is None
        assert tracker.observe(EPC, "B", 2, -46, T0 + s + 0.5) is None
    assert tracker.tags[EPC].location == "A"
    # B becomes 8 dB better than A's window: beyond the margin, the tag moves at once
    events = [tracker.observe(EPC, "B", 2, -40, T0 + 20 + i * 0.1) for i in range(4)]
    moved = [e for e in events if e is not None]
    assert [e.kind for e in moved] == ["moved"] and moved[0].from_location == "A" and moved[0].location == "B"


def test_margin_shrinks_when_the_old_location_falls_silent() -> None:
    params = TrackerParams(
        move_margin_db=6,
        margin_holdoff_s=2,
        margin_decay_db_per_s=1,
        margin_floor_db=-20,
        arrival_settle_s=0,
        move_after_reads=0,
    )
    tracker = TagTracker(params)
    for s in range(5):
        tracker.observe(EPC, "A", 1, -50, T0 + s)
    # the tag is carried away: A stops reading, B reads it 2 dB weaker than A used to
    moved_at = None
    for s in range(5, 40):
        event = tracker.observe(EPC, "B", 2, -52, T0 + s)
        if event is not None:
            moved_at = s
            break
    # the margin 6 dB must fall below -2 dB: holdoff 2 s + 8 s of decay after A's last read (t=4)
    assert moved_at is not None and 4 + 2 + 8 <= moved_at <= 4 + 2 + 8 + 2


def test_a_run_of_reads_elsewhere_moves_the_tag_once_the_old_location_is_silent() -> None:
    tracker = TagTracker(TrackerParams(arrival_settle_s=0, move_after_reads=3, move_after_silent_s=4))
    for s in range(5):
        tracker.observe(EPC, "A", 1, -45, T0 + s)
    # carried to B, where it reads much weaker than it did at A: the RSSI alone would take a while
    events = [tracker.observe(EPC, "B", 2, -60, T0 + 5 + s) for s in range(6)]
    moved = [(i, e.location) for i, e in enumerate(events) if e is not None]
    assert moved == [(3, "B")]  # third read at B and A silent since t=4: at t=8


def test_no_flapping_under_five_percent_cross_reads() -> None:
    rng = random.Random(3)
    tracker = TagTracker()
    epcs = [f"3034D10210007AC0{i:08X}" for i in range(200)]
    events = []
    for second in range(3600):
        for epc in epcs:
            if rng.random() < 0.8:
                events.append(tracker.observe(epc, "A", 1, rng.gauss(-50, 2), T0 + second + rng.random()))
            if rng.random() < 0.05:
                events.append(tracker.observe(epc, "B", 2, rng.gauss(-58, 3), T0 + second + rng.random()))
        if second % 10 == 0:
            events.extend(tracker.sweep(T0 + second))
    assert kinds(events).count("arrived") == 200
    assert kinds(events).count("moved") == 0
    assert kinds(events).count("departed") == 0


def test_departure_after_the_timeout_and_not_before_then_arrival_again() -> None:
    tracker = TagTracker(TrackerParams(departed_after_s=60, arrival_settle_s=0))
    tracker.observe(EPC, "A", 1, -50, T0)
    tracker.observe(EPC, "A", 1, -50, T0 + 10)
    assert tracker.sweep(T0 + 10 + 59.9) == []
    departed = tracker.sweep(T0 + 10 + 60)
    assert [(e.kind, e.location) for e in departed] == [("departed", "A")]
    assert not tracker.tags[EPC].present
    assert tracker.sweep(T0 + 200) == []  # departs once
    again = tracker.observe(EPC, "B", 2, -50, T0 + 300)
    assert again is not None and again.kind == "arrived" and again.location == "B"


def test_long_departed_tags_are_forgotten() -> None:
    tracker = TagTracker(TrackerParams(departed_after_s=60, forget_after_s=3600, arrival_settle_s=0))
    tracker.observe(EPC, "A", 1, -50, T0)
    tracker.sweep(T0 + 61)
    assert EPC in tracker.tags
    tracker.sweep(T0 + 3600)
    assert EPC not in tracker.tags


def test_reads_without_rssi_still_track() -> None:
    tracker = TagTracker(TrackerParams(arrival_settle_s=0))
    event = tracker.observe(EPC, "A", 1, None, T0)
    assert event is not None and event.kind == "arrived"


# -- gates ----------------------------------------------------------------------
def walk(detector: GateDetector, epc: str, start: float, first: str, rng: random.Random, steps: int = 8) -> list:
    """A tag walking past the gate from ``first`` side to the other, read a few times a second by each antenna."""
    passages = []
    other = OUTSIDE if first == INSIDE else INSIDE
    for i in range(steps + 1):
        progress = i / steps  # 0: at the first antenna, 1: at the second
        t = start + i * 0.5
        for side, distance in ((first, progress * 3), (other, (1 - progress) * 3)):
            if rng.random() < 0.8:
                p = detector.observe(epc, side, -40 - 20 * (distance / 3) + rng.gauss(0, 2), t + rng.random() * 0.4)
                if p:
                    passages.append(p)
    passages.extend(detector.sweep(start + steps * 0.5 + 10))
    return passages


def test_gate_gives_direction_out_and_in() -> None:
    rng = random.Random(5)
    gate = GateDetector("gate-exit")
    out = walk(gate, EPC, T0, INSIDE, rng)
    assert [(p.epc, p.direction) for p in out] == [(EPC, "out")]
    back = walk(gate, EPC, T0 + 100, OUTSIDE, rng)
    assert [p.direction for p in back] == ["in"]
    results = [walk(gate, f"EPC{i}", T0 + 200 + i * 50, INSIDE if i % 2 else OUTSIDE, rng) for i in range(40)]
    directions = [r[0].direction if r else None for r in results]
    expected = ["out" if i % 2 else "in" for i in range(40)]
    assert sum(d == e for d, e in zip(directions, expected, strict=True)) >= 38
    assert all(d in (e, None) for d, e in zip(directions, expected, strict=True)), "never the wrong direction"


def test_a_tag_lingering_at_the_gate_is_not_a_passage() -> None:
    rng = random.Random(9)
    gate = GateDetector("gate-exit", GateParams(max_visit_s=15))
    passages = []
    # a shopper stands between the antennas for a minute, swaying
    for i in range(120):
        t = T0 + i * 0.5
        lean = rng.uniform(-1, 1)
        for side, rssi in ((INSIDE, -48 + 4 * lean), (OUTSIDE, -48 - 4 * lean)):
            p = gate.observe(EPC, side, rssi + rng.gauss(0, 2), t)
            if p:
                passages.append(p)
    passages.extend(gate.sweep(T0 + 120))
    assert passages == []
    assert gate.lingered == 1


def test_a_tag_seen_by_one_gate_antenna_only_is_not_a_passage() -> None:
    gate = GateDetector("gate-exit")
    for i in range(10):
        gate.observe(EPC, INSIDE, -45, T0 + i * 0.3)
    assert gate.sweep(T0 + 20) == []



def test_a_walk_is_judged_on_thirds_of_its_time_not_of_its_reads() -> None:
    """The inside antenna reports the tag twenty times a second while it is near, the rest once a second: the last
    third of the READS reaches back into the inside half of the walk; the last third of its TIME is clearly outside."""
    reads = [(i * 0.05, INSIDE, -30.0) for i in range(40)] + [(i * 1.0, OUTSIDE, -38.0) for i in range(2)]
    reads += [(2 + i * 1.0, OUTSIDE, -30.0) for i in range(3)] + [(2 + i * 1.0, INSIDE, -38.0) for i in range(3)]
    for first, direction in ((INSIDE, "out"), (OUTSIDE, "in")):
        gate = GateDetector("gate-exit", GateParams(quiet_s=10.0, max_visit_s=60.0))
        for t, side, rssi in sorted(reads):
            seen_side = side if first == INSIDE else (OUTSIDE if side == INSIDE else INSIDE)
            assert gate.observe(EPC, seen_side, rssi, T0 + t) is None
        assert [(p.epc, p.direction) for p in gate.sweep(T0 + 20)] == [(EPC, direction)]
