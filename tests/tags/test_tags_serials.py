"""Serial allocation per GTIN: never twice (across processes too), bad input named, nothing half-applied."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from comptoir.contract import gtin14
from edge.rfid.epc import decode_epc
from hub.tags import serials
from hub.tags.epcs import encode
from hub.tags.errors import TagError
from tests.hub.support import FLOUR, NUTELLA, OIL, make_gtin, reference_database
from tests.tags.support import cli


@pytest.fixture
def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    return reference_database(tmp_path)


def _rows(db) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    return (db.execute("SELECT COUNT(*) FROM tag_allocations").fetchone()[0],
            db.execute("SELECT COUNT(*) FROM tag_serials").fetchone()[0])


def test_ranges_follow_each_other_and_encode_the_product(db) -> None:  # type: ignore[no-untyped-def]
    first = serials.allocate(db, NUTELLA, 5, now=1.0, by="manon")
    second = serials.allocate(db, NUTELLA, 3, now=2.0)
    other = serials.allocate(db, OIL, 2, now=3.0)
    assert (first.first_serial, first.last_serial) == (0, 4)
    assert (second.first_serial, second.last_serial) == (5, 7)
    assert (other.first_serial, other.last_serial) == (0, 1)
    assert first.product == "Pâte à tartiner 400 g" and first.created_by == "manon"
    decoded = [decode_epc(t.epc) for t in second.tags]
    assert [(d.scheme, d.gtin, d.serial) for d in decoded] == [("sgtin-96", gtin14(NUTELLA), str(s)) for s in (5, 6, 7)]
    assert [t.state for t in second.tags] == ["allocated"] * 3


def test_serials_seen_on_tags_in_the_shop_are_never_allocated(db) -> None:  # type: ignore[no-untyped-def]
    db.execute("INSERT INTO items (epc, gtin, serial, state, since, last_seen) VALUES (?, ?, '41', 'present', 0, 0)",
               [encode(FLOUR, 41), gtin14(FLOUR)])
    db.conn.commit()
    assert serials.allocate(db, FLOUR, 1, now=1.0).first_serial == 42
    with pytest.raises(TagError) as err:
        serials.allocate(db, FLOUR, 7, now=1.0, serial_start=35)
    assert err.value.field == "serial_start" and encode(FLOUR, 41) in str(err.value)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"gtin": make_gtin(99), "count": 1}, "gtin"),  # a valid GTIN not in the catalog
    ({"gtin": "3760000000012", "count": 1}, "gtin"),  # a wrong check digit
    ({"gtin": NUTELLA, "count": -3}, "count"),
    ({"gtin": NUTELLA, "count": 0}, "count"),
    ({"gtin": NUTELLA, "count": 1, "serial_start": 2**38}, "serial_start"),  # past 38 bits
    ({"gtin": NUTELLA, "count": 5, "serial_start": 2**38 - 2}, "serial_start"),  # its end passes 38 bits
    ({"gtin": NUTELLA, "count": 1, "serial_start": -1}, "serial_start"),
    ({"gtin": NUTELLA, "count": 1, "scheme": "giai-96"}, "scheme"),
    ({"gtin": NUTELLA, "count": 1, "prefix_length": 13}, "company_prefix_length"),
])
def test_bad_input_names_its_field_and_allocates_nothing(db, kwargs, field) -> None:  # type: ignore[no-untyped-def]
    before = _rows(db)
    with pytest.raises(TagError) as err:
        serials.allocate(db, now=1.0, **kwargs)
    assert err.value.field == field, err.value
    assert _rows(db) == before


def test_an_overlapping_range_is_refused_naming_the_allocation(db) -> None:  # type: ignore[no-untyped-def]
    taken = serials.allocate(db, NUTELLA, 10, now=1.0, serial_start=100)
    before = _rows(db)
    with pytest.raises(TagError, match=f"overlap allocation #{taken.id} \\(100..109\\)") as err:
        serials.allocate(db, NUTELLA, 5, now=2.0, serial_start=105)
    assert err.value.field == "serial_start" and _rows(db) == before
    # beside it is fine, and the next automatic range starts after it
    assert serials.allocate(db, NUTELLA, 5, now=3.0, serial_start=110).first_serial == 110
    assert serials.allocate(db, NUTELLA, 1, now=4.0).first_serial == 115


def test_an_sgtin_198_allocation_encodes_198_bit_epcs(db) -> None:  # type: ignore[no-untyped-def]
    allocation = serials.allocate(db, OIL, 2, now=1.0, scheme="sgtin-198")
    info = decode_epc(allocation.tags[0].epc)
    assert (info.scheme, info.gtin, info.serial) == ("sgtin-198", gtin14(OIL), "0")


def test_write_results_are_recorded_all_or_nothing(db) -> None:  # type: ignore[no-untyped-def]
    allocation = serials.allocate(db, NUTELLA, 2, now=1.0)
    a, b = (t.epc for t in allocation.tags)
    with pytest.raises(TagError) as err:
        serials.record_writes(db, [serials.WriteOutcome(a, True, "E2806894"), serials.WriteOutcome("3034FF", True)],
                              now=2.0)
    assert err.value.field == "results[1].epc"
    assert serials.state_counts(db, allocation.id)["allocated"] == 2
    serials.record_writes(db, [serials.WriteOutcome(a, True, "E2806894"),
                               serials.WriteOutcome(b, False, "E2806895", "tag memory locked")], now=3.0)
    tags = {t.epc: t for t in (serials.get(db, allocation.id) or allocation).tags}
    assert tags[a].state == "written" and tags[b].state == "not_written" and tags[b].reason == "tag memory locked"
    # a serial not written stays taken
    assert serials.allocate(db, NUTELLA, 1, now=4.0).first_serial == 2


def test_processes_allocating_at_once_never_share_a_serial(tmp_path: Path) -> None:
    reference_database(tmp_path).close()
    db = tmp_path / "hub.sqlite"
    procs = [subprocess.Popen([sys.executable, "-m", "comptoir", "tags", "allocate", NUTELLA, "--count", "40",
                               "--db", str(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    epcs = [line for out, _ in outputs for line in out.split()]
    assert len(epcs) == 160 and len(set(epcs)) == 160
    assert sorted(int(decode_epc(e).serial or -1) for e in epcs) == list(range(160))


def test_the_cli_says_what_is_wrong_and_records_results(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = str(tmp_path / "hub.sqlite")
    bad = cli("tags", "allocate", make_gtin(99), "--count", "2", "--db", path)
    assert bad.exit_code == 1 and "gtin: no product with GTIN" in bad.stderr and "nothing was changed" in bad.stderr
    negative = cli("tags", "allocate", NUTELLA, "--count", "-1", "--db", path)
    assert negative.exit_code == 1 and "count: -1 is not 1 to 10000" in negative.stderr
    done = cli("tags", "allocate", NUTELLA, "--count", "2", "--db", path, "--epcs", str(tmp_path / "e.txt"))
    assert done.exit_code == 0, done.stderr
    epcs = done.stdout.split()
    assert epcs == (tmp_path / "e.txt").read_text().split()
    results = tmp_path / "results.json"
    results.write_text(json.dumps([{"epc": epcs[0], "written": True, "tag": "E2806894", "reason": None},
                                   {"epc": epcs[1], "written": False, "tag": None, "reason": "no blank tag left"}]))
    recorded = cli("tags", "record", str(results), "--db", path)
    assert recorded.exit_code == 0 and "recorded 1 written, 1 not written" in recorded.stdout
    shown = cli("tags", "show", "1", "--db", path)
    assert f"{epcs[1]} 1 not_written (no blank tag left)" in shown.stdout
    listed = cli("tags", "list", "--db", path)
    assert "written=1 not_written=1" in listed.stdout
    encoded = cli("tags", "encode", NUTELLA, str(2**38))
    assert encoded.exit_code == 1 and "serial: 274877906944 is outside 0..274877906943" in encoded.stderr
