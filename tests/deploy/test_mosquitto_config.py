"""deploy/mosquitto with real mosquitto: passwords, the ACL (each device writes only its own topics) and TLS.

The shipped mosquitto.conf is started as written, with only its paths and
ports moved into the test's folder; accounts, ACL lines and certificates
come from ``comptoir provision``.
"""

from __future__ import annotations

import os
import pwd
import ssl
import subprocess
import threading
from pathlib import Path

import paho.mqtt.client as paho
import pytest
from click.testing import CliRunner

from comptoir.cli import main
from comptoir.mosquitto import free_port, mosquitto_binary, wait_for_port
from comptoir.provision import set_password

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "mosquitto"
pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def broker(tmp_path: Path):  # type: ignore[no-untyped-def]
    binary = mosquitto_binary()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("CI must test the deploy config against mosquitto, and no mosquitto binary was found")
        pytest.skip("mosquitto is not installed")
    runner = CliRunner()
    certs = tmp_path / "certs"
    ok = runner.invoke(main, ["provision", "ca", str(certs), "--hub-name", "127.0.0.1", "--hub-name", "localhost"])
    assert ok.exit_code == 0, ok.output
    acl = tmp_path / "comptoir.acl"
    acl.write_text((DEPLOY / "comptoir.acl").read_text())
    passwd = tmp_path / "comptoir.passwd"
    set_password(passwd, "hub", "hub-password")
    bundles = {}
    for args in (["reader-1"], ["edge-2", "--reader", "reader-2", "--gate", "gate-exit", "--camera", "cam-a1-b1"]):
        out = tmp_path / args[0]
        done = runner.invoke(main, ["provision", "device", *args, "--store", "demo", "--passwd", str(passwd),
                                    "--acl", str(acl), "--ca-dir", str(certs), "--out", str(out)])
        assert done.exit_code == 0, done.output
        bundles[args[0]] = out
    plain, tls = free_port(), free_port()
    conf = (DEPLOY / "mosquitto.conf").read_text()
    conf = (conf.replace("listener 1883 127.0.0.1", f"listener {plain} 127.0.0.1")
            .replace("listener 8883", f"listener {tls} 127.0.0.1")
            .replace("/etc/mosquitto/certs/hub.pem", str(certs / "hub.pem"))
            .replace("/etc/mosquitto/certs/hub.key", str(certs / "hub.key"))
            .replace("/etc/mosquitto/certs/ca.pem", str(certs / "ca.pem"))
            .replace("/etc/mosquitto/comptoir.passwd", str(passwd))
            .replace("/etc/mosquitto/comptoir.acl", str(acl))
            .replace("/var/lib/mosquitto/", f"{tmp_path}/"))
    settings = [line for line in conf.splitlines() if line.strip() and not line.startswith("#")]
    assert not [line for line in settings if "/etc/" in line or "/var/" in line]  # every path was moved
    path = tmp_path / "mosquitto.conf"
    path.write_text(f"user {pwd.getpwuid(os.getuid()).pw_name}\nlog_dest stderr\n" + conf)
    log = open(tmp_path / "mosquitto.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen([binary, "-c", str(path)], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port("127.0.0.1", plain)
        wait_for_port("127.0.0.1", tls)
        yield {"plain": plain, "tls": tls, "certs": certs, "bundles": bundles}
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


def _password(bundle: Path) -> str:
    return (bundle / "comptoir.env").read_text().strip().split("=", 1)[1]


class Client:
    """A paho client that records what happens, each thing waited for with a timeout."""

    def __init__(self, user: str, password: str, port: int, *, ca: Path | None = None,
                 cert: tuple[Path, Path] | None = None) -> None:
        self.client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"test-{user}-{port}",
                                  protocol=paho.MQTTv5)
        self.client.username_pw_set(user, password)
        if ca is not None:
            self.client.tls_set(ca_certs=str(ca), certfile=str(cert[0]) if cert else None,
                                keyfile=str(cert[1]) if cert else None, cert_reqs=ssl.CERT_REQUIRED)
        self.connected = threading.Event()
        self.refused = threading.Event()
        self.subscribed = threading.Event()
        self.got: list[str] = []
        self.arrived = threading.Condition()
        self.acks: dict[int, int] = {}
        self.acked = threading.Condition()
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *a: self.subscribed.set()
        self.client.on_publish = self._on_publish
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()

    def _on_connect(self, client, userdata, flags, reason, props) -> None:  # type: ignore[no-untyped-def]
        (self.refused if reason.is_failure else self.connected).set()

    def _on_message(self, client, userdata, msg) -> None:  # type: ignore[no-untyped-def]
        with self.arrived:
            self.got.append(msg.topic)
            self.arrived.notify_all()

    def _on_publish(self, client, userdata, mid, reason, props) -> None:  # type: ignore[no-untyped-def]
        with self.acked:
            self.acks[mid] = reason.value
            self.acked.notify_all()

    def publish(self, topic: str) -> int:
        """Publish at QoS 1 and return the broker's PUBACK reason code (0 accepted, 135 not authorised)."""
        info = self.client.publish(topic, b"{}", qos=1)
        with self.acked:
            assert self.acked.wait_for(lambda: info.mid in self.acks, timeout=10), f"no PUBACK for {topic}"
            return self.acks[info.mid]

    def wait_for(self, topic: str) -> None:
        with self.arrived:
            assert self.arrived.wait_for(lambda: topic in self.got, timeout=10), f"{topic} never arrived: {self.got}"

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def test_wrong_password_is_refused(broker) -> None:  # type: ignore[no-untyped-def]
    bad = Client("reader-1", "not-the-password", broker["plain"])
    good = Client("reader-1", _password(broker["bundles"]["reader-1"]), broker["plain"])
    try:
        assert bad.refused.wait(10) and not bad.connected.is_set()
        assert good.connected.wait(10)
    finally:
        bad.close()
        good.close()


def test_a_device_writes_only_its_own_topics(broker) -> None:  # type: ignore[no-untyped-def]
    hub = Client("hub", "hub-password", broker["plain"])
    reader = Client("reader-1", _password(broker["bundles"]["reader-1"]), broker["plain"])
    box = Client("edge-2", _password(broker["bundles"]["edge-2"]), broker["plain"])
    try:
        assert hub.connected.wait(10) and reader.connected.wait(10) and box.connected.wait(10)
        hub.client.subscribe("comptoir/v1/demo/#", qos=1)
        assert hub.subscribed.wait(10)
        # a single-device user, by the %u patterns
        assert reader.publish("comptoir/v1/demo/rfid/reader-2/events") == 135  # another reader's topic
        assert reader.publish("comptoir/v1/demo/gate/gate-exit/passages") == 135  # a gate it does not own
        assert reader.publish("comptoir/v1/demo/device/hub/status") == 135
        assert reader.publish("comptoir/v1/demo/rfid/reader-1/events") == 0
        # a box of several devices, by its provisioned lines
        assert box.publish("comptoir/v1/demo/vision/cam-a2-b1/shelf") == 135
        assert box.publish("comptoir/v1/demo/rfid/reader-1/events") == 135
        assert box.publish("comptoir/v1/demo/gate/gate-exit/passages") == 0
        assert box.publish("comptoir/v1/demo/vision/cam-a1-b1/shelf") == 0
        hub.wait_for("comptoir/v1/demo/vision/cam-a1-b1/shelf")  # the last accepted one: the others came before
        assert sorted(hub.got) == sorted([
            "comptoir/v1/demo/rfid/reader-1/events",
            "comptoir/v1/demo/gate/gate-exit/passages",
            "comptoir/v1/demo/vision/cam-a1-b1/shelf",
        ])
    finally:
        for c in (hub, reader, box):
            c.close()


def test_tls_with_the_provisioned_certificates(broker) -> None:  # type: ignore[no-untyped-def]
    bundle = broker["bundles"]["edge-2"]
    device = Client("edge-2", _password(bundle), broker["tls"], ca=bundle / "ca.pem")
    try:
        assert device.connected.wait(10), "TLS with the bundle's ca.pem failed"
        assert device.publish("comptoir/v1/demo/device/reader-2/status") < 128  # 16: accepted, nobody listens
    finally:
        device.close()
    # a client that does not trust the shop's CA cannot talk to the broker
    stranger = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="stranger", protocol=paho.MQTTv5)
    stranger.username_pw_set("edge-2", _password(bundle))
    stranger.tls_set(cert_reqs=ssl.CERT_REQUIRED)  # the system's CAs only
    with pytest.raises(ssl.SSLError):
        stranger.connect("127.0.0.1", broker["tls"])
