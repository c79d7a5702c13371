"""deploy/mosquitto with real mosquitto: passwords, the ACL (each device writes only its own topics) and TLS.

The shipped mosquitto.conf is started as written, with only its paths and
ports moved into the test's folder; accounts, ACL lines and certificates
come from ``comptoir provision`` (tests/deploy/shop_broker.py). Run as
root, as on a Debian hub, mosquitto drops to its own user before reading
them.
"""

from __future__ import annotations

import os
import pwd
import ssl
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as paho
import pytest

from comptoir.mosquitto import mosquitto_binary
from tests.deploy.mqtt_client import Client
from tests.deploy.shop_broker import DEPLOY, ShopBroker, remove, shop_broker

pytestmark = pytest.mark.timeout(60)
DEVICES = [["reader-1", "--role", "reader"],
           ["edge-2", "--reader", "reader-2", "--gate", "gate-exit", "--camera", "cam-a1-b1"],
           ["cam-a2", "--role", "camera"], ["scale-7", "--role", "scale"],
           ["pos-1", "--role", "till", "--lane", "lane-1"], ["reader-door", "--role", "gate", "--gate", "gate-door"]]


@pytest.fixture
def broker() -> Iterator[ShopBroker]:
    if mosquitto_binary() is None:
        if os.environ.get("CI"):
            pytest.fail("CI must test the deploy config against mosquitto, and no mosquitto binary was found")
        pytest.skip("mosquitto is not installed")
    shop = shop_broker("demo", DEVICES)
    try:
        shop.start()
        yield shop
    finally:
        remove(shop)


def test_wrong_password_is_refused(broker: ShopBroker) -> None:
    bad = Client("reader-1", "not-the-password", broker.plain)
    good = Client("reader-1", broker.passwords["reader-1"], broker.plain)
    try:
        assert bad.refused.wait(10) and not bad.connected.is_set()
        assert good.connected.wait(10)
    finally:
        bad.close()
        good.close()


def test_the_shipped_acl_lets_nobody_write_by_pattern() -> None:
    rules = [line for line in (DEPLOY / "comptoir.acl").read_text().splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    assert rules == []  # every user's lines come from comptoir provision, each topic named


def test_each_role_writes_only_its_own_topics_of_its_own_store(broker: ShopBroker) -> None:
    d = "comptoir/v1/demo"
    clients = {user: Client(user, broker.passwords[user], broker.plain) for user in
               ("hub", "reader-1", "edge-2", "cam-a2", "scale-7", "pos-1", "reader-door")}
    try:
        assert all(c.connected.wait(10) for c in clients.values())
        hub = clients["hub"]
        hub.client.subscribe("comptoir/v1/#", qos=1)
        assert hub.subscribed.wait(10)
        refused = {
            "reader-1": [f"{d}/rfid/reader-2/events", f"{d}/gate/gate-exit/passages", f"{d}/device/hub/status",
                         f"{d}/pos/reader-1/receipts", "comptoir/v1/other-shop/rfid/reader-1/events",
                         f"{d}/rfid/reader-1/anything"],
            "edge-2": [f"{d}/vision/cam-a2/shelf", f"{d}/rfid/reader-1/events", f"{d}/gate/gate-door/passages"],
            # the attack: a camera's password publishing a till's receipt
            "cam-a2": [f"{d}/pos/lane-1/receipts", f"{d}/pos/cam-a2/receipts", f"{d}/rfid/cam-a2/events",
                       f"{d}/vision/cam-a1-b1/shelf", "comptoir/v1/other-shop/vision/cam-a2/shelf"],
            "scale-7": [f"{d}/scale/scale-8/weight", f"{d}/vision/scale-7/shelf"],
            "pos-1": [f"{d}/pos/lane-2/receipts", f"{d}/rfid/pos-1/events", f"{d}/device/lane-1/status"],
            "reader-door": [f"{d}/gate/gate-exit/passages"],
            "hub": [f"{d}/pos/lane-1/receipts", "comptoir/v1/other-shop/hub/hub/alerts"],
        }
        accepted = {
            "reader-1": [f"{d}/rfid/reader-1/events", f"{d}/rfid/reader-1/event_batch", f"{d}/rfid/reader-1/snapshot",
                         f"{d}/device/reader-1/status"],
            "edge-2": [f"{d}/rfid/reader-2/event_batch", f"{d}/gate/gate-exit/passages", f"{d}/vision/cam-a1-b1/shelf",
                       f"{d}/device/cam-a1-b1/status"],
            "cam-a2": [f"{d}/vision/cam-a2/shelf"],
            "scale-7": [f"{d}/scale/scale-7/weight"],
            "pos-1": [f"{d}/pos/lane-1/receipts", f"{d}/device/pos-1/status"],
            "reader-door": [f"{d}/gate/gate-door/passages", f"{d}/rfid/reader-door/events"],
            "hub": [f"{d}/hub/hub/alerts", f"{d}/device/reader-1/config", f"{d}/device/hub/status"],
        }
        for user, topics in refused.items():
            for topic in topics:
                assert clients[user].publish(topic) == 135, f"{user} may write {topic}"
        expected = []
        for user, topics in accepted.items():
            for topic in topics:
                assert clients[user].publish(topic) < 128, f"{user} may not write {topic}"
                expected.append(topic)
        marker = f"{d}/device/reader-1/status"
        assert clients["reader-1"].publish(marker) < 128
        hub.wait_for_count(len(expected) + 1)
        assert sorted(hub.got) == sorted([*expected, marker])  # nothing refused reached the hub
    finally:
        for c in clients.values():
            c.close()


def test_tls_with_the_provisioned_certificates(broker: ShopBroker) -> None:
    bundle = broker.bundles["edge-2"]
    device = Client("edge-2", broker.passwords["edge-2"], broker.tls, ca=bundle / "ca.pem")
    try:
        assert device.connected.wait(10), "TLS with the bundle's ca.pem failed"
        assert device.publish("comptoir/v1/demo/device/reader-2/status") < 128  # 16: accepted, nobody listens
    finally:
        device.close()
    # a client that does not trust the shop's CA cannot talk to the broker
    stranger = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="stranger", protocol=paho.MQTTv5)
    stranger.username_pw_set("edge-2", broker.passwords["edge-2"])
    stranger.tls_set(cert_reqs=ssl.CERT_REQUIRED)  # the system's CAs only
    with pytest.raises(ssl.SSLError):
        stranger.connect("127.0.0.1", broker.tls)


@pytest.mark.skipif(os.getuid() != 0, reason="mosquitto drops privileges only when started as root")
def test_started_as_root_it_reads_the_provisioned_files_as_its_own_user(broker: ShopBroker) -> None:
    """Debian's mosquitto drops to 'mosquitto' before loading its key and password file (issue 16, part 6)."""
    assert broker.proc is not None
    status = Path(f"/proc/{broker.proc.pid}/status").read_text()
    uid = next(line.split()[1] for line in status.splitlines() if line.startswith("Uid:"))
    assert int(uid) == pwd.getpwnam("mosquitto").pw_uid, "the broker kept root"
    for name in ("hub.key", "../comptoir.passwd"):
        mode = (broker.certs / name).stat().st_mode & 0o777
        assert mode == 0o640, f"{name}: {oct(mode)}"
    assert (broker.certs / "ca.key").stat().st_mode & 0o077 == 0  # the CA's key is nobody else's
    device = Client("edge-2", broker.passwords["edge-2"], broker.tls, ca=broker.bundles["edge-2"] / "ca.pem")
    try:
        assert device.connected.wait(10), broker.log
    finally:
        device.close()
