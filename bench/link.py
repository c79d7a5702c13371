"""Messages per second through mosquitto: the link with its outbox against bare paho-mqtt.

Both publish the same pre-made contract messages at QoS 1 and count a message
only when the broker's PUBACK has arrived. The outbox run is measured twice:
one outbox transaction per message (``publish``), and in batches of 500
(``publish_many``, what an agent does with a burst of reads).

    python bench/link.py [--messages 20000]

Prints the rates and the ratios against bare paho, measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from comptoir.contract import ZoneEvent, encode
from comptoir.link import BrokerSettings, MqttLink
from comptoir.mosquitto import Mosquitto


def make_messages(n: int) -> list[ZoneEvent]:
    now = datetime.now(UTC)
    return [
        ZoneEvent.create(device="bench", seq=i + 1, time=now, event="arrived", epc=f"3034B82E50293600{i:08X}",
                         gtin="03017620422003", location="floor-aisle-2", rssi=-55.5)
        for i in range(n)
    ]


def bare_paho(port: int, messages: list[ZoneEvent], store: str) -> float:
    done = threading.Event()
    acked = 0

    def on_publish(client, userdata, mid, reason, props) -> None:
        nonlocal acked
        acked += 1
        if acked == len(messages):
            done.set()

    client = paho.Client(CallbackAPIVersion.VERSION2, client_id="bench-bare")
    client.max_inflight_messages_set(500)
    client.max_queued_messages_set(0)
    client.on_publish = on_publish
    client.connect("127.0.0.1", port)
    client.loop_start()
    rows = [(m.topic(store), encode(m)) for m in messages]
    t0 = time.perf_counter()
    for topic, payload in rows:
        client.publish(topic, payload, qos=1)
    if not done.wait(120):
        raise RuntimeError(f"bare paho: only {acked} of {len(messages)} acknowledged")
    elapsed = time.perf_counter() - t0
    client.loop_stop()
    client.disconnect()
    return len(messages) / elapsed


async def with_outbox(port: int, messages: list[ZoneEvent], store: str, outbox: Path, batch: int) -> float:
    link = MqttLink(BrokerSettings(url=f"mqtt://127.0.0.1:{port}"), store=store, device="bench", kind="bench",
                    outbox=outbox)
    await link.start()
    await link.wait_connected(10)
    t0 = time.perf_counter()
    if batch == 1:
        for i, message in enumerate(messages):
            link.publish(message)
            if i % 200 == 0:
                await asyncio.sleep(0)  # an agent yields between reads
    else:
        for start in range(0, len(messages), batch):
            link.publish_many(messages[start : start + batch])
            await asyncio.sleep(0)
    if not await link.flush(120):
        raise RuntimeError(f"outbox did not drain: {link.stats()}")
    elapsed = time.perf_counter() - t0
    await link.stop()
    return len(messages) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    messages = make_messages(args.messages)
    with tempfile.TemporaryDirectory() as tmp:
        broker = Mosquitto(Path(tmp) / "mosquitto")
        broker.start()
        try:
            rates: dict[str, list[float]] = {"bare paho": [], "outbox, per message": [], "outbox, batches of 500": []}
            for r in range(args.rounds):  # interleaved, so that machine noise hits all three alike
                rates["bare paho"].append(bare_paho(broker.port, messages, "bench"))
                rates["outbox, per message"].append(
                    asyncio.run(with_outbox(broker.port, messages, "bench", Path(tmp) / f"a{r}.db", 1)))
                rates["outbox, batches of 500"].append(
                    asyncio.run(with_outbox(broker.port, messages, "bench", Path(tmp) / f"b{r}.db", 500)))
        finally:
            broker.stop()
    base = statistics.median(rates["bare paho"])
    print(f"{args.messages} messages x {args.rounds} rounds, QoS 1, mosquitto on 127.0.0.1 (medians)")
    for name, values in rates.items():
        rate = statistics.median(values)
        print(f"  {name:<24} {rate:>9,.0f} msg/s   ratio {rate / base:.2f}")


if __name__ == "__main__":
    main()
