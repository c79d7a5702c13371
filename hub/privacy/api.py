"""Staff endpoints for customers' rights: consent, linking receipts, export (art. 15, 20), erasure (art. 17).

All need a signed-in staff member; each request is recorded without the
customer's id (kind, time, staff member, rows). Kiosk usage statistics
(counts per intent, no text) are here too.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel, Field

from hub.api.deps import Hub, Staff
from hub.privacy import consent, customers
from hub.privacy.retention import purge_expired
from hub.timeutil import iso, ts

router = APIRouter(prefix="/api/privacy", tags=["privacy (staff)"])
CustomerId = Annotated[str, Path(pattern=consent.CUSTOMER_ID.pattern, description="the loyalty card id")]


class ConsentIn(BaseModel):
    purpose: str = Field(consent.PERSONALISATION, description="what the consent is for")
    given: bool = Field(description="true: consent given; false: withdrawn")


class ConsentOut(BaseModel):
    customer_id: str
    purpose: str
    given: bool
    history: list[dict[str, Any]]


class ReceiptLink(BaseModel):
    lane: str = Field(min_length=1, max_length=64)
    receipt_id: str = Field(min_length=1, max_length=128)


class ErasureOut(BaseModel):
    customer_id: str
    rows_deleted: int


def _consent_out(hub: Hub, customer_id: str, purpose: str) -> ConsentOut:
    entries = consent.history(hub.db, customer_id)
    return ConsentOut(customer_id=customer_id, purpose=purpose, given=consent.has_consent(hub.db, customer_id, purpose),
                      history=[{"purpose": e.purpose, "action": e.action, "time": iso(e.time),
                                "recorded_by": e.recorded_by} for e in entries])


@router.post("/customers/{customer_id}/consent", response_model=ConsentOut)
async def record_consent(customer_id: CustomerId, body: ConsentIn, hub: Hub, staff: Staff) -> ConsentOut:
    """Record consent given or withdrawn (a withdrawal stops personalised suggestions at once)."""
    try:
        consent.record(hub.db, customer_id, body.purpose, body.given, ts(hub.clock.now()), staff.username)
    except consent.ConsentError as exc:
        raise HTTPException(422, str(exc)) from None
    return _consent_out(hub, customer_id, body.purpose)


@router.get("/customers/{customer_id}/consent", response_model=ConsentOut)
async def read_consent(customer_id: CustomerId, hub: Hub, staff: Staff) -> ConsentOut:
    return _consent_out(hub, customer_id, consent.PERSONALISATION)


@router.post("/customers/{customer_id}/receipts", status_code=201)
async def link_receipt(customer_id: CustomerId, body: ReceiptLink, hub: Hub, staff: Staff) -> dict[str, str]:
    """Attach a receipt to a loyalty card (the card was shown at the till)."""
    if not customers.link_receipt(hub.db, customer_id, body.lane, body.receipt_id, ts(hub.clock.now())):
        raise HTTPException(404, f"no receipt {body.receipt_id} on lane {body.lane}")
    return {"customer_id": customer_id, "lane": body.lane, "receipt_id": body.receipt_id}


@router.get("/customers/{customer_id}/export")
async def export(customer_id: CustomerId, hub: Hub, staff: Staff) -> dict[str, Any]:
    """Everything held about the customer, as JSON they can take elsewhere."""
    data = customers.export(hub.db, customer_id)
    customers.note_export(hub.db, ts(hub.clock.now()), staff.username, len(data["receipts"]) + len(data["consents"]))
    return data


@router.delete("/customers/{customer_id}", response_model=ErasureOut)
async def erase(customer_id: CustomerId, hub: Hub, staff: Staff) -> ErasureOut:
    """Delete every row naming the customer (receipt links, consent ledger)."""
    return ErasureOut(customer_id=customer_id,
                      rows_deleted=customers.erase(hub.db, customer_id, ts(hub.clock.now()), staff.username))


@router.get("/kiosk-usage")
async def kiosk_usage(hub: Hub, staff: Staff, days: Annotated[int, Query(ge=1, le=400)] = 30) -> list[dict[str, Any]]:
    """Questions per day, intent and language: the only trace the kiosk keeps by default."""
    rows = hub.db.execute("SELECT day, intent, lang, count FROM kiosk_intent_counts ORDER BY day DESC, intent "
                          "LIMIT ?", [days * 40])
    return [{"day": d, "intent": i, "lang": lang, "count": c} for d, i, lang, c in rows]


@router.post("/purge-expired")
async def purge(hub: Hub, staff: Staff) -> dict[str, int]:
    """Run the retention job now."""
    settings = hub.config.kiosk
    done = purge_expired(hub.db, ts(hub.clock.now()), settings.log_retention_days, settings.loyalty_retention_days)
    return {"conversations": done.conversations, "loyalty_links": done.loyalty_links, "intent_days": done.intent_days}
