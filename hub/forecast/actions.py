"""What the reorder API and the reorder page both do to the hub: run now, decide on a suggestion, add or remove
a promotion. They raise the domain's errors (:class:`RunInProgress`, ``OrderError``, ``PromotionError``,
:class:`UnknownProduct`); the routes say them in HTTP (responses.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from hub.forecast import orders, promotions
from hub.forecast.policy import ReorderPolicy
from hub.forecast.runs import REORDER_RUNS, RunSummary
from hub.forecast.schemas import PromotionIn
from hub.timeutil import ts

if TYPE_CHECKING:
    from hub.http.deps import HubState


class UnknownProduct(LookupError):
    """A GTIN that is not in the catalog."""


def policy_of(hub: HubState) -> ReorderPolicy:
    return getattr(hub.config, "reorder", None) or ReorderPolicy()


def today_of(hub: HubState) -> date:
    """Today in the store's time zone, by the hub's clock."""
    return datetime.fromtimestamp(ts(hub.clock.now()), getattr(hub.config, "zone", UTC)).date()


async def run_now(hub: HubState, user: str | None) -> RunSummary:
    """Forecast and suggest now; one run at a time (:class:`RunInProgress` otherwise)."""
    now = ts(hub.clock.now())
    fusion = hub.ingest.fusion
    return await REORDER_RUNS.run(hub.db, now, policy_of(hub), lambda g: fusion.sku(g, now).on_hand,
                                  getattr(hub.config, "zone", UTC), user)


def require_product(hub: HubState, gtin: str, said: str) -> None:
    if gtin not in hub.ingest.fusion.products:
        raise UnknownProduct(f"no product with GTIN {said} in the catalog")


def add_promotion(hub: HubState, username: str, gtin: str, body: PromotionIn) -> dict[str, Any]:
    """``gtin`` is ``body.gtin`` as a GTIN-14."""
    require_product(hub, gtin, body.gtin)
    return promotions.add(hub.db, gtin, body.first_day, body.last_day, body.note.strip(), username,
                          ts(hub.clock.now()))


def decide(hub: HubState, username: str, suggestion_id: int, action: str, quantity: int | None,
           note: str | None) -> dict[str, Any]:
    return orders.decide(hub.db, suggestion_id, action, username, ts(hub.clock.now()), quantity, note)


def remove_promotion(hub: HubState, promotion_id: int) -> None:
    promotions.remove(hub.db, promotion_id)
