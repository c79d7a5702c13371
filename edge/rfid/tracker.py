"""Tag tracking: turn a flood of raw reads into arrived / moved / departed.

Per EPC the tracker keeps a state (present or departed), a location (the
zone alias of the antenna that reads it best), and per location the last
``rssi_window`` peak RSSI values. It follows the EdgeX RFID inventory
service's "mobility profile": a tag moves to a new location only when the
new location's smoothed RSSI beats the current one by a margin, and that
margin shrinks the longer the current location has not read the tag
(``move_margin_db``, minus ``margin_decay_db_per_s`` per second once
``margin_holdoff_s`` has passed, down to ``margin_floor_db``); and a location
that reads the tag ``move_after_reads`` times in a row takes it whatever the
RSSI once the current one has been silent for ``move_after_silent_s``. A tag that
is read nowhere for ``departed_after_s`` departs. A new tag is reported
``arrival_settle_s`` after its first read, at the location that read it
most, so that a first read by a neighbouring antenna does not make a false
arrival followed by a move; with ``arrival_min_rssi_dbm``, only a read that
strong starts an arrival (a reader covering one room, reading the next one
faintly through the wall, never claims its tags). Time is the reads' own
time (event time), in seconds since the epoch, never the host's clock.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterator
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field


class TrackerParams(BaseModel):
    """The tracker's tuning; every value has a default that suits a fixed reader reading each tag every second."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    arrival_settle_s: float = Field(
        2.0,
        ge=0,
        description="a new tag is reported after this long, at the location that read it most (0: at its first read)",
    )
    arrival_min_rssi_dbm: float | None = Field(
        None,
        ge=-200,
        le=50,
        description="a tag not present here starts to arrive only on a read at least this strong (dBm): a reader "
        "that reads the next room through a wall never claims that room's tags (None: any read)",
    )
    rssi_window: int = Field(8, ge=1, le=1000, description="reads per location averaged into the smoothed RSSI")
    move_margin_db: float = Field(
        6.0, ge=0, le=60, description="how much better (dB) a new location must read to take the tag, at first"
    )
    margin_holdoff_s: float = Field(
        2.0, ge=0, description="the margin stays whole while the current location read the tag this recently"
    )
    margin_decay_db_per_s: float = Field(
        2.0, ge=0, description="after the holdoff, the margin shrinks by this per silent second at the current location"
    )
    margin_floor_db: float = Field(
        -20.0, le=60, description="the margin never goes below this (negative: a long-silent location loses to any)"
    )
    move_after_reads: int = Field(
        3,
        ge=0,
        description="a location that reads the tag this many times in a row takes it, whatever the RSSI (0: off)...",
    )
    move_after_silent_s: float = Field(
        4.0, ge=0, description="...once the current location has not read the tag for this long"
    )
    move_min_reads: int = Field(2, ge=1, description="reads a location needs in its window before it can take a tag")
    location_memory_s: float = Field(
        60.0, gt=0, description="a location's RSSI window is forgotten when it has not read the tag for this long"
    )
    departed_after_s: float = Field(600.0, gt=0, description="a tag read nowhere for this long has departed")
    forget_after_s: float = Field(
        86_400.0, gt=0, description="a departed tag is forgotten (memory freed) this long after its last read"
    )


@dataclass(slots=True)
class _Location:
    window: deque[float]
    total: float
    last_seen: float
    antenna: int

    @property
    def mean(self) -> float:
        return self.total / len(self.window)


@dataclass(slots=True)
class TagState:
    epc: Hashable
    present: bool
    location: str
    last_seen: float
    locations: dict[str, _Location]
    info: object = None  # what the agent decoded from the EPC, kept with the tag
    pending_since: float | None = None  # first read of a tag not yet reported as arrived
    rival: str | None = None  # the other location reading the tag since the current one last did
    rival_reads: int = 0
    here: _Location | None = None  # the current location's window, for the common read

    def best_location(self) -> str:
        """Where most reads came from (then the strongest): the arrival location."""
        return max(self.locations.items(), key=lambda kv: (len(kv[1].window), kv[1].mean))[0]

    def smoothed_rssi(self) -> float | None:
        here = self.locations.get(self.location)
        return here.mean if here is not None and here.window else None

    @property
    def antenna(self) -> int:
        here = self.locations.get(self.location)
        return here.antenna if here is not None else 0


@dataclass(frozen=True, slots=True)
class TagEvent:
    """What the tracker concluded: ``kind`` is arrived, moved or departed; ``time`` is event time (epoch s).

    An arrival's time is the tag's first read, though it is reported ``arrival_settle_s`` later.
    """

    kind: str
    tag: TagState
    location: str
    from_location: str | None
    time: float


NO_RSSI = -100.0  # stands for a read without RSSI (a reader that does not report it)


class TagTracker:
    """The state of every tag one agent sees. Feed it reads in (roughly) time order."""

    def __init__(self, params: TrackerParams | None = None) -> None:
        self.params = params or TrackerParams()
        self.tags: dict[Hashable, TagState] = {}
        self._window = self.params.rssi_window
        self._memory = self.params.location_memory_s

    def __len__(self) -> int:
        return len(self.tags)

    def present(self) -> Iterator[TagState]:
        return (t for t in self.tags.values() if t.present)

    def observe(self, epc: Hashable, location: str, antenna: int, rssi: float | None, when: float) -> TagEvent | None:
        """Account for one read; return the event it causes, if any.

        ``epc`` is any hashable form of the EPC (the agent passes sllurp's hex bytes as they come).
        This runs for every read: the common case (a present tag read again where it is) stays short.
        """
        if rssi is None:
            rssi = NO_RSSI
        tag = self.tags.get(epc)
        if tag is not None and tag.present and location == tag.location:
            loc = tag.here
            if loc is not None and when - loc.last_seen <= self._memory:
                # the hot path: a present tag read again where it is
                window = loc.window
                if len(window) == self._window:
                    loc.total += rssi - window[0]
                else:
                    loc.total += rssi
                window.append(rssi)
                if when > loc.last_seen:
                    loc.last_seen = when
                    if when > tag.last_seen:
                        tag.last_seen = when
                loc.antenna = antenna
                if tag.rival is not None:
                    tag.rival = None
                    tag.rival_reads = 0
                return None
        if tag is None:
            tag = self.tags[epc] = TagState(epc, False, location, when, {})
        loc = tag.locations.get(location)
        if loc is None:
            loc = tag.locations[location] = _Location(deque(maxlen=self._window), 0.0, when, antenna)
        elif when - loc.last_seen > self._memory:
            loc.window.clear()
            loc.total = 0.0
        window = loc.window
        if len(window) == self._window:
            loc.total += rssi - window[0]
        else:
            loc.total += rssi
        window.append(rssi)
        if when > loc.last_seen:
            loc.last_seen = when
        loc.antenna = antenna
        if when > tag.last_seen:
            tag.last_seen = when
        if tag.present and location == tag.location:
            tag.here = loc
            if tag.rival is not None:
                tag.rival = None
                tag.rival_reads = 0
            return None
        return self._decide(tag, loc, location, when)

    def _decide(self, tag: TagState, loc: _Location, location: str, when: float) -> TagEvent | None:
        """A read of a tag not yet present, or away from its current location: arrival or move?"""
        p = self.params
        if not tag.present:
            if tag.pending_since is None:
                if p.arrival_min_rssi_dbm is not None and loc.window[-1] < p.arrival_min_rssi_dbm:
                    return None  # too faint to be here: a cross-read from next door
                tag.pending_since = when
                for name in [n for n in tag.locations if n != location]:
                    del tag.locations[name]  # what was known before the tag left says nothing now
            if when - tag.pending_since < p.arrival_settle_s:
                return None
            return self._arrive(tag, when)
        current = tag.location
        if tag.rival == location:
            tag.rival_reads += 1
        else:
            tag.rival, tag.rival_reads = location, 1
        here = tag.locations.get(current)
        if here is None or not here.window:
            return self._move(tag, location, when)
        if (
            p.move_after_reads
            and tag.rival_reads >= p.move_after_reads
            and when - here.last_seen >= p.move_after_silent_s
        ):
            return self._move(tag, location, when)
        if len(loc.window) < p.move_min_reads:
            return None
        silent = when - here.last_seen - p.margin_holdoff_s
        margin = p.move_margin_db
        if silent > 0:
            margin = max(p.margin_floor_db, margin - p.margin_decay_db_per_s * silent)
        if loc.total / len(loc.window) > here.total / len(here.window) + margin:
            return self._move(tag, location, when)
        return None

    @staticmethod
    def _move(tag: TagState, location: str, when: float) -> TagEvent:
        origin = tag.location
        tag.location = location
        tag.here = tag.locations.get(location)
        tag.rival = None
        tag.rival_reads = 0
        return TagEvent("moved", tag, location, origin, when)

    @staticmethod
    def _arrive(tag: TagState, when: float) -> TagEvent:
        first_read = tag.pending_since if tag.pending_since is not None else when
        tag.present = True
        tag.pending_since = None
        tag.location = tag.best_location()
        tag.here = tag.locations[tag.location]
        return TagEvent("arrived", tag, tag.location, None, first_read)

    def sweep(self, now: float) -> list[TagEvent]:
        """Depart the tags unseen for ``departed_after_s`` and forget long-departed ones, as of ``now``."""
        p = self.params
        events = []
        forget = []
        for epc, tag in self.tags.items():
            idle = now - tag.last_seen
            if tag.present:
                if idle >= p.departed_after_s:
                    tag.present = False
                    events.append(TagEvent("departed", tag, tag.location, None, now))
            elif tag.pending_since is not None:
                if idle >= p.departed_after_s:
                    tag.pending_since = None  # seen too briefly to have arrived: never reported
                elif now - tag.pending_since >= p.arrival_settle_s:
                    events.append(self._arrive(tag, now))
            elif idle >= p.forget_after_s:
                forget.append(epc)
        for epc in forget:
            del self.tags[epc]
        return events
