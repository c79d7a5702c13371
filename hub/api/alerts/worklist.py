"""The alerts as a work list: what to do first, where, about what, and the next step, in the reader's language.

An inbox row (``queries.inbox``) becomes an item a person on the shop floor
can act on: a short title that names the product (never a tag code), the
place (kiosk, exit, aisle and slot, device), the next step in one line, the
absolute time of day in the shop's time zone (Babel) and the age by the
hub's clock, so a tablet whose clock is wrong still reads the right age.
Repeats (same kind, same place) can be folded into one item with a count.
Titles never state a figure that moves (on hand, units to bring): the
detail line, the alert's full message, carries it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from functools import lru_cache
from typing import Any

from babel.dates import format_skeleton

from hub.alerts import SAID_KINDS, work_order
from hub.i18n import translate
from hub.i18n.catalog import locale
from hub.i18n.formats import time_of_day


@dataclass(frozen=True)
class Reader:
    """Who reads, and when: the language, the shop's time zone, the hub's clock (Unix seconds)."""

    lang: str
    zone: tzinfo
    now: float


def seconds(moment: str) -> float:
    """Unix seconds of an ISO time as the API writes it (``...Z``)."""
    return datetime.fromisoformat(moment).timestamp()


def fold(text: str) -> str:
    """Lower case without accents, so that "cafe" finds "Café"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def device_kind(kind: str | None, lang: str) -> str:
    if kind in SAID_KINDS:
        return translate(f"alerts.device_kind.{kind}", lang)
    return kind or translate("alert.some_device", lang)


def moment(seconds: float, reader: Reader) -> str:
    """``14h05`` today, ``28 nov. 14h05`` another day, in the shop's zone."""
    said = _time_of_day(int(seconds // 60), reader.zone, reader.lang)
    day = datetime.fromtimestamp(seconds, UTC).astimezone(reader.zone).date()
    if day == datetime.fromtimestamp(reader.now, UTC).astimezone(reader.zone).date():
        return said
    return translate("alerts.day_time", reader.lang, day=_day(day, reader.lang), time=said)


@lru_cache(maxsize=4096)
def _time_of_day(minute: int, zone: tzinfo, lang: str) -> str:
    """Babel parses the pattern at each call (0.1 ms); a list's alerts share their minutes."""
    return time_of_day(minute * 60, zone, lang)


@lru_cache(maxsize=1024)
def _day(day: date, lang: str) -> str:
    """``28 nov.``: Babel matches the skeleton to the locale's patterns, slowly (ms); a list has few days."""
    return format_skeleton("dMMM", day, locale=locale(lang))


def _params(alert: dict[str, Any]) -> dict[str, Any]:
    return alert.get("params") or {}


def place(alert: dict[str, Any], device_kinds: dict[str, str | None], lang: str) -> str | None:
    kind, slot, device = alert["kind"], alert["slot"], alert["device"]
    if kind == "kiosk_help":
        return translate("alerts.place.kiosk", lang, kiosk=device)
    if kind == "unpaid_item_exit":
        zone = _params(alert).get("zone")
        return translate("alerts.place.zone", lang, zone=zone) if zone else translate("alerts.place.gate", lang)
    if slot:
        return translate("alerts.place.slot", lang, aisle=slot.split("-")[0], slot=slot)
    if device:
        return translate("alerts.place.device", lang, kind=device_kind(device_kinds.get(device), lang), device=device)
    return None


def title(alert: dict[str, Any], lang: str) -> str:
    kind = alert["kind"]
    name = alert.get("product") or alert.get("gtin") or translate("alert.item_no_gtin", lang)
    if kind == "unpaid_item_exit" and _params(alert).get("zone"):
        kind = "unpaid_item_exit_zone"
    if kind not in _TITLED:
        return alert["message"]
    return translate(f"alerts.title.{kind}", lang, name=name, kiosk=alert["device"], device=alert["device"],
                     slot=alert["slot"])


_TITLED = frozenset({"kiosk_help", "unpaid_item_exit", "unpaid_item_exit_zone", "out_of_stock",
                     "shelf_empty_backroom_stock", "below_reorder_point", "device_offline", "device_silent",
                     "messages_lost", "expiring_soon", "use_by_passed", "fefo_order"})


def next_step(alert: dict[str, Any], lang: str) -> str | None:
    if alert["kind"] not in _TITLED:
        return None
    return translate(f"alerts.next.{alert['kind']}", lang, kiosk=alert["device"], slot=alert["slot"] or "—",
                     quantity=alert["quantity"] if alert["quantity"] is not None else "—")


def with_times(item: dict[str, Any], reader: Reader) -> dict[str, Any]:
    """The item's times of day (Babel, a tenth of a millisecond each: only for the items a page shows)."""
    for name in ("raised", "acknowledged", "resolved"):
        at = item[f"{name}_at"]
        item[f"{name}_time"] = moment(seconds(at), reader) if at else None
    return item


def work_item(alert: dict[str, Any], device_kinds: dict[str, str | None], reader: Reader,
              times: bool = True) -> dict[str, Any]:
    """An inbox row with what the work list shows (``title``, ``place``, ``next_step``, times, link to the map);
    ``times=False`` leaves the times of day out (:func:`with_times` adds them), for a list read to be searched."""
    raised = seconds(alert["raised_at"])
    where = place(alert, device_kinds, reader.lang)
    item = {
        **{k: v for k, v in alert.items() if k != "params"},
        "title": title(alert, reader.lang),
        "place": where,
        "next_step": next_step(alert, reader.lang),
        "kind_label": translate(f"alerts.kind.{alert['kind']}", reader.lang) if alert["kind"] in _TITLED
        else alert["kind"],
        "age_s": round(max(0.0, reader.now - raised), 1),
        "map_href": f"/map#slot={alert['slot']}" if alert["slot"] else None,
        "group": f"{alert['kind']}|{where or ''}",
        "rank": work_order(alert["kind"], alert["severity"], raised)[0],
        "repeats": 1,
        "repeat_ids": [alert["id"]],
    }
    return with_times(item, reader) if times else item


def matches(item: dict[str, Any], query: str) -> bool:
    """Search over what the reader sees and the codes staff may type (tag, GTIN, slot, device)."""
    words = fold(query).split()
    seen = fold(" ".join(str(item.get(k) or "") for k in ("title", "place", "message", "product", "epc", "gtin",
                                                            "slot", "device", "kind_label")))
    return all(w in seen for w in words)


def grouped(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Repeats (same kind and place) folded into their first item in order, counted, their ids kept."""
    first: dict[str, dict[str, Any]] = {}
    out = []
    for item in items:
        head = first.get(item["group"])
        if head is None:
            head = first[item["group"]] = {**item, "repeat_ids": [item["id"]]}
            out.append(head)
        else:
            head["repeats"] += 1
            head["repeat_ids"].append(item["id"])
    return out
