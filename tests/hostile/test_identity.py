"""Hostile part ``identity``: forged identities under the deployment's ACL, real mosquitto and a real hub.

The broker runs the shipped mosquitto.conf with the accounts and ACL that
``comptoir provision`` writes (started as root it drops to its own user,
as on a Debian hub); the hub is a ``comptoir hub`` process signed in as
``hub``. Each device's own password publishes:

- what the ACL forbids (a camera publishing a till's receipt, a reader
  writing another reader's topic or another store, ...): the broker
  answers "not authorised" and the hub never sees it;
- what the ACL lets through but a hub rule forbids (a reader reporting
  another reader's zone, a gate passage naming another reader, a receipt
  naming a device that is not the lane's till, an event dated a day
  ahead, ...): a dead letter naming the rule, nothing applied;
- and the shop's valid traffic, every message of which must be stored.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from comptoir.contract import (
    DeviceStatus,
    GatePassage,
    Message,
    PosReceipt,
    ScaleWeight,
    ShelfCounts,
    ZoneEvent,
    encode,
)
from comptoir.mosquitto import mosquitto_binary
from tests.deploy.mqtt_client import Client
from tests.deploy.shop_broker import ShopBroker, remove, shop_broker
from tests.hostile.scale import hostile_scale
from tests.hub.support import FLOUR, NUTELLA, OIL, STORE, HubProcess, comptoir, epc, now

pytestmark = pytest.mark.timeout(300)
DEVICES = [["reader-1", "--role", "reader"], ["reader-2", "--role", "reader"],
           ["reader-door", "--role", "gate", "--gate", "gate-exit"], ["cam-a2", "--role", "camera"],
           ["cam-a3", "--role", "camera"], ["scale-7", "--role", "scale"], ["scale-9", "--role", "scale"],
           ["pos-1", "--role", "till", "--lane", "lane-1"]]
GATE_ZONE = "alias,kind,reader,antenna\ngate-exit,exit,reader-door,\n"
D = f"comptoir/v1/{STORE}"


@dataclass
class Shop:
    broker: ShopBroker
    hub: HubProcess


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    if mosquitto_binary() is None:
        pytest.fail("the identity part needs mosquitto (/usr/sbin/mosquitto)")
    broker = shop_broker(STORE, DEVICES)
    hub = HubProcess(Path(tmp_path_factory.mktemp("hub")), f"mqtt://127.0.0.1:{broker.plain}")
    try:
        broker.start()
        hub.prepare()
        config = yaml.safe_load(hub.config_path.read_text())
        config["broker"].update(username="hub", password=broker.passwords["hub"])
        config["admission"] = {"lanes": {"lane-1": "pos-1"}}
        hub.config_path.write_text(yaml.safe_dump(config))
        (hub.workdir / "gate.csv").write_text(GATE_ZONE)
        done = comptoir("hub", "--config", str(hub.config_path), "import-zones", str(hub.workdir / "gate.csv"))
        assert done.returncode == 0, done.stderr
        hub.start()
        yield Shop(broker, hub)
    finally:
        hub.stop()
        remove(broker)


class Traffic:
    """Builds the messages of one run: valid ones with each device's own sequence, forged ones apart."""

    def __init__(self) -> None:
        self.seq: dict[str, int] = {}
        self.forged_seq = 1_000_000

    def valid(self, model: type[Message], device: str, **fields: Any) -> Message:
        self.seq[device] = self.seq.get(device, 0) + 1
        fields.setdefault("time", now())
        return model.create(device=device, seq=self.seq[device], **fields)

    def forged(self, model: type[Message], device: str, **fields: Any) -> Message:
        self.forged_seq += 1
        fields.setdefault("time", now())
        return model.create(device=device, seq=self.forged_seq, **fields)


def slot(name: str, facings: int) -> dict[str, Any]:
    return {"slot": name, "state": "ok", "facings": facings, "capacity": 6, "confidence": 0.9}


def round_of(t: Traffic, r: int) -> tuple[list[tuple[str, Message]], list[tuple[str, str, Message]],
                                          list[tuple[str, str, Message]]]:
    """One round: (user, message) valid; (user, topic, message) the broker must refuse; and the hub must."""
    base = 10_000 + 100 * r
    line = [{"gtin": OIL, "quantity": 1, "unit_price_cents": 849}]
    valid = [
        ("reader-1", t.valid(ZoneEvent, "reader-1", event="arrived", epc=epc(base), gtin=NUTELLA, location="backroom")),
        ("reader-2", t.valid(ZoneEvent, "reader-2", event="arrived", epc=epc(base + 1), gtin=FLOUR, location="dock")),
        ("reader-door", t.valid(GatePassage, "reader-door", gate="gate-exit", direction="in", epc=epc(base + 2),
                                gtin=NUTELLA)),
        ("pos-1", t.valid(PosReceipt, "pos-1", lane="lane-1", receipt_id=f"R-{r}", lines=line, total_cents=849)),
        ("cam-a2", t.valid(ShelfCounts, "cam-a2", slots=[slot("A2-B1-S3-04", 4)])),
        ("cam-a3", t.valid(ShelfCounts, "cam-a3", slots=[slot("A3-B1-S1-01", 3)])),
        ("scale-7", t.valid(ScaleWeight, "scale-7", grams=3010.0, stable=True, slot="A3-B1-S2-02", gtin=FLOUR)),
    ]
    receipt = t.forged(PosReceipt, "pos-1", lane="lane-1", receipt_id=f"F-{r}", lines=line, total_cents=849)
    to_broker = [
        # the attack: a camera's password publishing a receipt that would pay for a stolen item
        ("cam-a2", f"{D}/pos/lane-1/receipts", receipt),
        ("reader-1", f"{D}/rfid/reader-2/events",
         t.forged(ZoneEvent, "reader-2", event="departed", epc=epc(base + 1), gtin=FLOUR, location="dock")),
        ("reader-1", "comptoir/v1/other-shop/rfid/reader-1/events",
         t.forged(ZoneEvent, "reader-1", event="arrived", epc=epc(base + 3), location="backroom")),
        ("cam-a2", f"{D}/gate/gate-exit/passages",
         t.forged(GatePassage, "reader-door", gate="gate-exit", direction="out", epc=epc(base), gtin=NUTELLA)),
        ("scale-7", f"{D}/vision/cam-a2/shelf", t.forged(ShelfCounts, "cam-a2", slots=[slot("A2-B1-S3-04", 0)])),
        ("pos-1", f"{D}/device/reader-1/status",
         t.forged(DeviceStatus, "reader-1", state="offline", kind="rfid-reader", software="forged", reason="shutdown")),
        ("reader-door", f"{D}/pos/lane-1/receipts", receipt),
    ]
    to_hub = [
        ("reader-2", t.forged(ZoneEvent, "reader-2", event="arrived", epc=epc(base + 4), location="backroom")),
        ("cam-a3", t.forged(ShelfCounts, "cam-a3", slots=[slot("A2-B1-S3-04", 0)])),
        ("scale-9", t.forged(ScaleWeight, "scale-9", grams=0.0, stable=True, slot="A3-B1-S2-02", gtin=FLOUR)),
        ("pos-1", t.forged(PosReceipt, "cam-a2", lane="lane-1", receipt_id=f"G-{r}", lines=line, total_cents=849)),
        ("reader-door", t.forged(GatePassage, "reader-1", gate="gate-exit", direction="out", epc=epc(base),
                                 gtin=NUTELLA)),
        ("reader-2", t.forged(ZoneEvent, "reader-2", event="arrived", epc=epc(base + 5), location="dock",
                              time=now() + timedelta(days=1))),
    ]
    hub_refused = [(user, m.topic(STORE), m) for user, m in to_hub]
    # the payload names another device than its topic's id (the contract's own check, at the hub's door)
    impostor = t.forged(ZoneEvent, "reader-2", event="arrived", epc=epc(base + 6), location="dock")
    hub_refused.append(("reader-1", f"{D}/rfid/reader-1/events", impostor))
    return valid, to_broker, hub_refused


def stored_ids(db_path: Path) -> set[str]:
    with sqlite3.connect(db_path) as db:
        return {row[0] for row in db.execute("SELECT msg_id FROM messages")}


def dead_letters(db_path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db_path) as db:
        return db.execute("SELECT topic, reason FROM dead_letters ORDER BY id").fetchall()


def until(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def test_forged_identities_are_refused_by_the_broker_or_the_hub(shop: Shop) -> None:
    rounds = 3 * hostile_scale()
    traffic = Traffic()
    clients = {user: Client(user, password, shop.broker.plain) for user, password in shop.broker.passwords.items()
               if user != "hub"}
    valid: list[Message] = []
    broker_refused: list[Message] = []
    hub_refused: list[Message] = []
    try:
        assert all(c.connected.wait(10) for c in clients.values()), shop.broker.log
        for r in range(rounds):
            ok, to_broker, to_hub = round_of(traffic, r)
            for user, topic, message in to_broker:
                code = clients[user].publish(topic, encode(message))
                assert code == 135, f"the broker let {user} write {topic} (reason code {code})"
                broker_refused.append(message)
            for user, topic, message in to_hub:
                code = clients[user].publish(topic, encode(message))
                assert code < 128, f"the broker refused {user} on {topic}: the ACL is wrong, not the hub"
                hub_refused.append(message)
            for user, message in ok:
                assert clients[user].publish(message.topic(STORE), encode(message)) < 128
                valid.append(message)
        # a last valid message from every device: each publisher's earlier messages have reached the hub by then
        markers = [(user, traffic.valid(DeviceStatus, user, state="online", kind="test", software="hostile"))
                   for user in clients]
        for user, message in markers:
            assert clients[user].publish(message.topic(STORE), encode(message)) < 128
        db = shop.hub.db_path
        until(lambda: {m.msg_id for m in valid} | {m.msg_id for _, m in markers} <= stored_ids(db), 60,
              "every valid message stored")
        until(lambda: len(dead_letters(db)) >= len(hub_refused), 30, "a dead letter for each hub refusal")
    finally:
        for c in clients.values():
            c.close()

    stored = stored_ids(db)
    letters = dead_letters(db)
    lost = len([m for m in valid if m.msg_id not in stored])
    assert lost == 0
    assert not {m.msg_id for m in broker_refused} & stored, "a message the broker refused reached the hub"
    assert len(letters) == len(hub_refused), letters  # and not one of the broker's refusals among them
    rules = ("belongs to reader", "belongs to camera", "belongs to scale", "belongs to till", "ahead of the hub",
             "does not match the payload")
    assert all(any(rule in reason for rule in rules) for _, reason in letters), letters
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT camera FROM slot_counts WHERE slot = 'A2-B1-S3-04'").fetchone() == ("cam-a2",)
        assert conn.execute("SELECT COUNT(*) FROM receipts WHERE receipt_id NOT LIKE 'R-%'").fetchone() == (0,)
        states = dict(conn.execute("SELECT epc, state FROM items"))
    assert "left" not in states.values(), "a forged gate passage moved an item out"
    assert shop.hub.proc is not None and shop.hub.proc.poll() is None
    assert shop.broker.proc is not None and shop.broker.proc.poll() is None
    assert httpx.get(f"{shop.hub.url}/api/health", timeout=10).status_code == 200
    tried = len(valid) + len(broker_refused) + len(hub_refused)
    print(f"HOSTILE part=identity tried={tried} rejected={len(broker_refused) + len(hub_refused)} "
          f"accepted={len(valid)} alive=yes lost={lost} broker_refused={len(broker_refused)} "
          f"hub_refused={len(hub_refused)} rounds={rounds}")
