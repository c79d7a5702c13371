"""The words of the inventory: what state a tagged item is in, what kind a zone is, how much each source is trusted.

The rules that use them are in docs/fusion.md ("Item states", "Confidence").
"""

from __future__ import annotations

from enum import StrEnum


class ItemState(StrEnum):
    """Where a tagged item is, as far as the hub knows. A ``str``: the ``items.state`` column stores the value."""

    BACKROOM = "backroom"
    FLOOR = "floor"
    SOLD = "sold"  # paid and gone, or paid at the till
    LEFT = "left"  # went out without being paid for
    UNKNOWN = "unknown"  # no reader claims it, and nothing says it left


#: Every state, in the order the API lists them.
ITEM_STATES: tuple[ItemState, ...] = tuple(ItemState)

#: The item state a zone of each kind implies (docs/fusion.md); a zone of no known kind leaves it unknown.
ZONE_STATE: dict[str, ItemState] = {
    "backroom": ItemState.BACKROOM, "dock": ItemState.BACKROOM, "floor": ItemState.FLOOR, "exit": ItemState.FLOOR,
}

#: A zone's kind guessed from its name when the reference data does not give it.
_PREFIX_KIND = (("backroom", "backroom"), ("dock", "dock"), ("floor", "floor"), ("exit", "exit"), ("gate", "exit"))

#: Base confidence of each source before ageing (docs/fusion.md, "Confidence").
SOURCE_CONFIDENCE = {"rfid": 0.95, "camera": 0.8, "scale": 0.9, "book": 0.85}


def zone_kind_from_name(alias: str) -> str | None:
    """``backroom-2`` is a backroom, ``gate-1`` an exit: the kind a zone's name says, or None."""
    lower = alias.lower()
    for prefix, kind in _PREFIX_KIND:
        if lower.startswith(prefix):
            return kind
    return None
