"""A device process for the tests: queues N zone events, then keeps its link up.

Prints ``queued <n>`` once the messages are in its outbox and ``online``
once connected, so the test can act (for example, SIGKILL it) at the right
moment without sleeping.

    python -m tests.support.publisher URL OUTBOX DEVICE N
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from comptoir.contract import ZoneEvent
from comptoir.link import BrokerSettings, MqttLink


async def main(url: str, outbox: str, device: str, count: int) -> None:
    settings = BrokerSettings(url=url, reconnect_min_s=0.1, reconnect_max_s=0.5)
    link = MqttLink(settings, store="test", device=device, kind="rfid-reader", outbox=Path(outbox))
    await link.start()
    link.emit_many(
        ZoneEvent,
        ({"event": "arrived", "epc": f"{i:024X}", "location": "floor"} for i in range(count)),
    )
    print(f"queued {len(link.outbox)}", flush=True)
    if await link.wait_connected(30):
        print("online", flush=True)
    await link.flush(30)
    print(f"flushed {len(link.outbox)}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
