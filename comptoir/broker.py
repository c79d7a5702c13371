"""The embedded MQTT broker (amqtt): for a machine with nothing else installed.

Production and the tests use Eclipse Mosquitto; this broker is the
zero-install default of the demo and the fallback when no ``mosquitto``
binary is present. It binds to 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

log = logging.getLogger("comptoir.broker")


def broker_config(host: str, port: int) -> dict[str, Any]:
    return {
        "listeners": {"default": {"type": "tcp", "bind": f"{host}:{port}", "max_connections": 1000}},
        "plugins": {
            "amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True},
            "amqtt.plugins.sys.broker.BrokerSysPlugin": {"sys_interval": 0},
        },
    }


async def run_embedded_broker(host: str = "127.0.0.1", port: int = 1883, stop: asyncio.Event | None = None) -> None:
    """Serve MQTT until ``stop`` is set (or forever)."""
    from amqtt.broker import Broker  # imported here: only this command needs it

    broker = Broker(broker_config(host, port))
    await broker.start()
    log.info("embedded broker listening", extra={"host": host, "port": port})
    try:
        await (stop.wait() if stop is not None else asyncio.Event().wait())
    finally:
        await broker.shutdown()
