"""Hub payloads: alerts the hub raises, updates and resolves, for any consumer."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from comptoir.contract.envelope import Message
from comptoir.contract.fields import Count, DeviceId, EpcHex, Gtin, Label

AlertKind = Literal[
    "shelf_empty_backroom_stock",
    "out_of_stock",
    "below_reorder_point",
    "unpaid_item_exit",
    "device_offline",
    "device_silent",
    "messages_lost",
    "kiosk_help",  # a customer asked for a person at a kiosk (the kiosk's id, never who)
    "expiring_soon",  # a dated lot reaches its date soon (issue 21)
    "use_by_passed",  # a use-by lot past its date still has units in the shop (safety)
    "fefo_order",  # an older lot left behind while a newer one sells
]


class HubAlert(Message):
    """One change of one alert: raised, updated, acknowledged by staff, or resolved.

    Alerts are worded about items, shelves and devices, never about people.
    ``alert_id`` is stable over an alert's life, so a consumer keeps the
    latest state per id.
    """

    SCHEMA: ClassVar[str] = "comptoir.hub.alert"
    FAMILY: ClassVar[str] = "hub"
    CHANNEL: ClassVar[str] = "alerts"

    schema_name: Literal["comptoir.hub.alert"] = Field("comptoir.hub.alert", alias="schema")
    version: Literal[1] = 1
    alert_id: Label
    kind: AlertKind
    state: Literal["raised", "updated", "acknowledged", "resolved"]
    severity: Literal["info", "warning", "critical"]
    text: Label = Field(description="what staff read, e.g. 'Shelf A2-B1-S3-04 is empty: bring 6 from the backroom'")
    gtin: Gtin | None = None
    epc: EpcHex | None = None
    slot: Label | None = None
    subject_device: DeviceId | None = Field(None, description="the device an alert is about (offline, lost messages)")
    quantity: Count | None = Field(None, description="units involved: to bring, on hand, or messages lost")
    raised_at: AwareDatetime = Field(description="when the condition began, by the hub's clock")
