"""Lines per second through the scale bridge, against baselines measured in the same run.

1. Parsing: ``parse_line`` on device lines, against the CRC alone
   (``binascii.crc_hqx`` over the same payloads: the work no parser avoids).
2. The serial pipeline over a real pty: pyserial in the bridge's reader
   thread, line assembly, parsing, sequence check and the publishing
   decision, against plain ``os.read`` of the same bytes split into lines.
   Also the headroom over what a 115200-baud line can carry at all.

    python bench/bridge.py [--lines 20000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import binascii
import os
import statistics
import threading
import time
import tty

from firmware_bridge.bridge import ScaleBridge
from firmware_bridge.config import ScaleConfig
from firmware_bridge.protocol import Frame, Verb, encode, parse_line
from firmware_bridge.serial_line import SerialLine

from comptoir.link import BrokerSettings, MqttLink

BAUD = 115200


def device_lines(n: int) -> list[bytes]:
    return [encode(Frame(i % 65536, Verb.WEIGHT, decigrams=23501 + i % 7, stable=i % 50 != 0)) for i in range(n)]


def parse_rate(lines: list[bytes]) -> float:
    bare = [line[:-2] for line in lines]
    t0 = time.perf_counter()
    for line in bare:
        parse_line(line)
    return len(lines) / (time.perf_counter() - t0)


def crc_rate(lines: list[bytes]) -> float:
    payloads = [line[:-8] for line in lines]
    t0 = time.perf_counter()
    for payload in payloads:
        binascii.crc_hqx(payload, 0xFFFF)
    return len(lines) / (time.perf_counter() - t0)


def _pty() -> tuple[int, int, str]:
    master, slave = os.openpty()
    tty.setraw(slave)
    return master, slave, os.ttyname(slave)


def _writer(master: int, data: bytes) -> threading.Thread:
    def write() -> None:
        view = memoryview(data)
        while view:
            sent = os.write(master, view[:4096])
            view = view[sent:]

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


def raw_pty_rate(lines: list[bytes]) -> float:
    master, slave, _ = _pty()
    data = b"".join(lines)
    got, buffer = 0, b""
    t0 = time.perf_counter()
    writer = _writer(master, data)
    while got < len(lines):
        buffer += os.read(slave, 65536)
        parts = buffer.split(b"\n")
        buffer = parts.pop()
        got += len(parts)
    elapsed = time.perf_counter() - t0
    writer.join()
    os.close(master)
    os.close(slave)
    return len(lines) / elapsed


async def bridge_rate(lines: list[bytes]) -> float:
    master, slave, name = _pty()
    link = MqttLink(BrokerSettings(), store="bench", device="scale-bench", kind="scale")  # not started: outbox only
    bridge = ScaleBridge(ScaleConfig(device="scale-bench", serial=name), link, line=SerialLine(name, BAUD))
    bridge.line.start()
    reader = asyncio.create_task(bridge._read_events())
    await bridge.wait_for(lambda b: b.stats.opens == 1, timeout=10)
    t0 = time.perf_counter()
    writer = _writer(master, b"".join(lines))
    await bridge.wait_for(lambda b: b.stats.lines_ok >= len(lines), timeout=300)
    elapsed = time.perf_counter() - t0
    assert bridge.stats.refused_total == 0 and bridge.stats.seq_gaps == 0
    writer.join()
    reader.cancel()
    await bridge.line.stop()
    os.close(master)
    os.close(slave)
    link.outbox.close()
    return len(lines) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    lines = device_lines(args.lines)
    mean_len = sum(map(len, lines)) / len(lines)
    line_capacity = BAUD / 10 / mean_len  # 8N1: 10 bits a byte

    rounds: dict[str, list[float]] = {"crc": [], "parse": [], "raw": [], "bridge": []}
    for _ in range(args.rounds):
        rounds["crc"].append(crc_rate(lines))
        rounds["parse"].append(parse_rate(lines))
        rounds["raw"].append(raw_pty_rate(lines))
        rounds["bridge"].append(asyncio.run(bridge_rate(lines)))
    med = {k: statistics.median(v) for k, v in rounds.items()}
    print(f"{args.lines} WEIGHT lines ({mean_len:.0f} bytes) x {args.rounds} rounds (medians)")
    print(f"  CRC only (baseline)         {med['crc']:>10,.0f} lines/s   ratio 1.00")
    print(f"  parse_line                  {med['parse']:>10,.0f} lines/s   ratio {med['parse'] / med['crc']:.2f}")
    print(f"  pty, os.read (baseline)     {med['raw']:>10,.0f} lines/s   ratio 1.00")
    print(f"  pty, bridge pipeline        {med['bridge']:>10,.0f} lines/s   ratio {med['bridge'] / med['raw']:.2f}")
    print(
        f"  a 115200-baud line carries  {line_capacity:>10,.0f} lines/s   "
        f"bridge headroom x{med['bridge'] / line_capacity:.1f}"
    )


if __name__ == "__main__":
    main()
