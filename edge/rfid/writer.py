"""Writing EPCs to blank tags through an LLRP reader, each write checked by reading the tag back.

The reader inventories on one antenna (an encoding bench or a desktop
reader); the tags it sees that do not already carry an SGTIN are blank. For
each EPC to write, one blank tag is chosen and an AccessSpec is sent through
sllurp: a C1G2TargetTag that selects that tag by its current EPC, a
C1G2Write of the new EPC into the EPC bank (with the StoredPC word when the
length changes, as for an SGTIN-198), stopped after one run. The reader
answers with a C1G2WriteOpSpecResult in the tag's report; the write counts
only once a later inventory round reports the new EPC, so a tag that said
"success" and kept its old EPC is a failure too. Every EPC gets a
:class:`WriteResult`, written or not with the reason, so the hub can record
serials allocated and not written as such.

sllurp runs the connection in its own thread; its callbacks only put what
arrives on queues, read here in the caller's thread.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import struct
import threading
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from sllurp.llrp import LLRPReaderClient, LLRPReaderConfig, LLRPReaderState
from sllurp.llrp_proto import AirProtocol

from edge.rfid.epc import decode_epc

log = logging.getLogger("comptoir.edge.rfid.writer")

#: C1G2WriteOpSpecResult codes (LLRP 1.0.1), as a person reads them
WRITE_RESULTS = {
    0: "success",
    1: "tag memory overrun (the tag's EPC bank is too small for this EPC)",
    2: "tag memory locked (the tag refuses writes without its access password)",
    3: "insufficient power to write",
    4: "non-specific tag error",
    5: "no response from the tag",
    6: "non-specific reader error",
}
EPC_BANK = 1


class WriterError(Exception):
    """The reader cannot be used at all (unreachable, never inventories)."""


@dataclass(frozen=True, slots=True)
class WriteResult:
    epc: str  # the EPC asked for, upper-case hex
    written: bool
    tag: str | None = None  # the EPC the tag carried before (its factory EPC)
    reason: str | None = None  # why not written

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class WriterParams:
    antenna: int = 1
    timeout_s: float = 10.0  # per tag: the write's result, then the new EPC seen
    settle_s: float = 1.0  # how long to inventory before choosing blank tags
    access_password: int = 0
    overwrite: bool = False  # also write tags that already carry an SGTIN


def write_words(old_epc: bytes, new_epc: bytes) -> tuple[int, bytes]:
    """(word pointer, data) of the C1G2Write that makes a tag carrying ``old_epc`` carry ``new_epc``.

    Same length: the EPC words only (word 2 on). Another length: the StoredPC word too (word 1), whose top
    five bits say the EPC's length in words; its other bits are written as zero (no user memory indicator).
    """
    if len(new_epc) % 2:
        new_epc += b"\0"  # an EPC bank holds whole words: 198 bits fill 13
    if len(new_epc) == len(old_epc):
        return 2, new_epc
    return 1, struct.pack("!H", (len(new_epc) // 2) << 11) + new_epc


class TagWriter:
    """A connection to one reader, inventorying on one antenna, that writes EPCs to the blank tags it sees."""

    def __init__(self, host: str, port: int = 5084, params: WriterParams | None = None) -> None:
        self.host, self.port = host, port
        self.params = params or WriterParams()
        self._reads: queue.Queue[dict[str, Any]] = queue.Queue()
        self._responses: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        self._inventorying = threading.Event()
        self._client: LLRPReaderClient | None = None
        self._next_spec = 1

    def __enter__(self) -> TagWriter:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def connect(self) -> None:
        """Open the reader's LLRP session and wait for its inventory, trying again while the reader is busy.

        A reader takes one client at a time and notices a closed connection only after a while: a writer that
        connects right after another one (or after an agent stopped) is refused with "a client initiated connection
        already exists". That is a wait, not a failure: the writer tries again, backing off, until ``timeout_s``.
        """
        deadline = time.monotonic() + self.params.timeout_s
        pause = 0.2
        while True:
            reason = self._open(deadline)
            if reason is None:
                log.info("writer connected",
                         extra={"reader": f"{self.host}:{self.port}", "antenna": self.params.antenna})
                return
            if time.monotonic() + pause >= deadline or "did not start" in reason:
                raise WriterError(reason)
            log.info("reader busy, trying again", extra={"reader": f"{self.host}:{self.port}", "reason": reason,
                                                         "retry_in_s": pause})
            time.sleep(pause)
            pause = min(pause * 2, 2.0)

    def _open(self, deadline: float) -> str | None:
        """One connection attempt: None once the reader inventories, else why not."""
        config = LLRPReaderConfig({
            "antennas": [self.params.antenna],
            "report_every_n_tags": 1,
            "start_inventory": True,
            "reset_on_connect": True,
            "reconnect": False,
            "tag_content_selector": {"EnableAntennaID": True, "EnableAccessSpecID": True,
                                     "EnablePeakRSSI": False, "EnableFirstSeenTimestamp": False,
                                     "EnableLastSeenTimestamp": False, "EnableTagSeenCount": False},
        })
        self._inventorying.clear()
        gone = threading.Event()
        client = LLRPReaderClient(self.host, self.port, config, timeout=5.0)
        client.add_tag_report_callback(lambda _reader, tags: [self._reads.put(t) for t in tags])
        for name in ("ADD_ACCESSSPEC_RESPONSE", "ENABLE_ACCESSSPEC_RESPONSE", "DELETE_ACCESSSPEC_RESPONSE"):
            client.add_message_callback(name, self._response_from_thread)
        client.add_state_callback(LLRPReaderState.STATE_INVENTORYING, lambda *_: self._inventorying.set())
        client.add_disconnected_callback(lambda *_: gone.set())
        try:
            client.connect()
        except Exception as exc:  # refused, unreachable, timed out
            return f"cannot connect to the reader {self.host}:{self.port}: {exc}"
        while not self._inventorying.is_set() and not gone.is_set() and time.monotonic() < deadline:
            self._inventorying.wait(0.05)
        if self._inventorying.is_set():
            self._client = client
            return None
        with contextlib.suppress(Exception):  # already gone, or going: nothing more to say to it
            client.disconnect(timeout=5.0)
        if gone.is_set():
            return f"the reader {self.host}:{self.port} closed the session (another client may hold it)"
        return f"the reader {self.host}:{self.port} did not start inventorying within {self.params.timeout_s} s"

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.disconnect(timeout=5.0)
            except Exception as exc:  # a reader that vanished: nothing more to say to it
                log.info("writer disconnect failed", extra={"reason": str(exc)})

    def _response_from_thread(self, _reader: object, message: Any) -> None:
        (name, body), *_ = message.msgdict.items()
        self._responses.put((name, body))

    # -- seeing tags ------------------------------------------------------------
    def _drain(self, wait_s: float) -> list[dict[str, Any]]:
        """Every tag read within ``wait_s`` seconds."""
        deadline = time.monotonic() + wait_s
        reads = []
        while (left := deadline - time.monotonic()) > 0:
            try:
                reads.append(self._reads.get(timeout=left))
            except queue.Empty:
                break
        return reads

    def blank_tags(self, exclude: Iterable[str] = ()) -> list[str]:
        """EPCs of the tags in the field that may be written, in the order first seen."""
        skip = {e.upper() for e in exclude}
        seen: dict[str, None] = {}
        for read in self._drain(self.params.settle_s):
            epc = _epc_hex(read)
            if epc is None or epc in skip:
                continue
            if self.params.overwrite or decode_epc(epc).scheme is None:
                seen[epc] = None
        return list(seen)

    # -- writing ------------------------------------------------------------------
    def write_all(self, epcs: Iterable[str]) -> list[WriteResult]:
        """Write each EPC to a blank tag; one result per EPC, in order."""
        targets = [e.upper() for e in epcs]
        blanks = self.blank_tags(exclude=targets)
        results = []
        for epc in targets:
            if not blanks:
                results.append(WriteResult(epc, False, None, f"no blank tag left on antenna {self.params.antenna}"))
                continue
            results.append(self.write_one(blanks.pop(0), epc))
        return results

    def write_one(self, old_epc: str, new_epc: str) -> WriteResult:
        """Write ``new_epc`` to the tag now carrying ``old_epc``, then wait to read it back."""
        client = self._client
        if client is None:
            raise WriterError("the writer is not connected")
        spec_id, self._next_spec = self._next_spec, self._next_spec + 1
        pointer, data = write_words(bytes.fromhex(old_epc), bytes.fromhex(new_epc))
        spec = access_spec(spec_id, old_epc, pointer, data, self.params.access_password)
        refused = self._request("ADD_ACCESSSPEC", {"AccessSpec": spec}) or \
            self._request("ENABLE_ACCESSSPEC", {"AccessSpecID": spec_id})
        if refused is not None:
            log.warning("tag not written", extra={"tag": old_epc, "epc": new_epc, "reason": refused})
            return WriteResult(new_epc, False, old_epc, refused)
        deadline = time.monotonic() + self.params.timeout_s
        outcome = self._await_result(spec_id, deadline)
        if outcome is not None:
            if outcome.startswith("no write result"):  # never ran: it must not run on a later tag
                self._request("DELETE_ACCESSSPEC", {"AccessSpecID": spec_id})
            log.warning("tag not written", extra={"tag": old_epc, "epc": new_epc, "reason": outcome})
            return WriteResult(new_epc, False, old_epc, outcome)
        if not self._await_epc(new_epc, deadline):
            return WriteResult(new_epc, False, old_epc, "the reader said written, but no inventory read the new "
                                                         f"EPC back within {self.params.timeout_s} s")
        log.info("tag written", extra={"tag": old_epc, "epc": new_epc})
        return WriteResult(new_epc, True, old_epc)

    def _await_result(self, spec_id: int, deadline: float) -> str | None:
        """None once the tag's report says the write succeeded; else why it failed."""
        while (left := deadline - time.monotonic()) > 0:
            try:
                read = self._reads.get(timeout=min(left, 0.1))
            except queue.Empty:
                continue
            result = read.get("C1G2WriteOpSpecResult")
            if result is None or read.get("AccessSpecID") not in (None, spec_id):
                continue
            code = int(result.get("Result", 6))
            return None if code == 0 else f"the tag refused the write: {WRITE_RESULTS.get(code, f'result {code}')}"
        return f"no write result from the reader within {self.params.timeout_s} s"

    def _request(self, name: str, body: dict[str, Any]) -> str | None:
        """Send one AccessSpec request and wait for its answer: None when it succeeded, else the reader's words.

        Sent directly rather than through sllurp's ``start_access_spec``, whose ADD-then-ENABLE chain keeps its
        callbacks in a list the connection's thread empties: a response arriving before the callback is
        appended left the AccessSpec added and never enabled.
        """
        assert self._client is not None
        self._client.llrp.sendMessage({name: body})
        deadline = time.monotonic() + self.params.timeout_s
        while (left := deadline - time.monotonic()) > 0:
            try:
                got, answer = self._responses.get(timeout=left)
            except queue.Empty:
                break
            if got != name + "_RESPONSE":
                continue
            status = answer.get("LLRPStatus", {})
            if status.get("StatusCode") in (None, "Success", "M_Success", 0):
                return None
            words = status.get("ErrorDescription", b"")
            words = words.decode("utf-8", "replace") if isinstance(words, bytes) else str(words)
            return f"the reader refused {name}: {status.get('StatusCode')} {words}".strip()
        return f"the reader did not answer {name} within {self.params.timeout_s} s"

    def _await_epc(self, epc: str, deadline: float) -> bool:
        while (left := deadline - time.monotonic()) > 0:
            try:
                read = self._reads.get(timeout=min(left, 0.1))
            except queue.Empty:
                continue
            if _epc_hex(read) == whole_words(epc):
                return True
        return False


def access_spec(spec_id: int, old_epc: str, pointer: int, data: bytes, password: int) -> dict[str, Any]:
    """The AccessSpec, as sllurp encodes it, that writes ``data`` at word ``pointer`` of the EPC bank of the one tag
    whose EPC is ``old_epc``, once (its stop trigger: one operation), reported at the end of the access."""
    return {
        "AccessSpecID": spec_id, "AntennaID": 0, "ProtocolID": AirProtocol["EPCGlobalClass1Gen2"],
        "CurrentState": False, "ROSpecID": 0,
        "AccessSpecStopTrigger": {"AccessSpecStopTriggerType": 1, "OperationCountValue": 1},
        "AccessCommand": {
            "TagSpecParameter": {"C1G2TagSpec": {"C1G2TargetTag": [
                {"MB": EPC_BANK, "M": 1, "Pointer": 32, "TagMask": "F" * len(old_epc), "TagData": old_epc}]}},
            "OpSpecParameter": [{"C1G2Write": {
                "OpSpecID": 1, "AccessPassword": password, "MB": EPC_BANK, "WordPtr": pointer,
                "WriteDataWordCount": len(data) // 2, "WriteData": data}}],
        },
        "AccessReportSpec": {"AccessReportTrigger": 1},
    }


def whole_words(epc_hex: str) -> str:
    """``epc_hex`` as a reader reports it: an EPC bank holds whole 16-bit words (198 bits read back as 208)."""
    return epc_hex.upper() + "0" * (-len(epc_hex) % 4)


def _epc_hex(read: dict[str, Any]) -> str | None:
    epc = read.get("EPC-96") or read.get("EPC")
    if isinstance(epc, bytes):
        epc = epc.decode("ascii", "replace")
    return epc.upper() if isinstance(epc, str) and epc else None
