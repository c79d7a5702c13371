"""Tagged items: one SGTIN-96 EPC per unit, and where that unit really is."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from epcpy.epc_schemes import SGTIN
from epcpy.epc_schemes.sgtin import SGTINFilterValue

from simulators.world.catalog import Product

#: GS1 company prefixes in the demo catalog are 7 digits
COMPANY_PREFIX_LENGTH = 7


class Status(StrEnum):
    ON_SHELF = "on_shelf"
    BACKROOM = "backroom"
    DOCK = "dock"
    CARRIED = "carried"  # by a shopper or a member of staff
    SOLD = "sold"  # left the shop, paid
    STOLEN = "stolen"  # left the shop, not paid

    @property
    def in_shop(self) -> bool:
        return self not in (Status.SOLD, Status.STOLEN)


def sgtin96(gtin14: str, serial: int) -> str:
    """The SGTIN-96 EPC (upper-case hex) of unit ``serial`` of ``gtin14``, as a retail item tag is encoded."""
    sgtin = SGTIN.from_gtin_plus_serial(gtin14, str(serial), company_prefix_length=COMPANY_PREFIX_LENGTH)
    return sgtin.hex(
        binary_coding_scheme=SGTIN.BinaryCodingScheme.SGTIN_96, filter_value=SGTINFilterValue.POS_ITEM
    ).upper()


@dataclass(frozen=True, slots=True)
class Where:
    """An item's true location at one moment."""

    status: Status
    zone: str | None  # None once it has left the shop
    slot: str | None = None
    carrier: str | None = None  # shopper or staff id while carried
    x: float = 0.0
    y: float = 0.0


@dataclass(slots=True)
class Item:
    epc: str
    product: Product
    serial: int
    where: Where
    paid: bool = False

    @property
    def gtin(self) -> str:
        return self.product.gtin14
