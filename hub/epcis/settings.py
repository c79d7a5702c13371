"""``epcis:`` in the hub config: who the shop is in GS1 terms."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from comptoir.contract.fields import gtin_check_digit


class EpcisSettings(BaseModel):
    """The shop's GLN makes its locations: ``urn:epc:id:sgln:<company prefix>.<location reference>.<zone>``."""

    model_config = ConfigDict(extra="forbid")

    gln: str | None = Field(
        None, description="the shop's GLN (13 digits, check digit included); unset: the EPCIS export and the "
        "/epcis API answer that it is not configured")
    company_prefix_digits: int = Field(
        7, ge=6, le=12, description="digits of the GLN that are the GS1 company prefix (from the shop's GS1 "
        "member organisation): the SGLN URN splits the GLN there")
    max_events: int = Field(10_000, ge=1, le=100_000, description="most events in one export or one query page")

    @field_validator("gln")
    @classmethod
    def _gln(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if len(value) != 13 or not value.isdigit():
            raise ValueError(f"a GLN is 13 digits, got {value!r}")
        if int(value[-1]) != gtin_check_digit(value[:-1]):
            raise ValueError(f"GLN {value} has a wrong check digit (expected {gtin_check_digit(value[:-1])})")
        return value
