"""Field types shared by the payload models.

Each type carries its own check, so a wrong value is rejected at the edge of
the system with an error that names the field.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from comptoir.contract.topics import TopicError, check_id

#: The largest integer SQLite stores; every count and sequence fits in it.
MAX_INT = 2**63 - 1


def _id(value: str) -> str:
    try:
        return check_id(value)
    except TopicError as exc:
        raise ValueError(str(exc)) from None


def gtin_check_digit(body: str) -> int:
    """GS1 check digit for the digits of a GTIN without its last digit."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return (10 - total % 10) % 10


def gtin14(code: str) -> str:
    """Return a GTIN-8/12/13/14 as its 14-digit form, checking the check digit.

    The contract always carries GTIN-14 so that an EPC's GTIN and a catalog's
    GTIN-13 compare as equal strings.
    """
    if not isinstance(code, str) or not code.isdigit() or len(code) not in (8, 12, 13, 14):
        raise ValueError(f"GTIN {code!r} must be 8, 12, 13 or 14 digits")
    expected = gtin_check_digit(code[:-1])
    if int(code[-1]) != expected:
        raise ValueError(f"GTIN {code!r} has check digit {code[-1]}, expected {expected}")
    return code.zfill(14)


@lru_cache(maxsize=65_536)
def _gtin14_seen(code: str) -> str:
    """gtin14 remembered: a shop has a few thousand GTINs, and a batch of events repeats them."""
    return gtin14(code)


DeviceId = Annotated[str, AfterValidator(_id)]
Gtin = Annotated[str, AfterValidator(_gtin14_seen)]
EpcHex = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9A-Fa-f]{4,124}$"),
    AfterValidator(str.upper),
    Field(description="EPC memory bank contents as upper-case hex, e.g. an SGTIN-96 is 24 hex digits"),
]
MessageId = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9-]{8,64}$"),
    Field(description="unique id of this message; the hub stores each id once"),
]
Count = Annotated[int, Field(ge=0, le=MAX_INT)]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
Cents = Annotated[int, Field(ge=-MAX_INT, le=MAX_INT, description="an amount in cents of the currency")]
Label = Annotated[str, StringConstraints(min_length=1, max_length=200)]
