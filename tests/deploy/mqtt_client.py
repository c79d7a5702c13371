"""An MQTT v5 client for the deploy and hostile tests: it reports the broker's PUBACK reason code per publish."""

from __future__ import annotations

import ssl
import threading
from pathlib import Path

import paho.mqtt.client as paho


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

    def publish(self, topic: str, payload: bytes = b"{}") -> int:
        """Publish at QoS 1 and return the broker's PUBACK reason code (0 accepted, 135 not authorised)."""
        info = self.client.publish(topic, payload, qos=1)
        with self.acked:
            assert self.acked.wait_for(lambda: info.mid in self.acks, timeout=10), f"no PUBACK for {topic}"
            return self.acks[info.mid]

    def wait_for_count(self, count: int) -> None:
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.got) >= count, timeout=10), f"only {self.got}"

    def wait_for(self, topic: str) -> None:
        with self.arrived:
            assert self.arrived.wait_for(lambda: topic in self.got, timeout=10), f"{topic} never arrived: {self.got}"

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()
