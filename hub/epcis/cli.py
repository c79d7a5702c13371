"""``comptoir hub partners ...`` and ``comptoir hub epcis-export``: partners' tokens and the EPCIS file export."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hub.epcis.document import NotConfigured
from hub.epcis.export import TooManyEvents, export
from hub.epcis.partners import PartnerError, add_partner, partners, revoke_partner

if TYPE_CHECKING:
    import sqlite_utils

    from hub.config import HubConfig


def _hub_context(ctx: click.Context) -> tuple[HubConfig, sqlite_utils.Database]:
    """The config and database ``comptoir hub --config/--db`` named."""
    from hub.cli_config import command_config
    from hub.store import open_database

    config_path, db = ctx.obj
    config = command_config(config_path, db)
    return config, open_database(config.db)


@click.group("partners")
def partners_group() -> None:
    """Partners' tokens: they read the EPCIS events (GET /epcis/events) and nothing else."""


@partners_group.command("add")
@click.argument("name")
@click.pass_context
def partners_add(ctx: click.Context, name: str) -> None:
    """Make (or renew) NAME's token and print it once."""
    _, db = _hub_context(ctx)
    try:
        token = add_partner(db, name, time.time())
    except PartnerError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(token)


@partners_group.command("revoke")
@click.argument("name")
@click.pass_context
def partners_revoke(ctx: click.Context, name: str) -> None:
    _, db = _hub_context(ctx)
    if not revoke_partner(db, name, time.time()):
        raise click.ClickException(f"no partner {name} with a valid token")
    click.echo(f"{name}: token revoked")


@partners_group.command("list")
@click.pass_context
def partners_list(ctx: click.Context) -> None:
    _, db = _hub_context(ctx)
    for name, created, revoked in partners(db):
        state = f"revoked {datetime.fromtimestamp(revoked, UTC):%Y-%m-%d}" if revoked else "valid"
        click.echo(f"{name}\tcreated {datetime.fromtimestamp(created, UTC):%Y-%m-%d}\t{state}")


def _when(value: str) -> float:
    moment = datetime.fromisoformat(value)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


@click.command("epcis-export")
@click.option("--from", "start", required=True, help="start of the window, ISO 8601 (UTC if no zone given)")
@click.option("--to", "end", required=True, help="end of the window (excluded)")
@click.option("--gtin", "gtins", multiple=True, help="only these products (repeatable)")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="file (default: stdout)")
@click.pass_context
def epcis_export(ctx: click.Context, start: str, end: str, gtins: tuple[str, ...], output: Path | None) -> None:
    """The tags' movements of a time window as one EPCIS 2.0 JSON-LD document (EPCISDocument)."""
    config, db = _hub_context(ctx)
    try:
        document = export(db.conn, config.epcis, config.store, _when(start), _when(end), time.time(), list(gtins))
    except (NotConfigured, TooManyEvents, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    text = json.dumps(document, indent=2, ensure_ascii=False)
    if output is None:
        click.echo(text)
    else:
        output.write_text(text + "\n")
        click.echo(f"{len(document['epcisBody']['eventList'])} events written to {output}", err=True)
