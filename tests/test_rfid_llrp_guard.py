"""The agent's LLRP framing (edge/rfid/llrp_guard.py) on byte streams cut anywhere, with sllurp's real decoder.

No socket: the bytes are handed to the client as its socket thread would hand them, in chunks of every size.
"""

from __future__ import annotations

import random

import pytest

from edge.rfid.llrp_guard import GuardedReaderClient, StreamLost
from simulators.llrp import protocol as llrp
from simulators.llrp.hostile import bad_frames
from simulators.llrp.protocol import ContentSelector, TagObservation

SELECTOR = ContentSelector(antenna_id=True, peak_rssi=True, last_seen=True)


def report(epc_byte: int) -> bytes:
    obs = TagObservation(bytes([0x30, epc_byte]) + bytes(10), 1, -40, 1_767_603_600_000_000, 1_767_603_600_000_000)
    return llrp.frame(llrp.RO_ACCESS_REPORT, epc_byte, llrp.ro_access_report([obs], SELECTOR, 1))


def client() -> tuple[GuardedReaderClient, list[str], list[tuple[int, str]]]:
    bad: list[tuple[int, str]] = []
    guarded = GuardedReaderClient("127.0.0.1", 1, on_bad_frame=lambda t, _n, why: bad.append((t, why)))
    epcs: list[str] = []
    guarded.add_message_callback(
        "RO_ACCESS_REPORT",
        lambda _c, msg: epcs.extend(
            (t.get("EPC-96") or t.get("EPC") or b"").decode() for t in msg.msgdict["RO_ACCESS_REPORT"]["TagReportData"]
        ),
    )
    return guarded, epcs, bad


def test_a_bad_frame_is_skipped_and_the_frames_around_it_are_read_however_the_stream_is_cut() -> None:
    framed = [f for f in bad_frames(random.Random(1), 13) if f.framed]
    stream = b"".join(report(i) + f.data for i, f in enumerate(framed)) + report(99)
    expected = [f"30{i:02x}" + "00" * 10 for i in [*range(len(framed)), 99]]
    for size in [1, 2, 3, 7, 10, 64, 4096, len(stream)]:
        guarded, epcs, bad = client()
        for at in range(0, len(stream), size):
            guarded.raw_data_received(stream[at : at + size])
        assert [e for e in epcs if e in expected] == expected, size  # every good report, in order
        # every frame sllurp cannot read is said with a reason; three decode into reads the agent skips (an EPC-96
        # cut short, an EPCData with no bytes, no EPC at all: tests/hostile/test_llrp.py)
        assert len(bad) == len(framed) - 3 and all(why for _, why in bad)


@pytest.mark.parametrize("length", [0, 9, (8 << 20) + 1, 0xFFFFFFFF])
def test_a_length_no_frame_can_have_ends_the_stream_at_once(length: int) -> None:
    guarded, epcs, bad = client()
    with pytest.raises(StreamLost):
        guarded.raw_data_received(report(1) + llrp.HEADER.pack(0x0400 | 61, length, 7) + report(2))
    assert epcs == ["3001" + "00" * 10]
    assert bad[0][0] == 61 and "impossible" in bad[0][1]
