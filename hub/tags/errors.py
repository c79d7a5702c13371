"""The one error of tag commissioning: what is wrong, and with which field."""

from __future__ import annotations


class TagError(ValueError):
    """Bad input for commissioning; ``field`` names it (``gtin``, ``count``, ``serial_start``, ``scheme``...)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
