"""LLRP 1.0.1 binary framing, from the reader's side.

sllurp encodes what a client sends and decodes what a reader sends; a
simulated reader needs the opposite, so this module decodes client messages
and encodes reader messages. Only what a reader needs is here: the message
header, TLV and TV parameters, LLRPStatus, the ROSpec tree, reader event
notifications and RO_ACCESS_REPORTs. Numbers are from the LLRP 1.0.1
standard (EPCglobal, 2007).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

VERSION = 1
HEADER = struct.Struct("!HII")  # rsvd(3) ver(3) type(10), length, message id
HEADER_LEN = HEADER.size
MAX_FRAME = 1 << 20  # refuse anything larger: no real LLRP message comes close

# message types
GET_READER_CAPABILITIES = 1
GET_READER_CONFIG = 2
SET_READER_CONFIG = 3
CLOSE_CONNECTION_RESPONSE = 4
GET_READER_CAPABILITIES_RESPONSE = 11
GET_READER_CONFIG_RESPONSE = 12
SET_READER_CONFIG_RESPONSE = 13
CLOSE_CONNECTION = 14
ADD_ROSPEC = 20
DELETE_ROSPEC = 21
START_ROSPEC = 22
STOP_ROSPEC = 23
ENABLE_ROSPEC = 24
DISABLE_ROSPEC = 25
GET_ROSPECS = 26
ADD_ROSPEC_RESPONSE = 30
DELETE_ROSPEC_RESPONSE = 31
START_ROSPEC_RESPONSE = 32
STOP_ROSPEC_RESPONSE = 33
ENABLE_ROSPEC_RESPONSE = 34
DISABLE_ROSPEC_RESPONSE = 35
GET_ROSPECS_RESPONSE = 36
ADD_ACCESSSPEC = 40
DELETE_ACCESSSPEC = 41
ENABLE_ACCESSSPEC = 42
DISABLE_ACCESSSPEC = 43
GET_ACCESSSPECS = 44
ADD_ACCESSSPEC_RESPONSE = 50
DELETE_ACCESSSPEC_RESPONSE = 51
ENABLE_ACCESSSPEC_RESPONSE = 52
DISABLE_ACCESSSPEC_RESPONSE = 53
GET_ACCESSSPECS_RESPONSE = 54
GET_REPORT = 60
RO_ACCESS_REPORT = 61
KEEPALIVE = 62
READER_EVENT_NOTIFICATION = 63
ENABLE_EVENTS_AND_REPORTS = 64
KEEPALIVE_ACK = 72
ERROR_MESSAGE = 100
CUSTOM_MESSAGE = 1023

#: request type -> response type, for the requests answered with an LLRPStatus alone (or a status first)
RESPONSE_OF = {
    GET_READER_CAPABILITIES: GET_READER_CAPABILITIES_RESPONSE,
    GET_READER_CONFIG: GET_READER_CONFIG_RESPONSE,
    SET_READER_CONFIG: SET_READER_CONFIG_RESPONSE,
    CLOSE_CONNECTION: CLOSE_CONNECTION_RESPONSE,
    ADD_ROSPEC: ADD_ROSPEC_RESPONSE,
    DELETE_ROSPEC: DELETE_ROSPEC_RESPONSE,
    START_ROSPEC: START_ROSPEC_RESPONSE,
    STOP_ROSPEC: STOP_ROSPEC_RESPONSE,
    ENABLE_ROSPEC: ENABLE_ROSPEC_RESPONSE,
    DISABLE_ROSPEC: DISABLE_ROSPEC_RESPONSE,
    GET_ROSPECS: GET_ROSPECS_RESPONSE,
    ADD_ACCESSSPEC: ADD_ACCESSSPEC_RESPONSE,
    DELETE_ACCESSSPEC: DELETE_ACCESSSPEC_RESPONSE,
    ENABLE_ACCESSSPEC: ENABLE_ACCESSSPEC_RESPONSE,
    DISABLE_ACCESSSPEC: DISABLE_ACCESSSPEC_RESPONSE,
    GET_ACCESSSPECS: GET_ACCESSSPECS_RESPONSE,
}

# status codes (LLRP 1.0.1 section 14.1.1)
M_SUCCESS = 0
M_PARAMETER_ERROR = 100
M_FIELD_ERROR = 101
M_UNEXPECTED_PARAMETER = 102
M_MISSING_PARAMETER = 103
M_UNKNOWN_PARAMETER = 107
M_UNSUPPORTED_MESSAGE = 109
M_UNSUPPORTED_VERSION = 110
M_UNSUPPORTED_PARAMETER = 111
P_PARAMETER_ERROR = 200
A_INVALID = 300
A_OUT_OF_RANGE = 301
R_DEVICE_ERROR = 401

# parameter types
P_UTC_TIMESTAMP = 128
P_GENERAL_DEVICE_CAPABILITIES = 137
P_ROSPEC = 177
P_RO_BOUNDARY_SPEC = 178
P_ROSPEC_START_TRIGGER = 179
P_ROSPEC_STOP_TRIGGER = 182
P_AISPEC = 183
P_AISPEC_STOP_TRIGGER = 184
P_TAG_OBSERVATION_TRIGGER = 185
P_INVENTORY_PARAMETER_SPEC = 186
P_KEEPALIVE_SPEC = 220
P_RO_REPORT_SPEC = 237
P_TAG_REPORT_CONTENT_SELECTOR = 238
P_TAG_REPORT_DATA = 240
P_EPC_DATA = 241
P_READER_EVENT_NOTIFICATION_DATA = 246
P_CONNECTION_ATTEMPT_EVENT = 256
P_CONNECTION_CLOSE_EVENT = 257
P_LLRP_STATUS = 287
P_FIELD_ERROR = 288
P_PARAMETER_ERROR = 289

# TV parameters: type -> value length in bytes
TV_ANTENNA_ID = 1
TV_FIRST_SEEN_UTC = 2
TV_FIRST_SEEN_UPTIME = 3
TV_LAST_SEEN_UTC = 4
TV_LAST_SEEN_UPTIME = 5
TV_PEAK_RSSI = 6
TV_CHANNEL_INDEX = 7
TV_TAG_SEEN_COUNT = 8
TV_ROSPEC_ID = 9
TV_INVENTORY_PARAMETER_SPEC_ID = 10
TV_EPC_96 = 13
TV_SPEC_INDEX = 14
TV_ACCESS_SPEC_ID = 16
TV_LENGTHS = {1: 2, 2: 8, 3: 8, 4: 8, 5: 8, 6: 1, 7: 2, 8: 2, 9: 4, 10: 2, 11: 2, 12: 2, 13: 12, 14: 2, 15: 2, 16: 4}

# connection attempt outcomes
CONNECTION_SUCCESS = 0
CONNECTION_FAILED_CLIENT_EXISTS = 2


class LLRPDecodeError(ValueError):
    """A message the reader cannot use; ``status`` is the LLRP status code to answer with."""

    def __init__(self, message: str, status: int = M_PARAMETER_ERROR) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Frame:
    version: int
    msg_type: int
    msg_id: int
    body: bytes


def frame(msg_type: int, msg_id: int, body: bytes = b"", version: int = VERSION) -> bytes:
    return HEADER.pack(((version & 7) << 10) | (msg_type & 0x3FF), HEADER_LEN + len(body), msg_id) + body


def parse_header(data: bytes) -> tuple[int, int, int, int]:
    """(version, type, length, id) of the header at the start of ``data``."""
    first, length, msg_id = HEADER.unpack_from(data)
    return (first >> 10) & 7, first & 0x3FF, length, msg_id


# -- parameters ---------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Param:
    ptype: int
    value: bytes
    tv: bool = False


def iter_params(data: bytes) -> Iterator[Param]:
    """Split a run of TLV and TV parameters; raise LLRPDecodeError on a bad length."""
    pos = 0
    end = len(data)
    while pos < end:
        first = data[pos]
        if first & 0x80:  # TV
            ptype = first & 0x7F
            size = TV_LENGTHS.get(ptype)
            if size is None:
                raise LLRPDecodeError(f"unknown TV parameter type {ptype}", M_UNKNOWN_PARAMETER)
            if pos + 1 + size > end:
                raise LLRPDecodeError(f"TV parameter {ptype} runs past the end of its message")
            yield Param(ptype, data[pos + 1 : pos + 1 + size], True)
            pos += 1 + size
            continue
        if pos + 4 > end:
            raise LLRPDecodeError("truncated parameter header")
        ptype, length = struct.unpack_from("!HH", data, pos)
        ptype &= 0x3FF
        if length < 4 or pos + length > end:
            raise LLRPDecodeError(f"parameter {ptype} has length {length}, which does not fit its message")
        yield Param(ptype, data[pos + 4 : pos + length])
        pos += length


def tlv(ptype: int, value: bytes) -> bytes:
    return struct.pack("!HH", ptype, 4 + len(value)) + value


def tv(ptype: int, value: bytes) -> bytes:
    return bytes((0x80 | ptype,)) + value


def llrp_status(code: int = M_SUCCESS, description: str = "") -> bytes:
    text = description.encode("utf-8")[:500]
    return tlv(P_LLRP_STATUS, struct.pack("!HH", code, len(text)) + text)


def utc_timestamp(micros: int) -> bytes:
    return tlv(P_UTC_TIMESTAMP, struct.pack("!Q", micros))


def reader_event(micros: int, event: bytes) -> bytes:
    """Body of a READER_EVENT_NOTIFICATION carrying one event parameter."""
    return tlv(P_READER_EVENT_NOTIFICATION_DATA, utc_timestamp(micros) + event)


def connection_attempt(status: int) -> bytes:
    return tlv(P_CONNECTION_ATTEMPT_EVENT, struct.pack("!H", status))


def connection_close() -> bytes:
    return tlv(P_CONNECTION_CLOSE_EVENT, b"")


# -- the ROSpec a client adds ---------------------------------------------------
@dataclass(frozen=True, slots=True)
class ContentSelector:
    """Which optional fields each TagReportData carries (TagReportContentSelector)."""

    rospec_id: bool = False
    spec_index: bool = False
    inventory_parameter_spec_id: bool = False
    antenna_id: bool = False
    channel_index: bool = False
    peak_rssi: bool = False
    first_seen: bool = False
    last_seen: bool = False
    seen_count: bool = False
    access_spec_id: bool = False

    @classmethod
    def from_flags(cls, flags: int) -> ContentSelector:
        bits = [bool(flags & (1 << (15 - i))) for i in range(10)]
        return cls(*bits)


@dataclass(frozen=True, slots=True)
class AISpec:
    antennas: tuple[int, ...]  # (0,) means every antenna
    stop_type: int  # 0 null, 1 duration, 2 GPI with timeout, 3 tag observation
    duration_ms: int
    observe_tags: int = 0  # TagObservationTrigger: N (0: none)
    observe_timeout_ms: int = 0
    observe_type: int = 0  # 0: N tag observations, 3: N unique tags (others: timeout only)


@dataclass(frozen=True, slots=True)
class ROSpec:
    rospec_id: int
    priority: int
    state: int  # 0 disabled, 1 inactive, 2 active
    start_trigger: int  # 0 null, 1 immediate, 2 periodic, 3 GPI
    stop_trigger: int  # 0 null, 1 duration
    stop_duration_ms: int
    aispecs: tuple[AISpec, ...]
    report_trigger: int  # 0 none, 1 N tags or end of AISpec, 2 N tags or end of ROSpec
    report_n: int
    content: ContentSelector


def _unpack(fmt: str, data: bytes, what: str) -> tuple[int, ...]:
    try:
        return struct.unpack_from(fmt, data)
    except struct.error:
        raise LLRPDecodeError(f"{what} is too short", M_FIELD_ERROR) from None


def _aispec(value: bytes) -> AISpec:
    (count,) = _unpack("!H", value, "AISpec")
    ants = _unpack(f"!{count}H", value[2:], "AISpec antenna list")
    stop_type, duration = 0, 0
    observe_n = observe_timeout = observe_type = 0
    for p in iter_params(value[2 + 2 * count :]):
        if p.ptype == P_AISPEC_STOP_TRIGGER:
            stop_type, duration = _unpack("!BI", p.value, "AISpecStopTrigger")
            for sub in iter_params(p.value[5:]):
                if sub.ptype == P_TAG_OBSERVATION_TRIGGER:
                    observe_type, _, observe_n, _, _, observe_timeout = _unpack(
                        "!BBHHHI", sub.value, "TagObservationTrigger"
                    )
    if stop_type > 3:
        raise LLRPDecodeError(f"AISpecStopTrigger type {stop_type} is not defined", M_FIELD_ERROR)
    return AISpec(tuple(ants), stop_type, duration, observe_n, observe_timeout, observe_type)


def parse_add_rospec(body: bytes) -> ROSpec:
    """The ROSpec of an ADD_ROSPEC body."""
    params = list(iter_params(body))
    spec = next((p for p in params if p.ptype == P_ROSPEC), None)
    if spec is None:
        raise LLRPDecodeError("ADD_ROSPEC has no ROSpec parameter", M_MISSING_PARAMETER)
    rospec_id, priority, state = _unpack("!IBB", spec.value, "ROSpec")
    if rospec_id == 0:
        raise LLRPDecodeError("ROSpecID 0 is reserved", M_FIELD_ERROR)
    start = stop = stop_ms = 0
    aispecs: list[AISpec] = []
    report_trigger, report_n, content = 1, 0, ContentSelector(antenna_id=True, peak_rssi=True)
    seen_boundary = False
    for p in iter_params(spec.value[6:]):
        if p.ptype == P_RO_BOUNDARY_SPEC:
            seen_boundary = True
            for sub in iter_params(p.value):
                if sub.ptype == P_ROSPEC_START_TRIGGER:
                    (start,) = _unpack("!B", sub.value, "ROSpecStartTrigger")
                elif sub.ptype == P_ROSPEC_STOP_TRIGGER:
                    stop, stop_ms = _unpack("!BI", sub.value, "ROSpecStopTrigger")
        elif p.ptype == P_AISPEC:
            aispecs.append(_aispec(p.value))
        elif p.ptype == P_RO_REPORT_SPEC:
            report_trigger, report_n = _unpack("!BH", p.value, "ROReportSpec")
            for sub in iter_params(p.value[3:]):
                if sub.ptype == P_TAG_REPORT_CONTENT_SELECTOR:
                    (flags,) = _unpack("!H", sub.value, "TagReportContentSelector")
                    content = ContentSelector.from_flags(flags)
    if not seen_boundary:
        raise LLRPDecodeError("ROSpec has no ROBoundarySpec", M_MISSING_PARAMETER)
    if not aispecs:
        raise LLRPDecodeError("ROSpec has no AISpec (RF surveys are not simulated)", M_MISSING_PARAMETER)
    return ROSpec(rospec_id, priority, state, start, stop, stop_ms, tuple(aispecs), report_trigger, report_n, content)


def parse_u32(body: bytes, what: str) -> int:
    (value,) = _unpack("!I", body, what)
    return value


def parse_keepalive_ms(body: bytes) -> int | None:
    """The periodic keepalive interval a SET_READER_CONFIG asks for (None: not mentioned)."""
    if not body:
        raise LLRPDecodeError("SET_READER_CONFIG is empty", M_FIELD_ERROR)
    for p in iter_params(body[1:]):
        if p.ptype == P_KEEPALIVE_SPEC:
            trigger, interval = _unpack("!BI", p.value, "KeepaliveSpec")
            return interval if trigger == 1 else 0
    return None


# -- tag reports --------------------------------------------------------------------
@dataclass(slots=True)
class TagObservation:
    """One tag seen by one antenna during a report period (what a TagReportData carries)."""

    epc: bytes
    antenna: int
    peak_rssi: int
    first_seen_us: int
    last_seen_us: int
    seen_count: int = 1
    channel: int = 1
    access: bytes = b""  # AccessSpecID and OpSpecResult parameters, when an AccessSpec ran on this tag


def tag_report_data(obs: TagObservation, content: ContentSelector, rospec_id: int, spec_index: int) -> bytes:
    if len(obs.epc) == 12:
        parts = [tv(TV_EPC_96, obs.epc)]
    else:
        parts = [tlv(P_EPC_DATA, struct.pack("!H", len(obs.epc) * 8) + obs.epc)]
    if content.rospec_id:
        parts.append(tv(TV_ROSPEC_ID, struct.pack("!I", rospec_id)))
    if content.spec_index:
        parts.append(tv(TV_SPEC_INDEX, struct.pack("!H", spec_index)))
    if content.inventory_parameter_spec_id:
        parts.append(tv(TV_INVENTORY_PARAMETER_SPEC_ID, struct.pack("!H", 1)))
    if content.antenna_id:
        parts.append(tv(TV_ANTENNA_ID, struct.pack("!H", obs.antenna)))
    if content.peak_rssi:
        parts.append(tv(TV_PEAK_RSSI, struct.pack("!b", max(-128, min(127, obs.peak_rssi)))))
    if content.channel_index:
        parts.append(tv(TV_CHANNEL_INDEX, struct.pack("!H", obs.channel)))
    if content.first_seen:
        parts.append(tv(TV_FIRST_SEEN_UTC, struct.pack("!Q", obs.first_seen_us)))
    if content.last_seen:
        parts.append(tv(TV_LAST_SEEN_UTC, struct.pack("!Q", obs.last_seen_us)))
    if content.seen_count:
        parts.append(tv(TV_TAG_SEEN_COUNT, struct.pack("!H", min(obs.seen_count, 0xFFFF))))
    if obs.access:
        parts.append(obs.access)
    return tlv(P_TAG_REPORT_DATA, b"".join(parts))


def ro_access_report(
    observations: list[TagObservation], content: ContentSelector, rospec_id: int, spec_index: int = 1
) -> bytes:
    return b"".join(tag_report_data(o, content, rospec_id, spec_index) for o in observations)


def patch_antenna_count(capabilities_body: bytes, antennas: int) -> bytes:
    """Set MaxNumberOfAntennaSupported in a recorded GET_READER_CAPABILITIES_RESPONSE body."""
    pos = 0
    while pos + 4 <= len(capabilities_body):
        ptype, length = struct.unpack_from("!HH", capabilities_body, pos)
        if ptype & 0x3FF == P_GENERAL_DEVICE_CAPABILITIES:
            return capabilities_body[: pos + 4] + struct.pack("!H", antennas) + capabilities_body[pos + 6 :]
        pos += length
    raise ValueError("the capabilities body has no GeneralDeviceCapabilities parameter")
