"""The store world: one deterministic, seeded model of the shop that every simulator reads.

API (the truth for the camera, scale and POS simulators that build on it)::

    from simulators.world import World, WorldParams, load_catalog

    world = World(seed=7, params=WorldParams(products=60))   # products=None: the whole catalog
    world.advance(600)                      # run ten simulated minutes (or world.advance_to(dt))
    await world.run(clock)                  # or follow an injectable comptoir.clock.Clock

* ``world.products`` / ``load_catalog()``: :class:`Product` rows of ``data/catalog.csv``
  (columns ``gtin,name,brand,category,price_eur,unit_weight_g,aisle,shelf,pack_size,supplier,
  lead_time_days``; GTIN-13; ``product.gtin14``, ``product.package`` (box/bottle/can/bag/jar)
  and ``product.colour`` (RGB) are derived in code).
* ``world.planogram``: ``.bays`` (``bay.camera`` watches ``bay.slots``), ``.slots[slot_id]``
  (``A2-B1-S3-04``: gtin (GTIN-14), capacity, camera, zone, x/y, scale or None),
  ``.slots_of(gtin14)``, ``.cameras``, ``.scales``.
* ``world.zones`` (:data:`layout.ZONES`): ``backroom``, ``dock``, ``floor-a1``..``floor-a6``,
  ``checkout``, ``exit`` (the gate), with neighbours and metre coordinates;
  :func:`layout.default_antennas` places the simulated reader's antennas.
* ``world.items[epc]``: :class:`Item` with an SGTIN-96 ``epc`` (hex), ``product``, ``serial``
  and ``where`` (:class:`Where`: status on_shelf/backroom/dock/carried/sold/stolen, zone,
  slot, carrier, x, y), ``paid``.
* ground truth: ``world.where(epc)``, ``world.ground_truth()``, ``world.items_in_zone(zone)``,
  ``world.slot_items(slot_id)``, ``world.facings(slot_id)``, ``world.units_on_scale(scale_id)``.
* ``world.subscribe(fn)``: ``fn(Change)`` for every change (picked, moved, placed, paid, left,
  delivered, stored, stocked); returns an unsubscribe function.
* ``world.spawn(generator, delay_s)``: add a mover (a generator yielding seconds to wait).
  Built-in movers: shoppers (pick, carry, pay or rarely not, leave through the gate), staff
  restocking shelves from the backroom, deliveries at the dock put away later.
* ``WorldParams(untagged_products=12)``: that many catalog products set apart as untagged
  (``world.untagged``, :class:`UntaggedStock`: their units, and ``subscribe(fn)`` for every
  :class:`StockEvent`: sold, damaged, stolen, ordered, delivered, count); none by default.
"""

from simulators.world.catalog import COLUMNS, CatalogError, Product, load_catalog
from simulators.world.items import Item, Status, Where, sgtin96
from simulators.world.layout import ZONES, Antenna, Zone, default_antennas
from simulators.world.planogram import Bay, Planogram, Slot
from simulators.world.untagged import StockEvent, UntaggedParams, UntaggedStock
from simulators.world.world import Change, World, WorldParams

__all__ = [
    "COLUMNS",
    "ZONES",
    "Antenna",
    "Bay",
    "CatalogError",
    "Change",
    "Item",
    "Planogram",
    "Product",
    "Slot",
    "Status",
    "StockEvent",
    "UntaggedParams",
    "UntaggedStock",
    "Where",
    "World",
    "WorldParams",
    "Zone",
    "default_antennas",
    "load_catalog",
    "sgtin96",
]
