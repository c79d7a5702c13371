"""EPCIS 2.0 JSON-LD: each tag movement as an ObjectEvent, a list of them as an EPCISDocument or a query's answer.

Times are UTC (``eventTimeZoneOffset`` ``+00:00``); ``recordTime`` is when the
hub wrote the movement. ``eventID`` is a name-based UUID of the store and the
movement's row, so the same movement exported twice has the same id and a
partner can drop the repeat.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from hub.epcis.identifiers import epc_uri, sgln
from hub.epcis.query import Movement
from hub.epcis.settings import EpcisSettings
from hub.epcis.vocabulary import words

CONTEXT = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"
SCHEMA_VERSION = "2.0"
_IDS = uuid.UUID("5c1e7a53-0b7e-4d55-9a43-0f7c2e0c9d23")  # namespace of Comptoir's event ids


class NotConfigured(RuntimeError):
    """EPCIS needs the shop's GLN (``epcis.gln`` in the hub config)."""


def _time(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def object_event(m: Movement, settings: EpcisSettings, store: str) -> dict[str, Any]:
    """One movement as an ObjectEvent."""
    gln = settings.gln
    if gln is None:
        raise NotConfigured("set epcis.gln (the shop's GLN) in the hub config to export EPCIS events")
    w = words(m.kind, m.zone_kind)
    where = sgln(gln, settings.company_prefix_digits, m.zone)
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": _time(m.time),
        "recordTime": _time(m.recorded),
        "eventTimeZoneOffset": "+00:00",
        "eventID": f"urn:uuid:{uuid.uuid5(_IDS, f'{store}/{gln}/{m.id}')}",
        "epcList": [epc_uri(m.epc, m.gtin, m.serial)],
        "action": w.action,
        "bizStep": w.biz_step,
        "disposition": w.disposition,
        "readPoint": {"id": where},
    }
    if w.at_shop:
        event["bizLocation"] = {"id": sgln(gln, settings.company_prefix_digits)}
    return event


def epcis_document(movements: Iterable[Movement], settings: EpcisSettings, store: str, now: float,
                   ) -> dict[str, Any]:
    """An EPCISDocument of the movements, as a file a partner imports."""
    return {
        "@context": [CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": SCHEMA_VERSION,
        "creationDate": _time(now),
        "epcisBody": {"eventList": [object_event(m, settings, store) for m in movements]},
    }


def query_document(movements: Iterable[Movement], settings: EpcisSettings, store: str, now: float,
                   ) -> dict[str, Any]:
    """The answer to an events query (EPCIS 2.0 REST binding: an EPCISQueryDocument)."""
    return {
        "@context": [CONTEXT],
        "type": "EPCISQueryDocument",
        "schemaVersion": SCHEMA_VERSION,
        "creationDate": _time(now),
        "epcisBody": {"queryResults": {
            "queryName": "SimpleEventQuery",
            "resultsBody": {"eventList": [object_event(m, settings, store) for m in movements]},
        }},
    }
