"""Admission in-process (hub/admission.py): what is bound to nobody, strict mode, the tolerance, reference reloads.

The rules themselves are proven through the real broker and hub process in
test_hub_admission.py; these are the choices around them, on a manual clock.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from comptoir.clock import ManualClock
from comptoir.contract import PosReceipt, ZoneEvent
from hub.config import AdmissionSettings, FusionSettings
from hub.ingest import Ingest
from tests.hub.support import NUTELLA, epc, reference_database

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def make_ingest(tmp_path: Path, **admission: object) -> Ingest:
    return Ingest(reference_database(tmp_path), ManualClock(T0), FusionSettings(), store="test",
                  admission=AdmissionSettings(**admission))


def arrive(device: str, n: int, zone: str, seq: int, at: datetime = T0) -> ZoneEvent:
    return ZoneEvent.create(device=device, seq=seq, time=at, event="arrived", epc=epc(n), gtin=NUTELLA,
                            location=zone)


def dead_letters(ingest: Ingest) -> list[str]:
    return [row[0] for row in ingest.db.execute("SELECT reason FROM dead_letters ORDER BY id")]


def test_a_zone_bound_to_no_reader_is_accepted_from_any_reader_unless_strict(tmp_path: Path) -> None:
    """A shop that has not imported its zones yet loses nothing; a strict shop refuses, naming the setting."""
    lenient = make_ingest(tmp_path / "lenient")
    lenient.handle_batch([arrive("reader-7", 1, "floor-b9", 1), arrive("reader-7", 2, "backroom", 2)])
    assert epc(1) in lenient.fusion.items and epc(2) not in lenient.fusion.items
    assert dead_letters(lenient) == ["location: zone 'backroom' belongs to reader 'reader-1', not 'reader-7'"]
    assert lenient.admission.stats.unbound == 1
    strict = make_ingest(tmp_path / "strict", strict=True)
    strict.handle_batch([arrive("reader-7", 1, "floor-b9", 1), arrive("reader-1", 3, "backroom", 1)])
    assert epc(1) not in strict.fusion.items and epc(3) in strict.fusion.items
    assert dead_letters(strict) == ["location: zone 'floor-b9' is bound to no device (the zones table names no "
                                    "reader for it) and admission.strict is set"]


def test_receipts_need_no_lane_list_but_a_listed_lane_has_one_till(tmp_path: Path) -> None:
    def receipt(device: str, lane: str, n: int) -> PosReceipt:
        return PosReceipt.create(device=device, seq=n, time=T0, lane=lane, receipt_id=f"R{n}", total_cents=389,
                                 lines=[{"gtin": NUTELLA, "quantity": 1, "unit_price_cents": 389}])

    open_shop = make_ingest(tmp_path / "open")
    open_shop.handle_batch([receipt("till-a", "lane-1", 1), receipt("till-b", "lane-1", 2)])
    assert open_shop.db.execute("SELECT COUNT(*) FROM receipts").fetchone()[0] == 2
    listed = make_ingest(tmp_path / "listed", lanes={"lane-1": "till-a"})
    listed.handle_batch([receipt("till-a", "lane-1", 1), receipt("till-b", "lane-1", 2)])
    assert listed.db.execute("SELECT receipt_id FROM receipts").fetchall() == [("R1",)]
    assert dead_letters(listed) == ["lane: lane 'lane-1' belongs to till 'till-a', not 'till-b'"]


def test_the_tolerance_is_measured_on_the_hubs_clock(tmp_path: Path) -> None:
    ingest = make_ingest(tmp_path, future_tolerance_s=60)
    ingest.handle_batch([arrive("reader-1", 1, "backroom", 1, T0 + timedelta(seconds=60)),
                         arrive("reader-1", 2, "backroom", 2, T0 + timedelta(seconds=61))])
    assert epc(1) in ingest.fusion.items and epc(2) not in ingest.fusion.items
    assert dead_letters(ingest)[0].startswith("time: dated 2026-03-02T09:01:01Z, 61 s ahead of the hub's clock")
    ingest.clock.advance(1)  # type: ignore[attr-defined]
    ingest.handle_batch([arrive("reader-1", 2, "backroom", 3, T0 + timedelta(seconds=61))])
    assert epc(2) in ingest.fusion.items  # the same time, no longer ahead


def test_a_new_zones_import_is_obeyed_without_a_restart(tmp_path: Path) -> None:
    """`comptoir hub import-zones` writes the table; the hub's tick rereads it, and admission with it."""
    ingest = make_ingest(tmp_path)
    ingest.handle_batch([arrive("reader-7", 1, "floor-b9", 1)])
    with sqlite3.connect(tmp_path / "hub.sqlite") as other:  # another process's import, as the CLI's
        other.execute("INSERT INTO zones (alias, kind, reader) VALUES ('floor-b9', 'floor', 'reader-1')")
    ingest.tick()
    ingest.handle_batch([arrive("reader-7", 2, "floor-b9", 2)])
    assert epc(1) in ingest.fusion.items and epc(2) not in ingest.fusion.items


@pytest.mark.parametrize("bad", [{"lanes": {"lane/1": "pos-1"}}, {"future_tolerance_s": -1}])
def test_bad_settings_are_refused_with_their_name(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"lane|future_tolerance_s"):
        AdmissionSettings(**bad)
