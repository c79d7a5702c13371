"""The Python side of the protocol against the shared vectors the C++ host tests check too."""

from __future__ import annotations

import re

import pytest
from firmware_bridge.protocol import LineAssembler, LineError, LineRefused, crc16, describe, encode, parse_line

from simulators.scale.line_protocol import Command, Reply, frame, read_command
from tests.bridge.vectors import FIRMWARE, load_vectors

VECTORS = load_vectors()
LINES = [v for v in VECTORS if v.expect != "crc"]
OK = [v for v in LINES if v.expect == "ok"]
DEVICE_VERBS = ("HELLO", "WEIGHT", "ERROR", "ACK", "NAK")


def test_the_vector_file_covers_every_error_kind() -> None:
    assert {v.expect for v in LINES} == {"ok"} | {e.value for e in LineError}
    assert len(OK) >= 15


@pytest.mark.parametrize("vector", [v for v in VECTORS if v.expect == "crc"], ids=lambda v: v.note)
def test_crc_check_values(vector) -> None:
    assert f"{crc16(vector.line):04X}" == vector.meaning


@pytest.mark.parametrize("vector", LINES, ids=lambda v: f"{v.expect}: {v.note}")
def test_bridge_parses_each_vector_as_specified(vector) -> None:
    if vector.expect == "ok":
        parsed = parse_line(vector.line)
        assert describe(parsed) == vector.meaning
        assert encode(parsed) == vector.line + b"\r\n"  # byte for byte
        assert parse_line(vector.line + b"\r") == parsed
    else:
        with pytest.raises(LineRefused) as refused:
            parse_line(vector.line)
        assert refused.value.kind.value == vector.expect


@pytest.mark.parametrize("vector", [v for v in OK if v.meaning.split()[1] in DEVICE_VERBS], ids=lambda v: v.note)
def test_simulator_frames_device_lines_byte_for_byte(vector) -> None:
    payload = vector.line[: -len(" *XXXX")].decode()
    assert frame(payload) == vector.line + b"\r\n"


@pytest.mark.parametrize("vector", LINES, ids=lambda v: f"{v.expect}: {v.note}")
def test_simulator_answers_host_lines_as_the_firmware_does(vector) -> None:
    """The firmware: good command -> run; bad args/verb -> NAK by seq; anything else -> ERROR BAD_LINE."""
    got = read_command(vector.line)
    verb = vector.meaning.split()[1] if vector.meaning else None
    if vector.expect == "empty":
        assert got is None
    elif vector.expect == "ok" and verb in ("TARE", "CAL", "INFO", "RATE"):
        assert isinstance(got, Command) and got.name == verb
    elif vector.expect == "ok":  # a device line sent to a device
        assert got == Reply(int(vector.meaning.split()[0][4:]), "UNKNOWN_COMMAND")
    elif vector.expect in ("bad_args", "unknown_verb"):
        seq, verb = vector.line.split(b" ")[:2]
        is_command = vector.expect == "bad_args" and verb.decode() in ("TARE", "CAL", "INFO", "RATE")
        assert got == Reply(int(seq), "BAD_ARGS" if is_command else "UNKNOWN_COMMAND")
    else:
        assert got == Reply(None, "BAD_LINE")


def test_assembler_drops_an_overlong_line_and_reads_the_next() -> None:
    good = encode(parse_line(OK[1].line))
    lines = LineAssembler()
    got = lines.feed(b"#" * 150) + lines.feed(b"#" * 10 + b"\n" + good[:5]) + lines.feed(good[5:])
    assert got == [None, good[:-1]]


def test_refused_line_keeps_its_seq_when_the_crc_was_good() -> None:
    refused = next(v for v in LINES if v.expect == "bad_args" and v.line.startswith(b"3 RATE 0"))
    with pytest.raises(LineRefused) as err:
        parse_line(refused.line)
    assert err.value.seq == 3


def test_every_line_shown_in_protocol_md_is_valid() -> None:
    text = (FIRMWARE / "PROTOCOL.md").read_text()
    shown = re.findall(r"^(?:device|host):\s+(.+)$", text, flags=re.M)
    shown += re.findall(r"Example: `([^`]+)`", text)
    assert len(shown) >= 10
    for line in shown:
        parse_line(line.encode())  # raises if the page shows a broken line
