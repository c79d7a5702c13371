"""The simulated reader's AccessSpec rules, driven message by message (sllurp's encoder and decoder, our socket)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from simulators.llrp.bench import EncodingBench, blank_epc
from simulators.llrp.server import ReaderSimulator
from tests.rfid_support import RawClient, rospec, status

SKIP = ("KEEPALIVE", "RO_ACCESS_REPORT")


def access_spec(spec_id: int, op: dict[str, Any], *, enabled: bool = False, target: str = "",
                report_at_once: bool = True) -> dict[str, Any]:
    return {"AccessSpecID": spec_id, "AntennaID": 0, "ProtocolID": 1, "CurrentState": enabled, "ROSpecID": 0,
            "AccessSpecStopTrigger": {"AccessSpecStopTriggerType": 1, "OperationCountValue": 1},
            "AccessCommand": {"TagSpecParameter": {"C1G2TagSpec": {"C1G2TargetTag": [
                {"MB": 1, "M": 1, "Pointer": 32, "TagMask": "F" * len(target), "TagData": target}]}},
                "OpSpecParameter": [op]},
            "AccessReportSpec": {"AccessReportTrigger": 1 if report_at_once else 0}}


READ_EPC_BANK = {"C1G2Read": {"OpSpecID": 7, "AccessPassword": 0, "MB": 1, "WordPtr": 0, "WordCount": 8}}


@pytest.fixture
async def client() -> AsyncIterator[RawClient]:
    sim = await ReaderSimulator(EncodingBench.blank(2), round_ms=20).start("127.0.0.1", 0)
    raw = await RawClient().connect(sim.port)
    await raw.expect("READER_EVENT_NOTIFICATION")
    yield raw
    await raw.close()
    await sim.stop()


async def ask(client: RawClient, name: str, fields: dict[str, Any]) -> str:
    client.send(name, fields)
    return status(await client.expect(name + "_RESPONSE", skip=SKIP))


async def test_access_spec_rules_are_the_standards(client: RawClient) -> None:
    # added enabled: refused, as a ROSpec would be
    assert await ask(client, "ADD_ACCESSSPEC", {"AccessSpec": access_spec(1, READ_EPC_BANK, enabled=True)}) \
        == "A_Invalid"
    # a C1G2Lock is not something this reader does
    lock = {"C1G2Lock": {"OpSpecID": 1, "AccessPassword": 0, "C1G2LockPayload": [{"Privilege": 1, "DataField": 2}]}}
    assert await ask(client, "ADD_ACCESSSPEC", {"AccessSpec": access_spec(2, lock)}) == "UnsupportedParameter"
    assert await ask(client, "ADD_ACCESSSPEC", {"AccessSpec": access_spec(3, READ_EPC_BANK)}) == "Success"
    assert await ask(client, "ADD_ACCESSSPEC", {"AccessSpec": access_spec(3, READ_EPC_BANK)}) == "A_Invalid"
    assert await ask(client, "ENABLE_ACCESSSPEC", {"AccessSpecID": 9}) == "A_Invalid"
    assert await ask(client, "DELETE_ACCESSSPEC", {"AccessSpecID": 3}) == "Success"
    assert await ask(client, "DELETE_ACCESSSPEC", {"AccessSpecID": 0}) == "Success"  # all: none left is fine


async def test_a_read_reports_the_epc_bank_of_the_one_tag_it_targets(client: RawClient) -> None:
    target = blank_epc(2).hex().upper()
    assert await ask(client, "ADD_ACCESSSPEC", {"AccessSpec": access_spec(4, READ_EPC_BANK, target=target)}) \
        == "Success"
    assert await ask(client, "ENABLE_ACCESSSPEC", {"AccessSpecID": 4}) == "Success"
    assert await ask(client, "ADD_ROSPEC", {"ROSpec": rospec([1], n=1)}) == "Success"
    assert await ask(client, "ENABLE_ROSPEC", {"ROSpecID": 1}) == "Success"
    while True:
        body = await client.expect("RO_ACCESS_REPORT", skip=("KEEPALIVE",))
        tags = [t for t in body.get("TagReportData", []) if "C1G2ReadOpSpecResult" in t]
        if tags:
            break
    (tag,) = tags
    assert tag["EPC-96"].upper() == target.encode()  # sllurp keeps the EPC as hex bytes
    result = tag["C1G2ReadOpSpecResult"]
    assert result["Result"] == 0 and result["OpSpecID"] == 7 and result["ReadDataWordCount"] == 8
    bank = result["ReadData"]
    assert bank[2:4] == bytes.fromhex("3000") and bank[4:16] == blank_epc(2)  # StoredPC: 6 words; then the EPC


def test_the_bench_command_refuses_more_locked_tags_than_blank_ones() -> None:
    from tests.tags.support import cli

    done = cli("sim", "reader", "--blank-tags", "1", "--locked-tags", "2")
    assert done.exit_code == 2 and "--locked-tags" in done.stderr and "2 locked of 1 blank tags" in done.stderr
