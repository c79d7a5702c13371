"""Reading alerts from the database: the API's filtered list and the dashboard's inbox (who resolved, which
product, the message in the reader's language)."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from hub.alerts import _COLUMNS, KIND_RANK, SAFETY_RANK, SEVERITY_RANK, Alert, alert_view


def alert_list(db: sqlite_utils.Database, state: str | None, kind: str | None, limit: int,
               offset: int, severity: str | None = None) -> list[dict[str, Any]]:
    """Alerts in ``state`` (None: any) of ``kind`` and ``severity`` (None: any), the latest change first."""
    where, args = [], []
    if severity:
        where.append("severity = ?")
        args.append(severity)
    if state is not None:
        where.append("state = ?")
        args.append(state)
    if kind:
        where.append("kind = ?")
        args.append(kind)
    sql = ("SELECT * FROM alerts" + (" WHERE " + " AND ".join(where) if where else "")
           + " ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?")
    return [alert_view(Alert(**r)) for r in db.query(sql, [*args, limit, offset])]


def _case(column: str, ranks: dict[str, int], other: int) -> str:
    whens = " ".join(f"WHEN '{name}' THEN {rank}" for name, rank in ranks.items())  # our constants, not input
    return f"CASE {column} {whens} ELSE {other} END"


#: :func:`hub.alerts.work_order` in SQL: a page of the work list is cut by the database, not after reading it all.
WORK_ORDER = (f"{_case('a.kind', KIND_RANK, SAFETY_RANK)}, {_case('a.severity', SEVERITY_RANK, 3)}, "
              "a.raised_at, a.id")
LATEST_RESOLVED = "a.resolved_at DESC, a.id DESC"


def inbox(db: sqlite_utils.Database, where: str, args: list[Any], limit: int, lang: str = "en",
          order: str = "a.raised_at DESC, a.id DESC", offset: int = 0) -> list[dict[str, Any]]:
    """Alerts matching ``where`` (over ``alerts a``) in ``order`` (newest first unless told), with who resolved
    them, the product's name and the alert's message in ``lang`` (the reader's language: the stored ``text`` stays
    English for the API)."""
    columns = ", ".join(f"a.{c}" for c in _COLUMNS)
    rows = db.execute(
        f"SELECT {columns}, r.resolved_by, p.name FROM alerts a LEFT JOIN alert_resolutions r ON r.alert = a.id "
        f"LEFT JOIN products p ON p.gtin = a.gtin WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
        [*args, limit, offset],
    ).fetchall()
    out = []
    for row in rows:
        alert = Alert(**dict(zip(_COLUMNS, row[:len(_COLUMNS)], strict=True)))
        out.append({**alert_view(alert), "resolved_by": row[-2], "product": row[-1],
                    "message": alert.message(lang), "params": json.loads(alert.params or "{}")})
    return out
