"""The paho client of a link, built from the broker settings (credentials, TLS, backoff, window)."""

from __future__ import annotations

import ssl

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from comptoir.link.settings import BrokerSettings


def paho_client(broker: BrokerSettings, client_id: str, persistent_session: bool, window: int) -> paho.Client:
    """An unconnected MQTT 3.1.1 client with manual acknowledgement (a message is acknowledged once handled).

    paho queues nothing of its own (``max_queued_messages_set(0)``): what waits
    for the broker waits in the link's outbox, on disk; at most ``window``
    messages are in flight.
    """
    client = paho.Client(
        CallbackAPIVersion.VERSION2,
        client_id=client_id,
        clean_session=not persistent_session,
        protocol=paho.MQTTv311,
        manual_ack=True,
    )
    client.max_inflight_messages_set(window)
    client.max_queued_messages_set(0)
    client.reconnect_delay_set(broker.reconnect_min_s, broker.reconnect_max_s)
    if broker.username:
        password = broker.password.get_secret_value() if broker.password else None
        client.username_pw_set(broker.username, password)
    if broker.tls:
        client.tls_set(
            ca_certs=str(broker.ca_file) if broker.ca_file else None,
            certfile=str(broker.cert_file) if broker.cert_file else None,
            keyfile=str(broker.key_file) if broker.key_file else None,
            cert_reqs=ssl.CERT_REQUIRED,
        )
        client.tls_insecure_set(broker.tls_insecure)
    return client
