"""The reference data and accounts that every hub test's ``HubProcess.prepare()`` writes in process, written
once through the real commands (``comptoir hub import-catalog``, ``import-planogram``, ``import-zones``,
``create-user`` as processes): the same database, so the in-process shortcut tests what the CLI does."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from hub import auth
from tests.hub.support import HubProcess

USERS = {"marie": "croissant-42", "leo": "baguette-77"}
# made at each run (a salted hash, the times of creation and of migration): compared apart
CHANGING = {("users", "password_hash"), ("users", "created"), ("schema_migrations", "applied")}


def contents(db_path: Path) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows, without the columns that differ from run to run."""
    with sqlite3.connect(db_path) as db:
        db.row_factory = sqlite3.Row
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: sorted(({k: row[k] for k in row.keys() if (t, k) not in CHANGING}  # noqa: SIM118 - sqlite3.Row
                           for row in db.execute(f'SELECT * FROM "{t}"')), key=repr) for t in tables}


def test_prepare_writes_what_the_cli_commands_write(tmp_path: Path) -> None:
    by_cli = HubProcess(tmp_path / "cli", "mqtt://127.0.0.1:1")
    by_cli.prepare_by_cli(USERS, role="staff")
    in_process = HubProcess(tmp_path / "in-process", "mqtt://127.0.0.1:1")
    in_process.prepare(USERS, role="staff")

    cli_rows, own_rows = contents(by_cli.db_path), contents(in_process.db_path)
    assert len(cli_rows["products"]) == 3 and len(cli_rows["zones"]) == 5
    assert cli_rows == own_rows
    with sqlite3.connect(by_cli.db_path) as db:
        hashes = dict(db.execute("SELECT username, password_hash FROM users").fetchall())
    assert hashes.keys() == USERS.keys()
    assert all(auth.verify_password(hashes[user], password) for user, password in USERS.items())
