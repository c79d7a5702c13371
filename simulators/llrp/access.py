"""Tag memory and AccessSpecs: what a simulated reader does when a client writes or reads a tag.

A real reader runs an enabled AccessSpec on every tag its inventory
singulates that matches the spec's C1G2TargetTag, then says the outcome in
the tag's report (AccessSpecID and one OpSpecResult per operation). The tag's
EPC bank really changes: later rounds report the new EPC. Tags are physical,
so their memory belongs to the reader (:class:`TagMemory`), not to a
connection, and survives a reconnect.

The EPC bank is modelled as the Gen2 air interface lays it out: StoredCRC
(word 0), StoredPC (word 1, the EPC length in words in its top five bits),
then the EPC, up to ``capacity_words`` in all. A write past the end is a
memory overrun; a write to a locked tag without its access password is a
memory-locked error; writing word 0 (the CRC the tag computes) is refused as
a tag error. Operations supported: C1G2Read, C1G2Write and C1G2BlockWrite;
an AccessSpec asking for another one is refused when it is added.
"""

from __future__ import annotations

import binascii
import struct
from dataclasses import dataclass, field

from simulators.llrp import protocol as llrp
from simulators.llrp.protocol import LLRPDecodeError

P_ACCESS_SPEC = 207
P_ACCESS_SPEC_STOP_TRIGGER = 208
P_ACCESS_COMMAND = 209
P_ACCESS_REPORT_SPEC = 239
P_C1G2_TAG_SPEC = 338
P_C1G2_TARGET_TAG = 339
P_C1G2_READ = 341
P_C1G2_WRITE = 342
P_C1G2_BLOCK_WRITE = 347
P_C1G2_READ_RESULT = 349
P_C1G2_WRITE_RESULT = 350
P_C1G2_BLOCK_WRITE_RESULT = 354
#: OpSpecs of LLRP 1.0.1 this reader knows by name but does not run
UNSUPPORTED_OPS = {343: "C1G2Kill", 344: "C1G2Lock", 345: "C1G2BlockErase"}

#: C1G2WriteOpSpecResult codes (LLRP 1.0.1, 16.2.7.3.3)
WRITE_SUCCESS, WRITE_OVERRUN, WRITE_LOCKED, WRITE_TAG_ERROR = 0, 1, 2, 4
#: C1G2ReadOpSpecResult codes
READ_SUCCESS, READ_TAG_ERROR = 0, 1

BANK_EPC = 1


@dataclass(frozen=True, slots=True)
class TargetTag:
    bank: int
    match: bool
    pointer: int  # bits
    mask_bits: int
    mask: bytes
    data_bits: int
    data: bytes


@dataclass(frozen=True, slots=True)
class OpSpec:
    ptype: int  # P_C1G2_READ, P_C1G2_WRITE or P_C1G2_BLOCK_WRITE
    opspec_id: int
    password: int
    bank: int
    word_ptr: int
    word_count: int  # words to read; words written
    data: bytes = b""


@dataclass(slots=True)
class AccessSpec:
    spec_id: int
    antenna: int  # 0: every antenna
    rospec_id: int  # 0: every ROSpec
    enabled: bool
    stop_count: int  # 0: runs until deleted
    targets: list[TargetTag]
    ops: list[OpSpec]
    report_trigger: int  # 0: with the ROSpec's reports; 1: at once, at the end of the access
    executed: int = 0


def parse_add_accessspec(body: bytes) -> AccessSpec:
    """The AccessSpec of an ADD_ACCESSSPEC body; LLRPDecodeError naming the field that is wrong."""
    params = list(llrp.iter_params(body))
    spec_param = next((p for p in params if p.ptype == P_ACCESS_SPEC), None)
    if spec_param is None:
        raise LLRPDecodeError("ADD_ACCESSSPEC carries no AccessSpec", llrp.M_MISSING_PARAMETER)
    value = spec_param.value
    spec_id, antenna, protocol_id, state, rospec_id = _unpack("!IHBBI", value, "AccessSpec")
    if spec_id == 0:
        raise LLRPDecodeError("AccessSpecID 0 is reserved", llrp.M_FIELD_ERROR)
    if protocol_id != 1:
        raise LLRPDecodeError(f"ProtocolID {protocol_id} is not EPCGlobal Class 1 Gen 2", llrp.M_FIELD_ERROR)
    stop_count, report_trigger = 0, 0
    targets: list[TargetTag] = []
    ops: list[OpSpec] = []
    for p in llrp.iter_params(value[12:]):
        if p.ptype == P_ACCESS_SPEC_STOP_TRIGGER:
            kind, count = _unpack("!BH", p.value, "AccessSpecStopTrigger")
            stop_count = count if kind == 1 else 0
        elif p.ptype == P_ACCESS_COMMAND:
            targets, ops = _access_command(p.value)
        elif p.ptype == P_ACCESS_REPORT_SPEC:
            (report_trigger,) = _unpack("!B", p.value, "AccessReportSpec")
    if not ops:
        raise LLRPDecodeError("AccessSpec has no AccessCommand with an OpSpec", llrp.M_MISSING_PARAMETER)
    return AccessSpec(spec_id, antenna, rospec_id, bool(state & 0x80), stop_count, targets, ops, report_trigger)


def _access_command(value: bytes) -> tuple[list[TargetTag], list[OpSpec]]:
    targets: list[TargetTag] = []
    ops: list[OpSpec] = []
    for p in llrp.iter_params(value):
        if p.ptype == P_C1G2_TAG_SPEC:
            targets = [_target(t.value) for t in llrp.iter_params(p.value) if t.ptype == P_C1G2_TARGET_TAG]
        elif p.ptype == P_C1G2_READ:
            opspec_id, password, bank, ptr, count = _unpack("!HIBHH", p.value, "C1G2Read")
            ops.append(OpSpec(p.ptype, opspec_id, password, bank >> 6, ptr, count))
        elif p.ptype in (P_C1G2_WRITE, P_C1G2_BLOCK_WRITE):
            name = "C1G2Write" if p.ptype == P_C1G2_WRITE else "C1G2BlockWrite"
            opspec_id, password, bank, ptr, count = _unpack("!HIBHH", p.value, name)
            data = p.value[11:]
            if len(data) != count * 2:
                raise LLRPDecodeError(f"{name} WriteDataWordCount {count} but {len(data)} bytes of data",
                                      llrp.M_FIELD_ERROR)
            ops.append(OpSpec(p.ptype, opspec_id, password, bank >> 6, ptr, count, data))
        elif p.ptype in UNSUPPORTED_OPS:
            raise LLRPDecodeError(f"{UNSUPPORTED_OPS[p.ptype]} is not supported by this reader",
                                  llrp.M_UNSUPPORTED_PARAMETER)
    return targets, ops


def _target(value: bytes) -> TargetTag:
    first, pointer, mask_bits = _unpack("!BHH", value, "C1G2TargetTag")
    mask_len = (mask_bits + 7) // 8
    mask = value[5 : 5 + mask_len]
    (data_bits,) = _unpack("!H", value[5 + mask_len :], "C1G2TargetTag DataBitCount")
    data = value[7 + mask_len : 7 + mask_len + (data_bits + 7) // 8]
    if len(mask) != mask_len or len(data) != (data_bits + 7) // 8:
        raise LLRPDecodeError("C1G2TargetTag mask or data is cut short", llrp.M_FIELD_ERROR)
    return TargetTag(first >> 6, bool(first & 0x20), pointer, mask_bits, mask, data_bits, data)


def _unpack(fmt: str, data: bytes, what: str) -> tuple[int, ...]:
    try:
        return struct.unpack_from(fmt, data)
    except struct.error:
        raise LLRPDecodeError(f"{what} is too short", llrp.M_FIELD_ERROR) from None


def _bits(data: bytes, start: int, count: int) -> int:
    value = int.from_bytes(data, "big") if data else 0
    total = len(data) * 8
    if start + count > total:
        value <<= start + count - total
        total = start + count
    return (value >> (total - start - count)) & ((1 << count) - 1)


@dataclass(slots=True)
class Tag:
    """One tag's EPC bank and lock."""

    epc: bytes
    capacity_words: int
    locked: bool = False
    access_password: int = 0

    def epc_bank(self) -> bytes:
        pc = struct.pack("!H", (len(self.epc) // 2) << 11)
        crc = struct.pack("!H", binascii.crc_hqx(pc + self.epc, 0xFFFF) ^ 0xFFFF)  # CRC-16 of Gen2
        return (crc + pc + self.epc).ljust(self.capacity_words * 2, b"\0")

    def matches(self, target: TargetTag) -> bool:
        if target.bank != BANK_EPC:
            return target.data_bits == 0  # only the EPC bank is modelled: an empty filter matches any tag
        if target.data_bits == 0:
            return target.match
        bank = self.epc_bank()
        data = _bits(target.data, 0, target.data_bits)
        mask = _bits(target.mask, 0, target.mask_bits) if target.mask_bits else (1 << target.data_bits) - 1
        seen = _bits(bank, target.pointer, target.data_bits)
        return ((seen ^ data) & mask == 0) == target.match

    def run(self, op: OpSpec) -> bytes:
        """Run one operation; its OpSpecResult parameter."""
        if op.ptype == P_C1G2_READ:
            bank = self.epc_bank() if op.bank == BANK_EPC else b""
            end = op.word_ptr * 2 + op.word_count * 2
            if op.bank != BANK_EPC or end > len(bank):
                return llrp.tlv(P_C1G2_READ_RESULT, struct.pack("!BHH", READ_TAG_ERROR, op.opspec_id, 0))
            words = bank[op.word_ptr * 2 : end]
            return llrp.tlv(P_C1G2_READ_RESULT, struct.pack("!BHH", READ_SUCCESS, op.opspec_id, op.word_count) + words)
        result = P_C1G2_WRITE_RESULT if op.ptype == P_C1G2_WRITE else P_C1G2_BLOCK_WRITE_RESULT
        code = self.write(op)
        return llrp.tlv(result, struct.pack("!BHH", code, op.opspec_id, op.word_count if code == 0 else 0))

    def write(self, op: OpSpec) -> int:
        if op.bank != BANK_EPC or op.word_ptr == 0:
            return WRITE_TAG_ERROR  # the reserved, TID and user banks are not modelled; the CRC is the tag's
        if self.locked and op.password != self.access_password:
            return WRITE_LOCKED
        if op.word_ptr + op.word_count > self.capacity_words:
            return WRITE_OVERRUN
        bank = bytearray(self.epc_bank())
        bank[op.word_ptr * 2 : op.word_ptr * 2 + len(op.data)] = op.data
        words = bank[2] >> 3  # StoredPC's EPC length
        if 4 + words * 2 > len(bank):
            return WRITE_OVERRUN
        self.epc = bytes(bank[4 : 4 + words * 2])
        return WRITE_SUCCESS


@dataclass
class TagMemory:
    """The tags a reader has touched, by the EPC each was born with (what its source reports).

    ``locked`` holds birth EPCs of tags whose EPC bank is locked (with access password 0 unknown to the
    client: every write fails with a memory-locked error).
    """

    capacity_words: int = 16  # CRC + PC + 224 bits of EPC: enough for an SGTIN-198 (208 bits)
    locked: set[bytes] = field(default_factory=set)
    locked_password: int = 0x5EC12E7
    tags: dict[bytes, Tag] = field(default_factory=dict)

    def tag(self, birth_epc: bytes) -> Tag:
        tag = self.tags.get(birth_epc)
        if tag is None:
            tag = self.tags[birth_epc] = Tag(birth_epc, self.capacity_words, birth_epc in self.locked,
                                             self.locked_password if birth_epc in self.locked else 0)
        return tag

    def current(self, birth_epc: bytes) -> bytes:
        """What the tag born ``birth_epc`` answers now."""
        tag = self.tags.get(birth_epc)
        return birth_epc if tag is None else tag.epc


def access_parameters(spec: AccessSpec, results: list[bytes]) -> bytes:
    """What a TagReportData carries of one access: the AccessSpecID (TV) and the OpSpecResults."""
    return llrp.tv(llrp.TV_ACCESS_SPEC_ID, struct.pack("!I", spec.spec_id)) + b"".join(results)


class AccessSpecs:
    """One connection's AccessSpecs, run on the tags its inventory sees."""

    def __init__(self, memory: TagMemory) -> None:
        self.memory = memory
        self.specs: dict[int, AccessSpec] = {}
        self.runs = 0

    def add(self, body: bytes) -> None:
        spec = parse_add_accessspec(body)
        if spec.spec_id in self.specs:
            raise LLRPDecodeError(f"AccessSpec {spec.spec_id} already exists", llrp.A_INVALID)
        if spec.enabled:
            raise LLRPDecodeError("an AccessSpec must be added in the Disabled state", llrp.A_INVALID)
        self.specs[spec.spec_id] = spec

    def targets(self, body: bytes, what: str) -> list[AccessSpec]:
        spec_id = llrp.parse_u32(body, what)
        if spec_id == 0:
            return list(self.specs.values())
        if spec_id not in self.specs:
            raise LLRPDecodeError(f"no AccessSpec {spec_id}", llrp.A_INVALID)
        return [self.specs[spec_id]]

    def enable(self, body: bytes, enabled: bool) -> None:
        for spec in self.targets(body, "ENABLE_ACCESSSPEC" if enabled else "DISABLE_ACCESSSPEC"):
            spec.enabled = enabled

    def delete(self, body: bytes) -> None:
        for spec in self.targets(body, "DELETE_ACCESSSPEC"):
            del self.specs[spec.spec_id]

    def apply(self, reads: list[llrp.TagObservation], rospec_id: int) -> list[llrp.TagObservation]:
        """Give each read its tag's EPC now, run the first matching enabled AccessSpec on it.

        Returns the reads whose access is to be reported at once (AccessReportSpec trigger 1); the others
        carry their results in ``access`` and go out with the ROSpec's next report.
        """
        at_once: list[llrp.TagObservation] = []
        for read in reads:
            birth = read.epc
            read.epc = self.memory.current(birth)
            if not self.specs:
                continue
            tag = self.memory.tag(birth)
            spec = next((s for s in self.specs.values() if s.enabled and s.antenna in (0, read.antenna)
                         and s.rospec_id in (0, rospec_id) and all(tag.matches(t) for t in s.targets)), None)
            if spec is None:
                continue
            results = [tag.run(op) for op in spec.ops]  # the report names the tag as it was singulated
            self.runs += 1
            spec.executed += 1
            if spec.stop_count and spec.executed >= spec.stop_count:
                del self.specs[spec.spec_id]  # an AccessSpec whose stop trigger fired is deleted
            report = llrp.TagObservation(read.epc, read.antenna, read.peak_rssi, read.first_seen_us,
                                         read.last_seen_us, 1, read.channel, access_parameters(spec, results))
            if spec.report_trigger == 1:
                at_once.append(report)
            else:
                read.access = report.access
        return at_once
