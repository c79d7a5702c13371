"""An allocation's labels: the ZPL of its tags that no reader has written yet."""

from __future__ import annotations

from hub.tags import zpl
from hub.tags.serials import Allocation


def label_bytes(allocation: Allocation) -> bytes:
    """ZPL for every tag of ``allocation`` not yet written (the printer encodes them), UTF-8."""
    return zpl.labels(zpl.LabelData(t.epc, allocation.gtin, t.serial, allocation.product)
                      for t in allocation.tags if t.state != "written").encode()
