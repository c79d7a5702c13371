"""Bodies and answers of the tags API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hub.http.params import GTIN_PATTERN, whole_number

Scheme = Literal["sgtin-96", "sgtin-198"]


class AllocationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    gtin: str = Field(pattern=GTIN_PATTERN, description="a product of the catalog")
    count: whole_number(1, 10_000) = Field(description="how many serials")  # type: ignore[valid-type]
    scheme: Scheme = "sgtin-96"
    serial_start: whole_number(0, 10**18 - 1) | None = Field(  # type: ignore[valid-type]
        None, description="first serial (an SGTIN-96 carries 0 to 2^38-1); null: after every serial this GTIN has had")
    company_prefix_length: whole_number(6, 12) = 7  # type: ignore[valid-type]


class TagOut(BaseModel):
    epc: str
    serial: int
    state: Literal["allocated", "written", "not_written", "sent_to_printer"]
    tag: str | None = Field(description="the EPC the tag carried before it was written")
    reason: str | None = Field(description="why it was not written")


class AllocationOut(BaseModel):
    id: int
    gtin: str
    product: str
    scheme: str
    company_prefix_length: int
    first_serial: int
    last_serial: int
    count: int
    created: str
    created_by: str | None
    states: dict[str, int]
    tags: list[TagOut] | None = Field(None, description="every EPC (only when one allocation is asked for)")


class WriteResultIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    epc: str = Field(pattern=r"^[0-9A-Fa-f]{4,124}$")
    written: bool
    tag: str | None = Field(None, max_length=124)
    reason: str | None = Field(None, max_length=300)


class WriteResultsIn(BaseModel):
    """What `comptoir tags write --results FILE` saved, up to 200 tags a request (the body stays under the hub's
    size limit; `comptoir tags record` takes a file of any length)."""

    model_config = ConfigDict(extra="forbid")
    results: list[WriteResultIn] = Field(min_length=1, max_length=200)


class RecordedOut(BaseModel):
    written: int
    not_written: int


class PrintIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    host: str = Field(min_length=1, max_length=253, pattern=r"^[A-Za-z0-9.:_-]+$")
    port: whole_number(1, 65535) = 9100  # type: ignore[valid-type]


class PrintedOut(BaseModel):
    bytes: int
    labels: int


class EncodedOut(BaseModel):
    epc: str
    tag_uri: str
