"""sllurp's reader client with framing that survives a bad frame.

sllurp 3.0.5 splits the byte stream into LLRP frames itself, and when one
frame cannot be decoded (an unknown message type, a parameter whose length
does not fit) it discards the rest of what it had received with it: the next
frame starts mid-way, the stream is lost, and only the silence detector ends
the connection, ``silence_s`` later. A frame announcing a length of 1 GB
makes it wait for that gigabyte. Here each frame is taken by its own length
field and decoded alone: a frame sllurp cannot decode is skipped and said
(with its type, length and reason), the frames after it are read as usual,
and a length no LLRP frame can have ends the connection at once (there is no
way to find the next frame boundary), so the agent reconnects without
waiting for the silence.
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Callable

from sllurp.llrp import LLRPMessage, LLRPReaderClient
from sllurp.llrp_errors import ReaderConfigurationError

log = logging.getLogger("comptoir.edge.rfid")

HEADER = struct.Struct("!HII")  # reserved(3) version(3) type(10), length, message id
LLRP_VERSION = 1  # LLRP 1.0.1, what sllurp speaks
#: No LLRP frame a reader sends is larger: the biggest, an RO_ACCESS_REPORT of 65,535 tags, is ~4 MB.
MAX_FRAME_BYTES = 8 << 20

#: called in sllurp's thread with (message type, frame length, reason) for each frame left out
BadFrameHandler = Callable[[int, int, str], None]


class StreamLost(ReaderConfigurationError):
    """The byte stream cannot be split into frames any more; sllurp ends its thread on this error."""


class GuardedReaderClient(LLRPReaderClient):
    """An ``LLRPReaderClient`` whose framing skips a bad frame and ends a stream it cannot frame."""

    def __init__(self, *args: object, on_bad_frame: BadFrameHandler, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.on_bad_frame = on_bad_frame
        self._buffer = bytearray()  # appended to: a frame that comes in many chunks is not copied each time

    def raw_data_received(self, data: bytes) -> None:
        """Runs in sllurp's thread for every chunk read from the socket."""
        buffer = self._buffer
        buffer += data
        start = 0
        try:
            while len(buffer) - start >= HEADER.size:
                first, length, _msg_id = HEADER.unpack_from(buffer, start)
                msg_type = first & 0x3FF
                if length < HEADER.size or length > MAX_FRAME_BYTES:
                    reason = f"frame length {length} is impossible (header {HEADER.size}, most {MAX_FRAME_BYTES})"
                    self.on_bad_frame(msg_type, length, reason + "; the stream cannot be followed, reconnecting")
                    raise StreamLost(reason)
                if len(buffer) - start < length:
                    break  # the rest of this frame is still on its way
                frame = bytes(buffer[start : start + length])
                start += length
                version = (first >> 10) & 7
                if version != LLRP_VERSION:
                    self.on_bad_frame(msg_type, length, f"LLRP version {version}: this client speaks version 1 only")
                    continue
                self._handle(msg_type, frame)
        finally:
            del buffer[:start]

    def _handle(self, msg_type: int, frame: bytes) -> None:
        try:
            message = LLRPMessage(msgbytes=frame)
        except Exception as exc:  # sllurp's decoder raises LLRPError, but also struct.error, KeyError, IndexError
            self.on_bad_frame(msg_type, len(frame), f"undecodable: {type(exc).__name__}: {exc}")
            return
        self._on_llrp_message_received(message)
        try:
            self.llrp.handleMessage(message)
        except ReaderConfigurationError:
            raise  # the reader refused our configuration: sllurp ends the connection, we reconnect
        except Exception as exc:  # a message that decodes but makes no sense to the client's state machine
            self.on_bad_frame(msg_type, len(frame), f"not handled: {type(exc).__name__}: {exc}")
