"""Samples the hub against the world's truth and turns the samples into the score.

Measurement rules (docs/operations.md repeats them for testers):

* ``inventory_accuracy``: over every sample, the share of SKUs whose ``on_hand``
  in ``/api/inventory`` equals the units really in the shop and not yet paid,
  as they were at some moment from ``latency_s`` (60 simulated seconds)
  before the hub was read until the world's side was taken: a delivery
  reaches the dock, a receipt is paid, and the hub learns of it one reader
  round and one till batch later; and the shop goes on while the API answers.
* ``untagged_inventory_accuracy``: the same for the products no sensor sees,
  whose ``on_hand`` is the hub's book stock (simulators/score/untagged.py);
  None when the world has none.
* ``osa_precision`` / ``osa_recall``: at each sample, an open
  ``shelf_empty_backroom_stock`` alert is right when its SKU's shelf was empty
  with backroom stock at some moment of the last ``grace_s``; a truly empty
  shelf counts as missed only once it has been empty ``grace_s`` (the alert's
  own time budget). Only SKUs whose every slot a camera or scale watches are
  scored: the hub cannot see the others' shelves.
* ``osa_median_minutes``: per empty-shelf episode that got an alert, simulated
  minutes from the shelf emptying to the alert being raised.
* ``loss_recall``: thefts (unpaid items that left) with an ``unpaid_item_exit``
  alert for their EPC; ``loss_false_per_1000``: alerts for items that did not
  leave unpaid, per 1,000 paid items that left.
* ``fill_rate``: share of (sample, SKU) pairs whose shelf held units, reported
  only when the run included a delivery (None otherwise).
* ``messages_lost``: the hub's ``lost`` (sequence gaps) plus ``dropped``
  (outbox overflow) summed over every device.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from simulators.score.hub_client import HubClient
from simulators.score.truth import Truth
from simulators.score.untagged import UntaggedAccuracy

SCORE_KEYS = (
    "inventory_accuracy",
    "untagged_inventory_accuracy",
    "osa_precision",
    "osa_recall",
    "osa_median_minutes",
    "loss_recall",
    "loss_false_per_1000",
    "fill_rate",
    "messages_lost",
)

#: the issue's targets: (key, comparison, bound)
TARGETS: dict[str, tuple[str, float]] = {
    "inventory_accuracy": (">=", 0.98),
    "untagged_inventory_accuracy": (">=", 0.95),
    "osa_precision": (">=", 0.95),
    "osa_recall": (">=", 0.95),
    "osa_median_minutes": ("<=", 2.0),
    "loss_recall": (">=", 0.90),
    "loss_false_per_1000": ("<=", 1.0),
    "messages_lost": ("<=", 0),
}

OSA_KIND = "shelf_empty_backroom_stock"
LOSS_KIND = "unpaid_item_exit"


def meets_targets(score: dict[str, Any]) -> dict[str, bool]:
    """Per target key: met or not (a figure with nothing to measure, None, is not a failure)."""
    verdict = {}
    for key, (op, bound) in TARGETS.items():
        value = score.get(key)
        verdict[key] = value is None or (value >= bound if op == ">=" else value <= bound)
    return verdict


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass
class Scorer:
    """Feed it :meth:`sample` every simulated 10 minutes and :meth:`finish` once."""

    truth: Truth
    hub: HubClient
    grace_s: float = 120.0
    latency_s: float = 60.0
    untagged: UntaggedAccuracy | None = None
    samples: int = 0
    _inv_right: int = 0
    _inv_total: int = 0
    _osa_alerts: int = 0
    _osa_false: int = 0
    _osa_hits: int = 0
    _osa_misses: int = 0
    _shelf_stocked: int = 0
    _shelf_total: int = 0
    wrong_skus: list[dict[str, Any]] = field(default_factory=list)
    false_osa: list[dict[str, Any]] = field(default_factory=list)

    def fetch(self) -> dict[str, Any]:
        """The hub's side of a sample (HTTP: run it in a thread); then :meth:`take_truth`, then :meth:`compare`."""
        return {
            "inventory": {row["gtin"]: row for row in self.hub.get_all("/api/inventory")},
            "alerts": self.hub.get_all(f"/api/alerts?state=open&kind={OSA_KIND}"),
        }

    def take_truth(self, since: datetime | None = None) -> dict[str, Any]:
        """The world's side of a sample, taken in the world's own task (a consistent instant).

        ``since``: the world's time when the hub's side was fetched. The world goes on while the HTTP requests
        run, so the hub may already know of a change made after ``since``: on-hand counts are right when they
        equal the truth at some moment from ``latency_s`` before ``since`` until now.
        """
        now = self.truth.world.now
        osa = self.truth.osa_gtins
        window = self.latency_s + max(0.0, (now - since).total_seconds()) if since is not None else self.latency_s
        return {
            "now": now,
            "since": since,
            "on_hand": self.truth.on_hand(),
            "on_hand_recent": self.truth.on_hand_within(now, window),
            "empty_long": self.truth.empty_since(now, self.grace_s) & osa,
            "empty_recent": self.truth.empty_within(now, self.grace_s) & osa,
            "shelf": {g: self.truth.shelf_units(g) for g in osa},
        }

    def compare(self, truth: dict[str, Any], hub: dict[str, Any] | None = None) -> None:
        """The hub's side of the sample (``hub`` from :meth:`fetch`, else fetched now), compared with ``truth``."""
        hub = hub if hub is not None else self.fetch()
        inventory, alerts = hub["inventory"], hub["alerts"]
        self.samples += 1
        for gtin, units in truth["on_hand"].items():
            row = inventory.get(gtin)
            self._inv_total += 1
            if row is not None and row["on_hand"] in truth["on_hand_recent"].get(gtin, {units}):
                self._inv_right += 1
            elif len(self.wrong_skus) < 50:
                self.wrong_skus.append({"time": truth["now"].isoformat(), "gtin": gtin, "truth": units,
                                        "hub": None if row is None else row["on_hand"]})
        if self.untagged is not None:
            self.untagged.sample(inventory, truth["now"], truth.get("since"))
        open_gtins = {a["gtin"] for a in alerts if a["gtin"] in self.truth.osa_gtins}
        self._osa_alerts += len(open_gtins)
        self._osa_false += len(open_gtins - truth["empty_recent"])
        self.false_osa.extend({"time": truth["now"].isoformat(), "gtin": g, "shelf": truth["shelf"].get(g)}
                              for g in sorted(open_gtins - truth["empty_recent"]))
        self._osa_hits += len(truth["empty_long"] & open_gtins)
        self._osa_misses += len(truth["empty_long"] - open_gtins)
        self._shelf_total += len(truth["shelf"])
        self._shelf_stocked += sum(1 for units in truth["shelf"].values() if units > 0)

    def finish(self, end: datetime) -> dict[str, Any]:
        """The score, from the samples and the hub's whole alert history."""
        alerts = self.hub.get_all("/api/alerts?state=all")
        devices = self.hub.get_all("/api/devices")
        osa_raised: dict[str, list[datetime]] = {}
        loss_epcs: set[str] = set()
        for alert in alerts:
            if alert["kind"] == OSA_KIND and alert["gtin"] and alert["raised_at"]:
                osa_raised.setdefault(alert["gtin"], []).append(_when(alert["raised_at"]))  # type: ignore[arg-type]
            elif alert["kind"] == LOSS_KIND and alert["epc"]:
                loss_epcs.add(alert["epc"].upper())
        delays = []
        slack = timedelta(seconds=60)
        for episode in self.truth.episodes:
            if episode.gtin not in self.truth.osa_gtins:
                continue
            until = (episode.end or end) + slack
            raised = [t for t in osa_raised.get(episode.gtin, []) if episode.start - slack <= t <= until]
            if raised:
                delays.append(max(0.0, (min(raised) - episode.start).total_seconds()) / 60.0)
        settled = end - timedelta(seconds=self.grace_s)
        thefts = {e.epc for e in self.truth.exits if e.stolen and e.time <= settled}
        legit = sum(1 for e in self.truth.exits if not e.stolen)
        stolen_ever = {e.epc for e in self.truth.exits if e.stolen}
        false_loss = len(loss_epcs - stolen_ever)
        self.false_loss_alerts = [
            {k: a[k] for k in ("epc", "raised_at", "resolved_at", "state")} for a in alerts
            if a["kind"] == LOSS_KIND and a["epc"] and a["epc"].upper() not in stolen_ever
        ][:20]
        self.missed_thefts = sorted(thefts - loss_epcs)[:20]

        def ratio(a: int, b: int) -> float | None:
            return round(a / b, 4) if b else None

        return {
            "inventory_accuracy": ratio(self._inv_right, self._inv_total),
            "untagged_inventory_accuracy": self.untagged.accuracy() if self.untagged is not None else None,
            "osa_precision": ratio(self._osa_alerts - self._osa_false, self._osa_alerts),
            "osa_recall": ratio(self._osa_hits, self._osa_hits + self._osa_misses),
            "osa_median_minutes": round(statistics.median(delays), 2) if delays else None,
            "loss_recall": ratio(len(thefts & loss_epcs), len(thefts)),
            "loss_false_per_1000": round(1000 * false_loss / legit, 2) if legit else None,
            "fill_rate": ratio(self._shelf_stocked, self._shelf_total) if self.truth.deliveries else None,
            "messages_lost": sum(int(d["lost"]) + int(d["dropped"]) for d in devices),
        }

    def details(self) -> dict[str, Any]:
        """What the figures were made of, for the report file."""
        return {
            "samples": self.samples,
            "skus_compared": self._inv_total,
            "untagged_compared": self.untagged.total if self.untagged is not None else 0,
            "first_wrong_untagged": self.untagged.wrong[:10] if self.untagged is not None else [],
            "osa_skus_watched": len(self.truth.osa_gtins),
            "osa_alerts_sampled": self._osa_alerts,
            "osa_false": self._osa_false,
            "osa_hits": self._osa_hits,
            "osa_misses": self._osa_misses,
            "empty_shelf_episodes": sum(1 for e in self.truth.episodes if e.gtin in self.truth.osa_gtins),
            "thefts": sum(1 for e in self.truth.exits if e.stolen),
            "paid_exits": sum(1 for e in self.truth.exits if not e.stolen),
            "deliveries": self.truth.deliveries,
            "first_wrong_skus": self.wrong_skus[:10],
            "missed_thefts": getattr(self, "missed_thefts", []),
            "false_loss_alerts": getattr(self, "false_loss_alerts", []),
            "false_osa": self.false_osa[:20],
        }
