"""The customer tokens as a FastAPI dependency: issued and revoked by the privacy API, read by the kiosk's
recommendations. Apart from the router, so the kiosk slice depends on the tokens and not on privacy's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from hub.privacy.tokens import CustomerTokens


def customer_tokens(request: Request) -> CustomerTokens:
    """The hub's customer tokens (memory only), made on first use."""
    tokens = getattr(request.app.state, "customer_tokens", None)
    if tokens is None:
        minutes = request.app.state.hub.config.api.kiosk_token_minutes
        tokens = request.app.state.customer_tokens = CustomerTokens(minutes * 60)
    return tokens


Tokens = Annotated[CustomerTokens, Depends(customer_tokens)]
