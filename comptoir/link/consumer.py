"""Received messages to their subscribers: each one isolated, acknowledged after, held back while storage fails.

The link's network thread puts what the broker delivers in :attr:`Consumer.inbox`;
:meth:`Consumer.run` takes what waits (up to ``batch_max``), decodes each
message, reports the ones the contract rejects, hands the valid ones to their
handlers, and only then acknowledges them to the broker. Three promises:

* no payload and no handler bug stops the loop: a failure is a rejection with
  its reason, reported to the subscription's error callback;
* a :class:`StoreUnavailable` from a handler or an error callback is not a
  rejection: the batch stays in hand, unacknowledged, and is handed again in
  order after a bounded exponential backoff, for as long as it takes; what a
  subscriber already took from that batch is not handed to it twice;
* the state is visible (:meth:`Consumer.state`) for a health page.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

import paho.mqtt.client as paho

from comptoir.clock import Clock
from comptoir.contract import ContractError, Message, decode
from comptoir.link.errors import StoreUnavailable

log = logging.getLogger("comptoir.link")

Handler = Callable[[Message], Awaitable[None] | None]
ErrorHandler = Callable[[str, bytes, ContractError], Awaitable[None] | None]
BatchHandler = Callable[[list[Message]], Awaitable[None] | None]


@dataclass
class Subscription:
    pattern: str
    handler: Handler | None
    on_error: ErrorHandler | None
    batch_handler: BatchHandler | None = None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How the consumer waits for a store that cannot take messages."""

    first_s: float = 0.05  # first wait; doubles at each failure
    max_s: float = 5.0  # longest wait between two tries
    warn_every: int = 20  # a warning on the first failure, then every this many


@dataclass(frozen=True, slots=True)
class ConsumerState:
    """What a health page needs: how much waits, when the last batch went through, and what is wrong."""

    queued: int  # received and not yet taken up
    in_hand: int  # messages of the batch being handled (or held back)
    held_back: int  # in_hand while the store is unavailable, else 0
    in_hand_s: float  # how long the current batch has been in hand
    last_batch: datetime | None  # link clock: when a batch was last acknowledged
    store_failure: str | None  # why the store cannot take messages, while it cannot
    store_failing_s: float  # for how long
    retries: int  # tries of the batch held back
    stopped: str | None  # why the consumer loop ended, if it did


@dataclass
class _Entry:
    msg: paho.MQTTMessage
    topic: str
    payload: bytes
    subs: list[Subscription]
    message: Message | None = None
    error: ContractError | None = None


@dataclass
class _Batch:
    entries: list[_Entry]
    taken: float = field(default_factory=time.monotonic)
    done: set[tuple[object, ...]] = field(default_factory=set)  # (step, entry, subscription) already done


async def _maybe_await(result: Awaitable[None] | None) -> None:
    if inspect.isawaitable(result):
        await result


def _topic_of(msg: paho.MQTTMessage) -> str:
    try:
        return msg.topic
    except UnicodeDecodeError:  # MQTT requires UTF-8 topics; a broker that lets one through must not stop us
        return bytes(msg._topic).decode("utf-8", "replace")


class Consumer:
    """The receiving half of a link: inbox, decoding, dispatch, acknowledgement, retries."""

    def __init__(self, ack: Callable[[paho.MQTTMessage], None], clock: Clock, retry: RetryPolicy | None = None) -> None:
        self.inbox: asyncio.Queue[paho.MQTTMessage] = asyncio.Queue()
        self.subscriptions: list[Subscription] = []
        self.batch_max = 1  # messages taken from the inbox at once (raised by batch subscriptions)
        self.retry = retry or RetryPolicy()
        self.received = 0
        self.rejected = 0
        self.stopped: str | None = None
        self._ack = ack
        self._clock = clock
        self._batch: _Batch | None = None
        self._last_batch: datetime | None = None
        self._failure: str | None = None
        self._failing_since = 0.0
        self._retries = 0

    def state(self) -> ConsumerState:
        now = time.monotonic()
        batch = self._batch
        in_hand = len(batch.entries) if batch else 0
        return ConsumerState(
            queued=self.inbox.qsize(),
            in_hand=in_hand,
            held_back=in_hand if self._failure else 0,
            in_hand_s=now - batch.taken if batch else 0.0,
            last_batch=self._last_batch,
            store_failure=self._failure,
            store_failing_s=now - self._failing_since if self._failure else 0.0,
            retries=self._retries,
            stopped=self.stopped,
        )

    async def run(self) -> None:
        """Take, handle and acknowledge batches until cancelled."""
        while True:
            if self._batch is None:
                msgs = [await self.inbox.get()]
                while len(msgs) < self.batch_max and not self.inbox.empty():
                    msgs.append(self.inbox.get_nowait())
                self._batch = self._prepare(msgs)
            await self._until_stored(self._batch)
            for entry in self._batch.entries:
                if entry.msg.qos > 0:
                    self._ack(entry.msg)
            self._batch = None
            self._last_batch = self._clock.now()

    def _prepare(self, msgs: list[paho.MQTTMessage]) -> _Batch:
        entries = []
        for msg in msgs:
            self.received += 1
            topic = _topic_of(msg)
            subs = [s for s in self.subscriptions if paho.topic_matches_sub(s.pattern, topic)]
            entry = _Entry(msg, topic, bytes(msg.payload), subs)
            try:
                entry.message = decode(topic, entry.payload)
            except ContractError as err:
                entry.error = err
            except Exception as exc:  # decode promises ContractError only; should it break that, still a rejection
                log.exception("decoding failed unexpectedly", extra={"topic": topic})
                entry.error = ContractError(f"payload could not be decoded: {exc!r}"[:300])
            if entry.error is not None:
                self.rejected += 1
            entries.append(entry)
        return _Batch(entries)

    async def _until_stored(self, batch: _Batch) -> None:
        policy = self.retry
        while True:
            try:
                await self._deliver(batch)
            except StoreUnavailable as exc:
                self._retries += 1
                if self._failure is None:
                    self._failing_since = time.monotonic()
                self._failure = exc.reason
                wait = min(policy.max_s, policy.first_s * 2 ** min(self._retries - 1, 30))
                if self._retries == 1 or self._retries % policy.warn_every == 0:
                    log.warning(
                        "store unavailable: messages held back, not acknowledged; retrying",
                        extra={"reason": exc.reason, "messages": len(batch.entries), "tries": self._retries,
                               "failing_s": round(time.monotonic() - self._failing_since, 1),
                               "retry_in_s": round(wait, 2)},
                    )
                await asyncio.sleep(wait)
                continue
            if self._failure is not None:
                log.warning(
                    "store available again: held-back messages stored",
                    extra={"messages": len(batch.entries), "tries": self._retries,
                           "failed_for_s": round(time.monotonic() - self._failing_since, 1)},
                )
            self._failure, self._retries = None, 0
            return

    async def _deliver(self, batch: _Batch) -> None:
        """Hand a batch to its subscribers once; each step done is remembered, so a retry skips it."""
        done = batch.done
        for n, entry in enumerate(batch.entries):
            for sub in entry.subs:
                if entry.error is not None:
                    await self._report_once(batch, n, sub, entry.error)
                    continue
                if sub.handler is None or ("handled", n, id(sub)) in done:
                    continue
                assert entry.message is not None
                try:
                    await _maybe_await(sub.handler(entry.message))
                except StoreUnavailable:
                    raise
                except Exception as exc:  # a handler bug must not stop the link
                    log.exception("message handler failed", extra={"topic": entry.topic})
                    await self._report_once(batch, n, sub, ContractError(f"handler failed: {exc!r}"[:300]))
                done.add(("handled", n, id(sub)))
        for sub in self.subscriptions:
            if sub.batch_handler is None or ("batch", id(sub)) in done:
                continue
            items = [(n, e) for n, e in enumerate(batch.entries) if e.message is not None and sub in e.subs]
            if items:
                try:
                    await _maybe_await(sub.batch_handler([e.message for _, e in items]))  # type: ignore[misc]
                except StoreUnavailable:
                    raise
                except Exception as exc:
                    log.exception("batch handler failed", extra={"messages": len(items)})
                    for n, _ in items:
                        await self._report_once(batch, n, sub, ContractError(f"handler failed: {exc!r}"[:300]))
            done.add(("batch", id(sub)))

    async def _report_once(self, batch: _Batch, n: int, sub: Subscription, err: ContractError) -> None:
        if ("reported", n, id(sub)) in batch.done:
            return
        entry = batch.entries[n]
        if sub.on_error is None:
            log.warning("rejected message", extra={"topic": entry.topic, "reason": str(err)})
        else:
            try:
                await _maybe_await(sub.on_error(entry.topic, entry.payload, err))
            except StoreUnavailable:
                raise
            except Exception:
                log.exception("error handler failed", extra={"topic": entry.topic})
        batch.done.add(("reported", n, id(sub)))
