"""Staff endpoints for customers' rights: consent, linking receipts, export (art. 15, 20), erasure (art. 17).

All need a signed-in staff member, and export, erasure and the retention
run need a manager; each export or erasure is recorded without the
customer's id (kind, time, staff member, rows). Kiosk usage statistics
(counts per intent, no text) are here too, and the customer token a till
issues for the kiosk (tokens.py).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from hub.http.deps import Hub, Manager, Staff
from hub.http.errors import MANAGER_ONLY, ErrorOut
from hub.privacy import consent, customers
from hub.privacy.deps import Tokens
from hub.privacy.retention import purge_expired
from hub.timeutil import iso, ts

router = APIRouter(prefix="/api/privacy", tags=["privacy (staff)"])


CustomerId = Annotated[str, Path(pattern=consent.CUSTOMER_ID.pattern, description="the loyalty card id")]


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    purpose: Literal["personalised_recommendations"] = Field(consent.PERSONALISATION,
                                                            description="what the consent is for")
    given: bool = Field(description="true: consent given; false: withdrawn")


class ConsentOut(BaseModel):
    customer_id: str
    purpose: str
    given: bool
    history: list[dict[str, Any]]


class ReceiptLink(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    lane: str = Field(min_length=1, max_length=64)
    receipt_id: str = Field(min_length=1, max_length=128)


class KioskTokenOut(BaseModel):
    token: str = Field(description="send as the X-Customer-Token header of GET /api/kiosk/recommendations")
    expires_in_s: float


class ExportOut(BaseModel):
    customer_id: str
    consents: list[dict[str, Any]]
    receipts: list[dict[str, Any]]


class UsageOut(BaseModel):
    day: str
    intent: str
    lang: str
    count: int


class PurgeOut(BaseModel):
    conversations: int
    loyalty_links: int
    intent_days: int


class ErasureOut(BaseModel):
    customer_id: str
    rows_deleted: int


def _consent_out(hub: Hub, customer_id: str, purpose: str) -> ConsentOut:
    entries = consent.history(hub.db, customer_id)
    return ConsentOut(customer_id=customer_id, purpose=purpose, given=consent.has_consent(hub.db, customer_id, purpose),
                      history=[{"purpose": e.purpose, "action": e.action, "time": iso(e.time),
                                "recorded_by": e.recorded_by} for e in entries])


@router.post("/customers/{customer_id}/consent", response_model=ConsentOut)
async def record_consent(customer_id: CustomerId, body: ConsentIn, hub: Hub, staff: Staff,
                         tokens: Tokens) -> ConsentOut:
    """Record consent given or withdrawn (a withdrawal stops personalised suggestions and ends the card's kiosk
    tokens at once)."""
    try:
        consent.record(hub.db, customer_id, body.purpose, body.given, ts(hub.clock.now()), staff.username)
    except consent.ConsentError as exc:
        raise HTTPException(422, str(exc)) from None
    if not body.given:
        tokens.revoke(customer_id)
    return _consent_out(hub, customer_id, body.purpose)


@router.post("/customers/{customer_id}/kiosk-token", response_model=KioskTokenOut, status_code=201,
             responses={409: {"model": ErrorOut, "description": "the customer has not consented"}})
async def kiosk_token(customer_id: CustomerId, hub: Hub, staff: Staff, tokens: Tokens) -> KioskTokenOut:
    """The card was scanned at the till or by staff: a token that opens this customer's personalised suggestions
    at the kiosk for a few minutes (api.kiosk_token_minutes). Only for a customer who consented."""
    if not consent.has_consent(hub.db, customer_id, consent.PERSONALISATION):
        raise HTTPException(409, f"customer {customer_id} has not consented to personalised suggestions")
    return KioskTokenOut(token=tokens.issue(customer_id), expires_in_s=tokens.ttl_s)


@router.get("/customers/{customer_id}/consent", response_model=ConsentOut)
async def read_consent(customer_id: CustomerId, hub: Hub, staff: Staff) -> ConsentOut:
    return _consent_out(hub, customer_id, consent.PERSONALISATION)


@router.post("/customers/{customer_id}/receipts", status_code=201,
             responses={404: {"model": ErrorOut, "description": "no such receipt"}})
async def link_receipt(customer_id: CustomerId, body: ReceiptLink, hub: Hub, staff: Staff) -> dict[str, str]:
    """Attach a receipt to a loyalty card (the card was shown at the till)."""
    if not customers.link_receipt(hub.db, customer_id, body.lane, body.receipt_id, ts(hub.clock.now())):
        raise HTTPException(404, f"no receipt {body.receipt_id} on lane {body.lane}")
    return {"customer_id": customer_id, "lane": body.lane, "receipt_id": body.receipt_id}


@router.get("/customers/{customer_id}/export", response_model=ExportOut, responses=MANAGER_ONLY)
async def export(customer_id: CustomerId, hub: Hub, staff: Manager) -> dict[str, Any]:
    """Everything held about the customer, as JSON they can take elsewhere."""
    data = customers.export(hub.db, customer_id)
    customers.note_export(hub.db, ts(hub.clock.now()), staff.username, len(data["receipts"]) + len(data["consents"]))
    return data


@router.delete("/customers/{customer_id}", response_model=ErasureOut, responses=MANAGER_ONLY)
async def erase(customer_id: CustomerId, hub: Hub, staff: Manager, tokens: Tokens) -> ErasureOut:
    """Delete every row naming the customer (receipt links, consent ledger); the card's kiosk tokens end."""
    tokens.revoke(customer_id)
    return ErasureOut(customer_id=customer_id,
                      rows_deleted=customers.erase(hub.db, customer_id, ts(hub.clock.now()), staff.username))


@router.get("/kiosk-usage", response_model=list[UsageOut])
async def kiosk_usage(hub: Hub, staff: Staff, days: Annotated[int, Query(ge=1, le=400)] = 30) -> list[dict[str, Any]]:
    """Questions per day, intent and language: the only trace the kiosk keeps by default."""
    rows = hub.db.execute("SELECT day, intent, lang, count FROM kiosk_intent_counts ORDER BY day DESC, intent "
                          "LIMIT ?", [days * 40])
    return [{"day": d, "intent": i, "lang": lang, "count": c} for d, i, lang, c in rows]


@router.post("/purge-expired", response_model=PurgeOut, responses=MANAGER_ONLY)
async def purge(hub: Hub, staff: Manager) -> dict[str, int]:
    """Run the retention job now."""
    settings = hub.config.kiosk
    done = purge_expired(hub.db, ts(hub.clock.now()), settings.log_retention_days, settings.loyalty_retention_days)
    return {"conversations": done.conversations, "loyalty_links": done.loyalty_links, "intent_days": done.intent_days}
