"""The till: the world's completed sales published as contract ``PosReceipt`` messages, as a POS integration would."""

from simulators.pos.till import Till

__all__ = ["Till"]
