"""The scale line protocol, version 1, on the host side (PROTOCOL.md).

The firmware's C++ core and this module are checked against the same test
vectors (``firmware/protocol-vectors.tsv``), so the two agree byte for byte.
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass
from enum import StrEnum

PROTOCOL_VERSION = 1
MAX_LINE = 96  # bytes of a line before its CR LF
MAX_TOKEN = 31
MAX_PAIRS = 8
MAX_DECIGRAMS = 9_999_999  # 999999.9 g


class Verb(StrEnum):
    HELLO = "HELLO"
    WEIGHT = "WEIGHT"
    ERROR = "ERROR"
    ACK = "ACK"
    NAK = "NAK"
    TARE = "TARE"
    CAL = "CAL"
    INFO = "INFO"
    RATE = "RATE"


COMMANDS = frozenset({Verb.TARE, Verb.CAL, Verb.INFO, Verb.RATE})


class LineError(StrEnum):
    """Why a line was refused; the values are the protocol's error kinds."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    BAD_CHAR = "bad_char"
    BAD_FRAME = "bad_frame"
    BAD_CRC = "bad_crc"
    BAD_SEQ = "bad_seq"
    UNKNOWN_VERB = "unknown_verb"
    BAD_ARGS = "bad_args"


class LineRefused(ValueError):
    """A line that breaks the protocol. ``seq`` is set when the CRC was good."""

    def __init__(self, kind: LineError, detail: str, seq: int | None = None) -> None:
        super().__init__(f"{kind.value}: {detail}")
        self.kind = kind
        self.detail = detail
        self.seq = seq


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded line; which fields mean something depends on the verb (as in the C++ core)."""

    seq: int
    verb: Verb
    decigrams: int = 0  # WEIGHT, CAL
    stable: bool = False  # WEIGHT
    ref: int = 0  # ACK, NAK
    number: int = 0  # HELLO: protocol version; RATE: reports per second
    word: str = ""  # ERROR, NAK: code; ACK: command; HELLO: firmware version
    word2: str = ""  # HELLO: board
    pairs: str = ""  # ACK: "key=value ..." as sent

    @property
    def grams(self) -> float:
        return self.decigrams / 10

    def info(self) -> dict[str, str]:
        """An ACK's key=value pairs."""
        return dict(pair.split("=", 1) for pair in self.pairs.split()) if self.pairs else {}


def crc16(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: binascii's CRC-CCITT with the initial value 0xFFFF."""
    return binascii.crc_hqx(data, 0xFFFF)


_TOKEN_CHARS = re.compile(rb"[\x21-\x29\x2B-\x7E]+")  # printable, no space, no '*'
_UINT = re.compile(r"0|[1-9][0-9]{0,4}")
_DECIGRAMS = re.compile(r"-?(0|[1-9][0-9]{0,5})\.[0-9]")
_CODE = re.compile(r"[A-Z][A-Z0-9_]*")
_PAIR = re.compile(r"[a-z][a-z0-9_]{0,14}=.+")
_HEX = re.compile(rb"[0-9A-F]{4}")


def _uint(text: str, max_value: int) -> int | None:
    if not _UINT.fullmatch(text):
        return None
    value = int(text)
    return value if value <= max_value else None


def _decigrams(text: str) -> int | None:
    if not _DECIGRAMS.fullmatch(text) or text == "-0.0":
        return None
    return int(text.replace(".", ""))


def parse_line(line: bytes) -> Frame:
    """Decode one line (without its line feed; a trailing CR is allowed), or raise :class:`LineRefused`."""
    if line.endswith(b"\r"):
        line = line[:-1]
    if not line:
        raise LineRefused(LineError.EMPTY, "empty line")
    if len(line) > MAX_LINE:
        raise LineRefused(LineError.TOO_LONG, f"{len(line)} bytes, at most {MAX_LINE}")
    bad = next((b for b in line if b < 0x20 or b > 0x7E), None)
    if bad is not None:
        raise LineRefused(LineError.BAD_CHAR, f"byte 0x{bad:02X} is not printable ASCII")
    if len(line) < 7 or line[-6:-4] != b" *" or not _HEX.fullmatch(line[-4:]):
        raise LineRefused(LineError.BAD_FRAME, "no ' *XXXX' CRC at the end")
    payload = line[:-6]
    sent, computed = int(line[-4:], 16), crc16(payload)
    if sent != computed:
        raise LineRefused(LineError.BAD_CRC, f"CRC {sent:04X} sent, {computed:04X} computed")
    raw_tokens = payload.split(b" ")
    if any(not _TOKEN_CHARS.fullmatch(t) for t in raw_tokens):
        raise LineRefused(LineError.BAD_FRAME, "tokens must be single-space separated, without '*'")
    if len(raw_tokens) < 2:
        raise LineRefused(LineError.BAD_FRAME, "a line needs a seq and a verb")
    tokens = [t.decode("ascii") for t in raw_tokens]
    seq = _uint(tokens[0], 65535)
    if seq is None:
        raise LineRefused(LineError.BAD_SEQ, f"seq {tokens[0]!r} is not 0..65535")
    try:
        verb = Verb(tokens[1])
    except ValueError:
        raise LineRefused(LineError.UNKNOWN_VERB, f"unknown verb {tokens[1]!r}", seq) from None
    args = tokens[2:]
    if len(tokens) > 3 + MAX_PAIRS:
        raise LineRefused(LineError.BAD_ARGS, "too many arguments", seq)

    def refuse(why: str) -> LineRefused:
        return LineRefused(LineError.BAD_ARGS, f"{verb.value}: {why}", seq)

    if any(len(a) > MAX_TOKEN for a in args):
        raise refuse(f"an argument is longer than {MAX_TOKEN} bytes")
    match verb:
        case Verb.HELLO:
            proto = _uint(args[0], 65535) if len(args) == 3 else None
            if not proto:
                raise refuse("expected <protocol> <firmware> <board>")
            return Frame(seq, verb, number=proto, word=args[1], word2=args[2])
        case Verb.WEIGHT:
            grams = _decigrams(args[0]) if len(args) == 2 else None
            if grams is None or args[1] not in ("STABLE", "MOVING"):
                raise refuse("expected <grams with one decimal> STABLE|MOVING")
            return Frame(seq, verb, decigrams=grams, stable=args[1] == "STABLE")
        case Verb.ERROR:
            if len(args) != 1 or not _CODE.fullmatch(args[0]):
                raise refuse("expected one upper-case code")
            return Frame(seq, verb, word=args[0])
        case Verb.ACK:
            ref = _uint(args[0], 65535) if 2 <= len(args) <= 2 + MAX_PAIRS else None
            if ref is None or args[1] not in COMMANDS or not all(_PAIR.fullmatch(p) for p in args[2:]):
                raise refuse("expected <ref> <command> [key=value ...]")
            return Frame(seq, verb, ref=ref, word=args[1], pairs=" ".join(args[2:]))
        case Verb.NAK:
            ref = _uint(args[0], 65535) if len(args) == 2 else None
            if ref is None or not _CODE.fullmatch(args[1]):
                raise refuse("expected <ref> <code>")
            return Frame(seq, verb, ref=ref, word=args[1])
        case Verb.TARE | Verb.INFO:
            if args:
                raise refuse("takes no argument")
            return Frame(seq, verb)
        case Verb.CAL:
            grams = _decigrams(args[0]) if len(args) == 1 else None
            if grams is None or grams <= 0:
                raise refuse("expected a positive mass in grams with one decimal")
            return Frame(seq, verb, decigrams=grams)
        case Verb.RATE:
            hz = _uint(args[0], 80) if len(args) == 1 else None
            if not hz:
                raise refuse("expected 1..80 reports per second")
            return Frame(seq, verb, number=hz)
    raise AssertionError(verb)  # pragma: no cover - every verb is matched above


def format_decigrams(decigrams: int) -> str:
    sign = "-" if decigrams < 0 else ""
    whole, tenth = divmod(abs(decigrams), 10)
    return f"{sign}{whole}.{tenth}"


def _payload(frame: Frame) -> str:
    head = f"{frame.seq} {frame.verb.value}"
    match frame.verb:
        case Verb.HELLO:
            return f"{head} {frame.number} {frame.word} {frame.word2}"
        case Verb.WEIGHT:
            return f"{head} {format_decigrams(frame.decigrams)} {'STABLE' if frame.stable else 'MOVING'}"
        case Verb.ERROR:
            return f"{head} {frame.word}"
        case Verb.ACK:
            return f"{head} {frame.ref} {frame.word}" + (f" {frame.pairs}" if frame.pairs else "")
        case Verb.NAK:
            return f"{head} {frame.ref} {frame.word}"
        case Verb.CAL:
            return f"{head} {format_decigrams(frame.decigrams)}"
        case Verb.RATE:
            return f"{head} {frame.number}"
    return head


def encode(frame: Frame) -> bytes:
    """The full line for ``frame``, with its CRC and CR LF."""
    payload = _payload(frame).encode("ascii")
    if len(payload) > MAX_LINE - 6:
        raise ValueError(f"line too long for the protocol: {payload!r}")
    return payload + b" *%04X\r\n" % crc16(payload)


def describe(frame: Frame) -> str:
    """The canonical one-line meaning of a frame, identical to the C++ core's ``describe``."""
    head = f"seq={frame.seq} {frame.verb.value}"
    match frame.verb:
        case Verb.HELLO:
            return f"{head} proto={frame.number} fw={frame.word} board={frame.word2}"
        case Verb.WEIGHT:
            return f"{head} grams={format_decigrams(frame.decigrams)} stable={int(frame.stable)}"
        case Verb.ERROR:
            return f"{head} code={frame.word}"
        case Verb.ACK:
            return f"{head} ref={frame.ref} cmd={frame.word}" + (f" {frame.pairs}" if frame.pairs else "")
        case Verb.NAK:
            return f"{head} ref={frame.ref} code={frame.word}"
        case Verb.CAL:
            return f"{head} grams={format_decigrams(frame.decigrams)}"
        case Verb.RATE:
            return f"{head} hz={frame.number}"
    return head


class LineAssembler:
    """Cuts a byte stream into lines, as the firmware does.

    An over-long line is discarded up to its line feed and reported once as
    ``None``, so the line after it is read normally.
    """

    def __init__(self) -> None:
        self._buf = bytearray()
        self._overflow = False

    def feed(self, data: bytes) -> list[bytes | None]:
        """Return the complete lines in ``data`` (without LF); ``None`` stands for an over-long line."""
        out: list[bytes | None] = []
        start = 0
        while True:
            end = data.find(b"\n", start)
            chunk = data[start:] if end < 0 else data[start:end]
            if not self._overflow:
                self._buf += chunk
                if len(self._buf) > MAX_LINE + 1:  # MAX_LINE bytes and a CR
                    self._overflow = True
                    self._buf.clear()
            if end < 0:
                return out
            out.append(None if self._overflow else bytes(self._buf))
            self._buf.clear()
            self._overflow = False
            start = end + 1
