"""Public kiosk endpoints of the assistant: ``POST /api/kiosk/ask`` and ``GET /api/kiosk/recommendations``.

They follow the rules of the kiosk's product search (hub/api/inventory/kiosk.py): public, rate-limited with the same
limiter, product-level data only (no tags, devices or staff data). A kiosk
names itself with the ``X-Kiosk-Id`` header; that id is all a staff alert says.
"""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from pydantic import BaseModel, Field

from hub.assistant import phrasing
from hub.assistant.assistant import Assistant, Reply
from hub.http.deps import Hub, HubState, kiosk_limit
from hub.http.errors import RATE_LIMITED, ErrorOut
from hub.http.params import GTIN_PATTERN, parse_gtin
from hub.inventory.facts import ProductFacts, StockReader
from hub.privacy.deps import Tokens
from hub.privacy.retention import purge_expired
from hub.timeutil import iso, ts

log = logging.getLogger("hub.assistant.api")
router = APIRouter(prefix="/api/kiosk", tags=["kiosk (public)"], dependencies=[kiosk_limit],
                   responses=RATE_LIMITED)
_KIOSK_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
RETENTION_EVERY_S = 3600.0
#: Products embedded at most per request, so a big catalog import never stalls ingest (the event loop) for long;
#: `comptoir ask --build-index` embeds them all at once.
EMBED_PER_REQUEST = 16


class AskIn(BaseModel):
    text: str = Field(max_length=20_000, description="the customer's question, as typed")
    lang: Literal["fr", "en"] | None = Field(None, description="answer in this language; detected when absent")
    page_lang: Literal["fr", "en"] | None = Field(
        None, description="the language the kiosk page shows now: used only when the question itself shows none "
                          "(\"pesto\", \"robot?\")")
    session: str | None = Field(None, max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
                                description="random id the kiosk page keeps for one conversation (memory only)")


class ProductOut(BaseModel):
    gtin: str
    name: str
    brand: str
    aisle: str
    shelf: str
    price: float = Field(description="euros, from the catalog")
    on_shelf: int | None = Field(description="units on the sales floor; null when no sensor has reported")
    updated_at: str | None = Field(description="when on_shelf was counted (ISO 8601 UTC)")
    labels: list[str] = Field(default_factory=list,
                              description="properties the catalog states for this product (organic, gluten_free, ...)")


class AskOut(BaseModel):
    answer: str
    lang: Literal["fr", "en"]
    intent: str
    products: list[ProductOut]
    handoff: bool = Field(description="the answer offers a person (or one was called)")
    headline: str = Field("", description="what to say above the product cards (the answer without per-product lines)")
    attribute: str | None = Field(None, description="the property asked about (gluten_free, allergen:nuts, ...)")
    confirmed: list[str] = Field(default_factory=list,
                                 description="GTINs presented as having `attribute`: only those the catalog states")
    also_in: Literal["fr", "en"] | None = Field(
        None, description="the answer says it again in this language (a disclosure whose language is unclear)")


class SuggestionOut(ProductOut):
    kind: Literal["together", "buy_again", "popular"]
    reason: str


class RecommendationsOut(BaseModel):
    gtin: str | None
    personalised: bool = Field(description="the customer's purchases were used (consent given)")
    items: list[SuggestionOut]


def product_out(f: ProductFacts) -> ProductOut:
    return ProductOut(gtin=f.gtin, name=f.name, brand=f.brand, aisle=f.aisle, shelf=f.shelf, price=f.price_eur,
                      on_shelf=f.on_shelf, updated_at=iso(f.updated_at), labels=list(f.labels))


def _call_staff(hub: HubState, kiosk: str) -> bool:
    try:
        now = ts(hub.clock.now())
        with hub.db.conn:
            hub.ingest.alerts.kiosk_help(kiosk, now)
        hub.ingest.publish_pending()
        return True
    except Exception:
        log.exception("could not raise the kiosk help alert", extra={"kiosk": kiosk})
        return False


def build_assistant(hub: HubState) -> Assistant:
    stock = StockReader(hub.db, hub.ingest.fusion)
    assistant = Assistant(hub.db, stock, hub.config.kiosk, clock_now=hub.clock.now,
                          call_staff=lambda kiosk: _call_staff(hub, kiosk))
    assistant.embed_budget = EMBED_PER_REQUEST
    return assistant


async def get_assistant(request: Request, hub: Hub) -> Assistant:
    assistant = getattr(request.app.state, "kiosk_assistant", None)
    if assistant is None:
        assistant = request.app.state.kiosk_assistant = build_assistant(hub)
    _retention(request, hub)
    return assistant


def _retention(request: Request, hub: HubState) -> None:
    """The retention job as a safety net: at most once an hour, on a kiosk request."""
    now = ts(hub.clock.now())
    last = getattr(request.app.state, "kiosk_retention_at", None)
    if last is not None and now - last < RETENTION_EVERY_S:
        return
    request.app.state.kiosk_retention_at = now
    settings = hub.config.kiosk
    purge_expired(hub.db, now, settings.log_retention_days, settings.loyalty_retention_days)


AssistantDep = Annotated[Assistant, Depends(get_assistant)]


def kiosk_id(x_kiosk_id: Annotated[str | None, Header(pattern=_KIOSK_ID.pattern,
                                                     description="the kiosk's name, in staff alerts")] = None) -> str:
    if x_kiosk_id is None:
        return "kiosk"
    if not _KIOSK_ID.match(x_kiosk_id):
        raise HTTPException(422, "X-Kiosk-Id: 1 to 32 letters, digits, '.', '_' or '-'")
    return x_kiosk_id


def reply_out(reply: Reply) -> AskOut:
    return AskOut(answer=reply.answer, lang=reply.lang, intent=reply.intent,
                  products=[product_out(p) for p in reply.products], handoff=reply.handoff, headline=reply.headline,
                  attribute=reply.attribute, confirmed=reply.confirmed, also_in=reply.also_in)


@router.post("/ask", response_model=AskOut)
async def ask(body: AskIn, assistant: AssistantDep, kiosk: Annotated[str, Depends(kiosk_id)]) -> AskOut:
    """Answer a customer's question from the hub's data (see docs/kiosk.md for what it can and cannot do)."""
    return reply_out(assistant.ask(body.text, lang=body.lang, session=body.session, kiosk=kiosk,
                                   page_lang=body.page_lang))


@router.get("/recommendations", response_model=RecommendationsOut,
            responses={404: {"model": ErrorOut, "description": "no product with that GTIN"}})
async def recommendations(
    request: Request, hub: Hub, assistant: AssistantDep, tokens: Tokens,
    gtin: Annotated[str | None, Query(pattern=GTIN_PATTERN, description="the product the customer looks at")] = None,
    x_customer_token: Annotated[str | None, Header(
        max_length=100, description="from POST /api/privacy/customers/{id}/kiosk-token (staff, at the till)")] = None,
    lang: Literal["fr", "en"] = "fr",
    limit: Annotated[int, Query(ge=1, le=10)] = 5,
) -> RecommendationsOut:
    """Products on the shelf now that go with ``gtin``; "buy again" for a customer whose card staff scanned (their
    token). The kiosk never names a card: an unknown or expired token gets the same answer as none."""
    if "customer" in request.query_params:
        raise HTTPException(422, "customer: no longer accepted; staff scan the card for a token (X-Customer-Token)")
    product = parse_gtin(gtin) if gtin else None
    customer = tokens.customer(x_customer_token)
    now = ts(hub.clock.now())
    suggestions, personalised = assistant.recommender.for_product(product, now, customer=customer, k=limit)
    names: dict[str, Any] = {}
    if product:
        facts = assistant.stock.facts([product], now)
        if product not in facts:
            raise HTTPException(404, f"no product with GTIN {gtin}")
        names[product] = phrasing.label(facts[product])
    items = []
    for s in suggestions:
        if s.kind == "together":
            reason = phrasing.message("together", lang, name=names.get(product or "", ""))
        else:
            reason = phrasing.message(s.kind, lang)
        items.append(SuggestionOut(**product_out(s.facts).model_dump(), kind=s.kind, reason=reason))  # type: ignore[arg-type]
    return RecommendationsOut(gtin=product, personalised=personalised, items=items)

