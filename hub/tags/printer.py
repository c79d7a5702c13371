"""Sending labels to a printer's raw TCP port (9100, "JetDirect"), or saving them to a file.

A label printer on the network takes ZPL as bytes on a plain TCP
connection: no protocol, no answer. So a send is complete when every byte
was accepted and the connection closed cleanly; a refused or silent printer
is a PrinterError that says where and why, and nothing is marked sent.
"""

from __future__ import annotations

import socket
from pathlib import Path

RAW_PORT = 9100


class PrinterError(Exception):
    """The printer could not be reached or did not take the labels."""


def send(host: str, data: bytes, port: int = RAW_PORT, timeout_s: float = 10.0) -> int:
    """Send ``data`` to ``host:port``; the number of bytes sent."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s) as conn:
            conn.sendall(data)
            conn.shutdown(socket.SHUT_WR)  # the printer sees the end of the stream
    except OSError as exc:
        raise PrinterError(f"printer {host}:{port}: {exc.strerror or exc}") from None
    return len(data)


def save(path: Path, data: bytes) -> int:
    path.write_bytes(data)
    return len(data)
