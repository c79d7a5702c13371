"""Which CBV words say each tag movement: the event's action, business step and disposition.

The bare CBV words (``retail_selling``), which EPCIS 2.0 JSON-LD allows for the
standard vocabulary (its context maps them to ``https://ref.gs1.org/cbv/BizStep-...``).
A zone movement's words follow the zone's kind. The table is docs/integrations.md's.
"""

from __future__ import annotations

from typing import NamedTuple

from hub.inventory.tag_history import TagMove


class CbvWords(NamedTuple):
    action: str
    biz_step: str
    disposition: str
    at_shop: bool  # the item is in the shop after it: the event has a bizLocation


#: zone kind -> words of a movement into a zone of that kind (an unknown kind: ``other``)
ZONE_WORDS: dict[str | None, CbvWords] = {
    "backroom": CbvWords("OBSERVE", "storing", "sellable_not_accessible", True),
    "dock": CbvWords("OBSERVE", "storing", "sellable_not_accessible", True),
    "floor": CbvWords("OBSERVE", "stocking", "sellable_accessible", True),
    "exit": CbvWords("OBSERVE", "entering_exiting", "sellable_accessible", True),
    None: CbvWords("OBSERVE", "other", "sellable_accessible", True),
}

MOVE_WORDS: dict[TagMove, CbvWords] = {
    TagMove.COMMISSIONED: CbvWords("ADD", "commissioning", "active", True),
    TagMove.RECEIVED: CbvWords("OBSERVE", "receiving", "in_progress", True),
    TagMove.SOLD: CbvWords("OBSERVE", "retail_selling", "retail_sold", False),
    TagMove.LEFT: CbvWords("OBSERVE", "entering_exiting", "stolen", False),  # out without paying: CBV's nearest
    TagMove.RETURNED: CbvWords("OBSERVE", "accepting", "returned", True),
}


def words(kind: TagMove, zone_kind: str | None) -> CbvWords:
    if kind is TagMove.ZONE:
        return ZONE_WORDS.get(zone_kind, ZONE_WORDS[None])
    return MOVE_WORDS[kind]


#: CBV 2.0's business steps, the words GS1's EPCIS 2.0 JSON Schema lists for ``bizStep``
BIZ_STEPS = (
    "accepting", "arriving", "assembling", "collecting", "commissioning", "consigning", "creating_class_instance",
    "cycle_counting", "decommissioning", "departing", "destroying", "disassembling", "dispensing", "encoding",
    "entering_exiting", "holding", "inspecting", "installing", "killing", "loading", "other", "packing", "picking",
    "receiving", "removing", "repackaging", "repairing", "replacing", "reserving", "retail_selling", "sampling",
    "sensor_reporting", "shipping", "staging_outbound", "stock_taking", "stocking", "storing", "transporting",
    "unloading", "unpacking", "void_shipping",
)
#: a CBV business step as a URI: its URN (EPCIS 1.x) or GS1's web URI (EPCIS 2.0)
BIZ_STEP_PREFIXES = ("urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-")


def cbv_biz_step(value: str) -> str | None:
    """The CBV word a business step names (a bare word or one of CBV's URIs), None for a URI of another
    vocabulary. The word is not checked: a URI in CBV's namespace may name a step CBV lacks."""
    for prefix in BIZ_STEP_PREFIXES:
        if value.startswith(prefix):
            return value.removeprefix(prefix)
    return None if ":" in value else value


def moves_for_biz_step(biz_step: str) -> list[tuple[TagMove, tuple[str | None, ...] | None]]:
    """The movements an ``EQ_bizStep`` value selects: (kind, its zone kinds or None for any)."""
    step = cbv_biz_step(biz_step)
    found: list[tuple[TagMove, tuple[str | None, ...] | None]] = [
        (kind, None) for kind, w in MOVE_WORDS.items() if w.biz_step == step]
    zone_kinds = tuple(k for k, w in ZONE_WORDS.items() if w.biz_step == step)
    if zone_kinds:
        found.append((TagMove.ZONE, zone_kinds))
    return found
