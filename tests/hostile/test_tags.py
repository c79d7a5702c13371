"""Hostile part ``tags``: bad allocations and mangled AccessSpecs; no serial twice, the reader keeps serving.

Two kinds of input. Allocation requests with garbage in every field (GTINs of every length and alphabet, counts
and serials past every bound, unknown schemes, overlapping ranges) go to the hub's allocator on a real SQLite
file: each is either allocated whole or refused with an error naming one of its fields, and at the end the
tables hold exactly the serials accepted, none twice. ADD_ACCESSSPEC frames built by sllurp and then mangled
(bytes flipped, cut short, lengths that lie) go to the simulated reader over TCP, inventorying, with every
accepted spec enabled so it runs on the tags: each gets its ADD_ACCESSSPEC_RESPONSE, and afterwards sllurp
still writes a tag through the same reader.
"""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest
from sllurp.llrp import LLRPMessage

from edge.rfid.writer import TagWriter, WriterParams
from hub.tags import serials
from hub.tags.errors import TagError
from simulators.llrp import protocol as llrp
from simulators.llrp.bench import EncodingBench
from simulators.llrp.server import ReaderSimulator
from simulators.world.items import sgtin96
from tests.hostile.scale import hostile_scale
from tests.hub.support import FLOUR, NUTELLA, OIL, make_gtin, reference_database
from tests.rfid_support import RawClient, rospec

pytestmark = pytest.mark.timeout(300)

FIELDS = {"gtin", "count", "serial_start", "scheme", "company_prefix_length"}


def _hostile_request(rng: random.Random) -> dict[str, object]:
    gtin = rng.choice([NUTELLA, OIL, FLOUR, make_gtin(rng.randrange(1000)), "", "0" * rng.randrange(1, 30),
                       "37600000000x7", "３７６００００００００１７", NUTELLA + "\x00", "9" * 200, " " + OIL])
    count = rng.choice([1, 2, 7, 0, -1, -(2**63), 10_000, 10_001, 2**40, rng.randrange(-5, 50)])
    start = rng.choice([None, None, 0, -1, 2**38 - 1, 2**38, 10**18, -(2**62), rng.randrange(0, 200)])
    scheme = rng.choice(["sgtin-96", "sgtin-96", "sgtin-198", "SGTIN-96", "giai-96", "", "sgtin-96\n" * 3])
    prefix = rng.choice([7, 7, 6, 12, 5, 13, 0, -7])
    return {"gtin": gtin, "count": count, "serial_start": start, "scheme": scheme, "prefix_length": prefix}


def test_hostile_allocations_and_access_specs(tmp_path: Path) -> None:
    scale = hostile_scale()
    rng = random.Random(20)
    db = reference_database(tmp_path)
    accepted, rejected, serials_taken = 0, 0, 0
    for i in range(150 * scale):
        request = _hostile_request(rng)
        try:
            allocation = serials.allocate(db, now=float(i), **request)  # type: ignore[arg-type]
        except TagError as exc:
            assert exc.field in FIELDS, exc
            rejected += 1
            continue
        accepted += 1
        serials_taken += allocation.count
    # exactly what was accepted is stored, and no GTIN has a serial twice
    rows = db.execute("SELECT COUNT(*), COUNT(DISTINCT gtin || ':' || serial) FROM tag_serials").fetchone()
    assert rows == (serials_taken, serials_taken)
    ranges = db.execute("SELECT gtin, first_serial, last_serial FROM tag_allocations ORDER BY gtin, first_serial")
    last: dict[str, int] = {}
    for gtin, first, end in ranges.fetchall():
        assert first > last.get(gtin, -1), f"overlapping ranges for {gtin}"
        last[gtin] = end
    assert accepted and rejected

    specs = asyncio.run(_mangled_access_specs(rng, 60 * scale))
    tried = 150 * scale + specs["tried"]
    print(f"HOSTILE part=tags tried={tried} rejected={rejected + specs['rejected']} "
          f"accepted={accepted + specs['accepted']} alive=yes lost=0 serials={serials_taken} "
          f"access_specs={specs['tried']} access_runs={specs['runs']}")


def _valid_add_accessspec(spec_id: int, rng: random.Random) -> bytes:
    """An ADD_ACCESSSPEC body as sllurp encodes it: a C1G2Write of a new EPC, selected by the tag's EPC."""
    target = rng.choice(["E2806894", "", "3034"])
    message = LLRPMessage(msgdict={"ADD_ACCESSSPEC": {"ID": 1, "AccessSpec": {
        "AccessSpecID": spec_id, "AntennaID": 0, "ProtocolID": 1, "CurrentState": False, "ROSpecID": 0,
        "AccessSpecStopTrigger": {"AccessSpecStopTriggerType": 1, "OperationCountValue": 1},
        "AccessCommand": {
            "TagSpecParameter": {"C1G2TagSpec": {"C1G2TargetTag": [
                {"MB": 1, "M": 1, "Pointer": 32, "TagMask": "F" * len(target), "TagData": target}]}},
            "OpSpecParameter": [{"C1G2Write": {
                "OpSpecID": 1, "AccessPassword": 0, "MB": rng.choice([1, 1, 0, 3]), "WordPtr": rng.choice([2, 1, 0]),
                "WriteDataWordCount": 6, "WriteData": bytes(rng.randrange(256) for _ in range(12))}}]},
        "AccessReportSpec": {"AccessReportTrigger": rng.choice([0, 1])}}}})
    return message.msgbytes[llrp.HEADER_LEN:]


def _mangle(body: bytes, rng: random.Random) -> bytes:
    kind = rng.randrange(4)
    data = bytearray(body)
    if kind == 0:  # a few bytes flipped
        for _ in range(rng.randrange(1, 6)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif kind == 1:  # cut short
        del data[rng.randrange(len(data)):]
    elif kind == 2:  # a parameter length that lies
        pos = rng.randrange(0, max(1, len(data) - 4))
        data[pos + 2:pos + 4] = rng.randrange(65536).to_bytes(2, "big")
    # kind 3: left valid
    return bytes(data)


async def _mangled_access_specs(rng: random.Random, count: int) -> dict[str, int]:
    sim = await ReaderSimulator(EncodingBench.blank(4), round_ms=20).start("127.0.0.1", 0)
    tally = {"tried": count, "accepted": 0, "rejected": 0, "runs": 0}
    try:
        client = await RawClient().connect(sim.port)
        await client.expect("READER_EVENT_NOTIFICATION")
        client.send("ADD_ROSPEC", {"ROSpec": rospec([1], n=1)})
        await client.expect("ADD_ROSPEC_RESPONSE", skip=("KEEPALIVE", "RO_ACCESS_REPORT"))
        client.send("ENABLE_ROSPEC", {"ROSpecID": 1})
        await client.expect("ENABLE_ROSPEC_RESPONSE", skip=("KEEPALIVE", "RO_ACCESS_REPORT"))
        for i in range(count):
            body = _mangle(_valid_add_accessspec(i + 1, rng), rng)
            client.send_raw(llrp.frame(llrp.ADD_ACCESSSPEC, 5000 + i, body))
            answer = await client.expect("ADD_ACCESSSPEC_RESPONSE", skip=("KEEPALIVE", "RO_ACCESS_REPORT"))
            if answer["LLRPStatus"]["StatusCode"] == "Success":
                tally["accepted"] += 1
                client.send("ENABLE_ACCESSSPEC", {"AccessSpecID": i + 1})
                await client.expect("ENABLE_ACCESSSPEC_RESPONSE", skip=("KEEPALIVE", "RO_ACCESS_REPORT"))
            else:
                tally["rejected"] += 1
        await asyncio.sleep(0.3)  # a few rounds: the accepted specs run on the bench's tags
        assert sim.session is not None
        tally["runs"] = sim.session.access.runs
        await client.close()
        # alive: sllurp connects again and writes a tag through the same reader
        wanted = sgtin96(NUTELLA, 99)

        def write() -> list:  # type: ignore[type-arg]
            with TagWriter("127.0.0.1", sim.port, WriterParams(timeout_s=15, settle_s=0.5, overwrite=True)) as w:
                return w.write_all([wanted])

        (result,) = await asyncio.to_thread(write)
        assert result.written, result.reason
        assert tally["accepted"] and tally["rejected"] and tally["runs"]
    finally:
        await sim.stop()
    return tally
