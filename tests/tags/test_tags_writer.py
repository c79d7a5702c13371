"""Writing tags through sllurp to the simulated reader: C1G2Write access specs, results, read back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from edge.rfid.writer import TagWriter, WriterError, WriterParams
from simulators.llrp.access import TagMemory
from simulators.llrp.bench import EncodingBench, blank_epc
from simulators.llrp.server import ReaderSimulator
from simulators.world.items import sgtin96
from tests.hub.support import NUTELLA, OIL

PARAMS = WriterParams(timeout_s=15.0, settle_s=0.5)


@pytest.fixture
async def bench() -> AsyncIterator[ReaderSimulator]:
    memory = TagMemory(locked={blank_epc(3)})
    sim = await ReaderSimulator(EncodingBench.blank(3), round_ms=50, memory=memory).start("127.0.0.1", 0)
    yield sim
    await sim.stop()


async def _write(sim: ReaderSimulator, epcs: list[str], params: WriterParams = PARAMS):  # type: ignore[no-untyped-def]
    def run():  # type: ignore[no-untyped-def]
        with TagWriter("127.0.0.1", sim.port, params) as writer:
            return writer.write_all(epcs)

    return await asyncio.to_thread(run)


async def test_written_tags_answer_with_their_new_epc_and_a_locked_one_is_said_refused(
        bench: ReaderSimulator) -> None:
    wanted = [sgtin96(NUTELLA, 1001), sgtin96(NUTELLA, 1002), sgtin96(OIL, 7)]
    results = await _write(bench, wanted)
    assert [r.epc for r in results] == wanted
    assert [r.written for r in results] == [True, True, False], results
    assert results[2].tag == blank_epc(3).hex().upper()
    assert "locked" in (results[2].reason or "")
    # the tags really changed: the memory, and so the next inventories, report the new EPCs
    memory = bench.memory
    assert memory.current(blank_epc(1)).hex().upper() == wanted[0]
    assert memory.current(blank_epc(2)).hex().upper() == wanted[1]
    assert memory.current(blank_epc(3)) == blank_epc(3)
    assert bench.session is None or bench.session.access.runs >= 3


async def test_a_second_pass_finds_no_blank_tag_for_what_is_left(bench: ReaderSimulator) -> None:
    await _write(bench, [sgtin96(NUTELLA, 1), sgtin96(NUTELLA, 2)])
    # tags 1 and 2 carry SGTINs now, tag 3 is locked: nothing blank and writable is left but tag 3
    results = await _write(bench, [sgtin96(NUTELLA, 3), sgtin96(NUTELLA, 4)])
    assert [r.written for r in results] == [False, False]
    assert "locked" in (results[0].reason or "")
    assert results[1].reason == "no blank tag left on antenna 1"


async def test_an_sgtin_198_is_written_with_its_length_in_the_pc_word(bench: ReaderSimulator) -> None:
    from epcpy.epc_schemes import SGTIN
    from epcpy.epc_schemes.sgtin import SGTINFilterValue

    epc = SGTIN.from_gtin_plus_serial(NUTELLA, "42", 7).hex(
        binary_coding_scheme=SGTIN.BinaryCodingScheme.SGTIN_198, filter_value=SGTINFilterValue.POS_ITEM).upper()
    (result,) = await _write(bench, [epc])
    assert result.written, result.reason
    assert memory_hex(bench, 1).startswith(epc)


async def test_a_tag_too_small_for_the_epc_is_a_failure_with_the_readers_words(
        bench: ReaderSimulator, tmp_path: Path) -> None:
    # EPC banks of 4 words (CRC, PC, 32 bits): a 96-bit EPC overruns them
    bench.memory.capacity_words = 4
    (result,) = await _write(bench, [sgtin96(NUTELLA, 9)])
    assert not result.written
    assert "overrun" in (result.reason or "")


async def test_an_unreachable_reader_is_a_writer_error() -> None:
    from comptoir.mosquitto import free_port

    with pytest.raises(WriterError, match="cannot connect"):
        await asyncio.to_thread(TagWriter("127.0.0.1", free_port(), PARAMS).connect)


def memory_hex(sim: ReaderSimulator, n: int) -> str:
    return sim.memory.current(blank_epc(n)).hex().upper()


async def test_one_blank_tag_alone_on_the_bench_is_seen_and_written() -> None:
    # sllurp's ROSpec for report_every_n_tags=1 ends each AISpec at the first observation: with one tag in the
    # field, each round is one whole AISpec and must be reported (the simulator used to wait for a second tag)
    sim = await ReaderSimulator(EncodingBench.blank(1), round_ms=50).start("127.0.0.1", 0)
    try:
        (result,) = await _write(sim, [sgtin96(NUTELLA, 5)])
    finally:
        await sim.stop()
    assert result.written, result.reason


async def test_forty_tags_in_a_row_are_all_written() -> None:
    # every AccessSpec is added, then enabled once the reader said yes: none is left added and never enabled
    sim = await ReaderSimulator(EncodingBench.blank(40), round_ms=20).start("127.0.0.1", 0)
    try:
        results = await _write(sim, [sgtin96(OIL, n) for n in range(40)])
    finally:
        await sim.stop()
    assert [r.reason for r in results if not r.written] == []
