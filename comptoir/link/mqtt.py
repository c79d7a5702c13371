"""The MQTT link: one device's connection to the broker, asyncio on paho-mqtt.

What it guarantees:

* every published message goes through the on-disk :class:`Outbox` and is
  deleted only on the broker's PUBACK (``comptoir/link/pump.py``): outages
  and kills lose nothing up to the outbox bound, and messages leave in order;
* availability the way Frigate and Sparkplug do it, on the one retained
  ``device/<id>/status`` topic that only the link writes
  (``comptoir/link/availability.py``): an ``offline`` Last Will registered at
  connect, a birth after each connect, ``offline`` on a clean stop, and the
  device behind the agent (reader, camera, scale) said up or down by the
  agent with :meth:`MqttLink.device_up` / :meth:`MqttLink.device_down`;
* reconnect with exponential backoff (paho's own, bounded by the settings);
* subscribers receive validated contract models; an invalid payload goes to
  an error callback with the reason and never reaches the handler. Received
  messages are acknowledged only after the handler returns, so a consumer
  that dies mid-message gets it again; a handler that raises
  :class:`StoreUnavailable` gets the same messages again later, never
  acknowledged meanwhile (``comptoir/link/consumer.py``);
* the receiving loop is watched: should it ever end, :attr:`MqttLink.consumer_stopped`
  says why and :meth:`MqttLink.wait_consumer_stopped` returns, so the process can exit
  and be restarted instead of running on deaf.

Delivery is at-least-once: a message acknowledged by the broker just before
a kill is sent again after restart. The contract's message id makes that
harmless (the hub stores each id once).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self, TypeVar

import paho.mqtt.client as paho

from comptoir import __version__
from comptoir.clock import Clock, RealClock
from comptoir.contract import DeviceStatus, Message, encode
from comptoir.contract.topics import check_id, topic
from comptoir.link.availability import CONNECTION_LOST, SHUTDOWN, Availability
from comptoir.link.client import paho_client
from comptoir.link.consumer import (
    BatchHandler,
    Consumer,
    ConsumerState,
    ErrorHandler,
    Handler,
    RetryPolicy,
    Subscription,
)
from comptoir.link.outbox import Outbox
from comptoir.link.pump import OutboxPump
from comptoir.link.settings import BrokerSettings

log = logging.getLogger("comptoir.link")

M = TypeVar("M", bound=Message)


@dataclass(frozen=True, slots=True)
class LinkStats:
    connected: bool
    pending: int
    in_flight: int
    sent: int
    acked: int
    dropped: int
    received: int
    rejected: int


async def _wait(event: asyncio.Event, timeout: float | None) -> bool:
    try:
        await asyncio.wait_for(event.wait(), timeout)
    except TimeoutError:
        return False
    return True


class MqttLink:
    """A device's link to the broker.

    ``outbox`` is the path of the SQLite outbox file (or an :class:`Outbox`);
    ``None`` keeps it in memory, for a pure consumer that publishes little.
    """

    def __init__(
        self,
        broker: BrokerSettings,
        *,
        store: str,
        device: str,
        kind: str,
        outbox: Outbox | str | Path | None = None,
        outbox_max_messages: int = 100_000,
        clock: Clock | None = None,
        software: str = f"comptoir {__version__}",
        persistent_session: bool = False,
        window: int = 500,
        outbox_durable: bool = False,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.broker = broker
        self.store = check_id(store, "store")
        self.device = check_id(device, "device")
        self.kind = kind
        self.software = software
        self.clock = clock or RealClock()
        self.window = window
        self.persistent_session = persistent_session
        if isinstance(outbox, Outbox):
            self.outbox = outbox
        else:
            self.outbox = Outbox(outbox if outbox is not None else ":memory:", max_messages=outbox_max_messages,
                                 durable=outbox_durable)
        self.status_topic = topic(store, "device", device, "status")
        self.availability = Availability(self.device, kind, software)

        self._client: paho.Client | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pump_task: asyncio.Task[None] | None = None
        self._consume_task: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()
        self._subscribed = asyncio.Event()
        self._suback_pending: set[int] = set()
        self.pump = OutboxPump(self.outbox, window, self._ready_client, self.device)
        self.consumer = Consumer(self._ack_received, self.clock, retry)
        self._consumer_stopped = asyncio.Event()
        self._seq = self.outbox.counter("seq")
        self._session = self.outbox.counter("session")
        self._stopping = False

    # -- lifecycle ------------------------------------------------------------
    async def start(self) -> Self:
        """Begin connecting in the background; returns at once (the outbox queues meanwhile)."""
        self._loop = asyncio.get_running_loop()
        client = paho_client(self.broker, f"comptoir-{self.store}-{self.device}", self.persistent_session, self.window)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_publish = self._on_publish
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe
        self._client = client
        self._session = self.outbox.next_value("session")
        self._set_will()
        client.connect_async(self.broker.host, self.broker.port, keepalive=self.broker.keepalive_s)
        client.loop_start()
        self._pump_task = asyncio.create_task(self.pump.run(), name=f"link-pump-{self.device}")
        self._consume_task = asyncio.create_task(self.consumer.run(), name=f"link-consume-{self.device}")
        self._consume_task.add_done_callback(self._consumer_ended)
        return self

    async def stop(self, drain_timeout: float = 5.0) -> None:
        """Deliver what waits (up to ``drain_timeout`` s), mark the device offline, disconnect.

        What is not delivered in time stays in the outbox for the next start.
        """
        if self._client is None:
            return
        if self.connected and drain_timeout > 0:
            await self.flush(drain_timeout)
        self._stopping = True
        client = self._client
        if self.connected:
            await asyncio.to_thread(self._publish_status(SHUTDOWN).wait_for_publish, 2.0)
        client.disconnect()
        await asyncio.to_thread(client.loop_stop)
        for task in (self._pump_task, self._consume_task):
            if task is not None:
                task.cancel()
        for task in (self._pump_task, self._consume_task):
            if task is not None and not (task is self._consume_task and self.consumer.stopped):
                with contextlib.suppress(asyncio.CancelledError):
                    await task  # (a consumer that ended by itself was reported when it did)
        self.pump.process_acks()
        self._client = None
        self._connected.clear()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
        self.outbox.close()

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    async def wait_connected(self, timeout: float | None = None) -> bool:
        return await _wait(self._connected, timeout)

    async def wait_subscribed(self, timeout: float | None = None) -> bool:
        """Wait until the broker has acknowledged every subscription of this connection."""
        return await _wait(self._subscribed, timeout)

    def stats(self) -> LinkStats:
        return LinkStats(
            connected=self.connected,
            pending=len(self.outbox),
            in_flight=len(self.pump.in_flight),
            sent=self.pump.sent,
            acked=self.pump.acked,
            dropped=self.outbox.dropped,
            received=self.consumer.received,
            rejected=self.consumer.rejected,
        )

    def consumer_state(self) -> ConsumerState:
        """What waits to be handled, what is held back and why, when a batch last went through."""
        return self.consumer.state()

    @property
    def consumer_stopped(self) -> str | None:
        """Why the receiving loop ended, if it did (it should not: nothing received is handled after)."""
        return self.consumer.stopped

    async def wait_consumer_stopped(self) -> str:
        """Return (with the reason) once the receiving loop has ended other than by :meth:`stop`."""
        await self._consumer_stopped.wait()
        return self.consumer.stopped or "stopped"

    # -- the device behind the agent ---------------------------------------------
    def device_up(self) -> None:
        """The device behind this agent works again: the status says ``online`` (while connected)."""
        self._set_device(True, None)

    def device_down(self, reason: str) -> None:
        """The device behind this agent is lost (``reason`` says what failed): the status says ``offline``.

        The agent's data may go on (an RFID agent still departs tags); the
        status is what tells the hub and the dashboard. Call both in the link's event loop.
        """
        self._set_device(False, reason)

    def set_software(self, software: str) -> None:
        """What the status says runs on the device (a camera adds its model's version); said again at once."""
        if software == self.software:
            return
        self.software = self.availability.software = software
        if self._client is not None and self.connected and not self._stopping:
            self._publish_status()

    def _set_device(self, up: bool, reason: str | None) -> None:
        if self.availability.set(up, reason) and self._client is not None and self.connected and not self._stopping:
            self._publish_status()

    # -- publishing -----------------------------------------------------------
    @property
    def last_seq(self) -> int:
        return self._seq

    def emit(self, model: type[M], **fields: Any) -> M:
        """Make a message of ``model`` from this device (id, sequence, time) and publish it."""
        return self.emit_many(model, [fields])[0]

    def emit_many(self, model: type[M], items: Iterable[dict[str, Any]]) -> list[M]:
        """Make and publish several messages in one outbox transaction."""
        messages = []
        seq = self._seq
        for fields in items:
            seq += 1
            fields.setdefault("time", self.clock.now())
            messages.append(model.create(device=self.device, seq=seq, **fields))
        self._enqueue(messages, seq)
        return messages

    def publish(self, message: Message) -> None:
        """Publish a message that is already made (a replay or a relay); its sequence is its own."""
        self._enqueue([message], None)

    def publish_many(self, messages: list[Message]) -> None:
        """Publish made messages in one outbox transaction."""
        self._enqueue(messages, None)

    def _enqueue(self, messages: list[M], seq: int | None) -> None:
        if not messages:
            return
        if any(isinstance(m, DeviceStatus) and m.device == self.device for m in messages):
            raise ValueError(f"device/{self.device}/status is the link's own: say device_up() or device_down(reason)")
        rows = [(m.topic(self.store), encode(m), m.RETAIN) for m in messages]
        self.pump.put(rows, counters={"seq": seq} if seq is not None else None)
        if seq is not None:
            self._seq = seq

    async def flush(self, timeout: float | None = None) -> bool:
        """Wait until the broker has acknowledged everything in the outbox."""
        return await self.pump.flush(timeout)

    # -- subscribing ----------------------------------------------------------
    def subscribe(self, pattern: str, handler: Handler, on_error: ErrorHandler | None = None) -> None:
        """Deliver every valid contract message matching ``pattern`` to ``handler``.

        A payload that breaks the contract goes to ``on_error(topic, payload,
        error)`` instead (or is logged). Subscriptions are renewed at every
        reconnect.
        """
        self.consumer.subscriptions.append(Subscription(pattern, handler, on_error))
        if self._client is not None and self.connected:
            self._send_subscribe(pattern)

    def subscribe_batch(
        self, pattern: str, handler: BatchHandler, on_error: ErrorHandler | None = None, max_batch: int = 1000
    ) -> None:
        """Like :meth:`subscribe`, but ``handler`` gets every valid message waiting, as one list.

        A consumer that writes to a database can then commit once per list;
        the messages of a list are acknowledged only after the handler
        returned, so a consumer killed before its commit receives them again.
        """
        self.consumer.batch_max = max(self.consumer.batch_max, max_batch)
        self.consumer.subscriptions.append(Subscription(pattern, None, on_error, handler))
        if self._client is not None and self.connected:
            self._send_subscribe(pattern)

    def _send_subscribe(self, pattern: str) -> None:
        assert self._client is not None
        self._subscribed.clear()
        rc, mid = self._client.subscribe(pattern, qos=1)
        if rc == paho.MQTT_ERR_SUCCESS and mid is not None:
            self._suback_pending.add(mid)

    def _got_suback(self, mid: int) -> None:
        self._suback_pending.discard(mid)
        if not self._suback_pending and self.connected:
            self._subscribed.set()

    # -- internals: run in the asyncio loop -----------------------------------
    def _status(self, agent_reason: str | None = None) -> DeviceStatus:
        return self.availability.status(session=self._session, now=self.clock.now(), last_seq=self._seq,
                                        dropped=self.outbox.dropped, agent_reason=agent_reason)

    def _publish_status(self, agent_reason: str | None = None) -> paho.MQTTMessageInfo:
        assert self._client is not None
        return self._client.publish(self.status_topic, encode(self._status(agent_reason)), qos=1, retain=True)

    def _set_will(self) -> None:
        assert self._client is not None
        self._client.will_set(self.status_topic, encode(self._status(CONNECTION_LOST)), qos=1, retain=True)

    def _ready_client(self) -> paho.Client | None:  # the client, when the pump may hand it rows
        return self._client if self.connected and not self._stopping else None

    def _became_connected(self) -> None:
        self._publish_status()  # the birth: online, or why the device behind is down
        self._suback_pending.clear()
        self._connected.set()
        for sub in self.consumer.subscriptions:
            self._send_subscribe(sub.pattern)
        if not self._suback_pending:
            self._subscribed.set()
        self.pump.wake.set()
        log.info("connected", extra={"device": self.device, "broker": self.broker.url})

    def _became_disconnected(self) -> None:
        self._connected.clear()
        self._subscribed.clear()
        if self._client is not None and not self._stopping:
            self._session = self.outbox.next_value("session")
            self._set_will()
            log.warning("disconnected; reconnecting", extra={"device": self.device, "broker": self.broker.url})

    def _ack_received(self, msg: paho.MQTTMessage) -> None:
        if self._client is not None:
            self._client.ack(msg.mid, msg.qos)

    def _consumer_ended(self, task: asyncio.Task[None]) -> None:
        """The receiving loop ended: fine during :meth:`stop`, otherwise a fault nobody must miss."""
        if self._stopping or task.cancelled():  # cancelled: the process is shutting down
            return
        error = task.exception()
        reason = f"{type(error).__name__}: {error}" if error is not None else "returned"
        self.consumer.stopped = f"message consumer stopped: {reason}"[:500]
        log.error("message consumer stopped; nothing received is handled any more",
                  extra={"device": self.device, "reason": reason}, exc_info=error)
        self._consumer_stopped.set()

    # -- internals: paho's network thread -------------------------------------
    def _call(self, fn: Callable[..., None], *args: Any) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(fn, *args)

    def _on_connect(self, client: paho.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if reason.is_failure:
            log.warning("broker refused the connection", extra={"device": self.device, "reason": str(reason)})
            return
        self._call(self._became_connected)

    def _on_disconnect(self, client: paho.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        self._call(self._became_disconnected)

    def _on_publish(self, client: paho.Client, userdata: Any, mid: int, reason: Any, props: Any) -> None:
        self._call(self.pump.acked_mid, mid)

    def _on_subscribe(self, client: paho.Client, userdata: Any, mid: int, reasons: Any, props: Any) -> None:
        self._call(self._got_suback, mid)

    def _on_message(self, client: paho.Client, userdata: Any, msg: paho.MQTTMessage) -> None:
        self._call(self.consumer.inbox.put_nowait, msg)
