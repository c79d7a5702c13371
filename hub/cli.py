"""``comptoir hub``: run the hub, import reference data, manage staff accounts."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import time
from pathlib import Path

import click
import sqlite_utils

from comptoir.config import ConfigError, load_config
from hub.config import HubConfig


def _config(path: Path | None, db: Path | None) -> HubConfig:
    if path is None:
        if db is None:
            raise click.UsageError("give --config hub.yaml (or at least --db for the import and user commands)")
        return HubConfig(store="store", db=db)
    try:
        config = load_config(path, HubConfig)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if db is not None:
        config = config.model_copy(update={"db": db})
    return config


@click.group(invoke_without_command=True)
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help="The hub's YAML config (store, db, broker, api).")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), help="Database file (overrides the config).")
@click.pass_context
def hub(ctx: click.Context, config_path: Path | None, db: Path | None) -> None:
    """The store hub: ingest, inventory fusion, alerts and the web API (runs them without a subcommand)."""
    ctx.obj = (config_path, db)
    if ctx.invoked_subcommand is not None:
        return
    if config_path is None:
        raise click.UsageError("comptoir hub needs --config hub.yaml")
    config = _config(config_path, db)
    from comptoir.clock import clock_from_env
    from hub.service import HubService

    service = HubService(config, clock=clock_from_env())  # simulated in the demo (COMPTOIR_SIM_CLOCK)
    click.echo(f"hub {config.hub_id} of store {config.store}: API on http://{config.api.host}:{config.api.port}, "
               f"broker {config.broker.url}, database {config.db}", err=True)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(service.run())


def _db(ctx: click.Context) -> sqlite_utils.Database:
    from hub.store import open_database

    config_path, db = ctx.obj
    return open_database(_config(config_path, db).db)


def _import(ctx: click.Context, file: Path, what: str) -> None:
    from hub import catalog

    database = _db(ctx)
    func = {"products": catalog.import_products, "planogram": catalog.import_planogram,
            "zones": catalog.import_zones}[what]
    try:
        result = func(database, file)
    except catalog.CatalogError as exc:
        raise click.ClickException(f"{exc} (nothing was imported)") from None
    click.echo(f"imported {result.rows} {what} rows from {file}")


@hub.command("import-catalog")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def import_catalog(ctx: click.Context, file: Path) -> None:
    """Import products from a catalog CSV (docs/catalog.md)."""
    _import(ctx, file, "products")


@hub.command("import-planogram")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def import_planogram(ctx: click.Context, file: Path) -> None:
    """Import planogram slots (slot, gtin, camera, capacity, scale) from CSV."""
    _import(ctx, file, "planogram")


@hub.command("import-zones")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def import_zones(ctx: click.Context, file: Path) -> None:
    """Import zone aliases (alias, kind, reader, antenna) from CSV."""
    _import(ctx, file, "zones")


@hub.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(["staff", "manager"]), default="staff", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (scripts).")
@click.pass_context
def create_user(ctx: click.Context, username: str, role: str, password_stdin: bool) -> None:
    """Create a staff account, or set a new password for an existing one."""
    from hub.auth import AuthError
    from hub.auth import create_user as create

    if password_stdin:
        password = click.get_text_stream("stdin").readline().rstrip("\n")
    else:
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            raise click.ClickException("the two passwords differ")
    try:
        create(_db(ctx), username, password, role, time.time())
    except AuthError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"user {username} ({role}) saved")


@hub.command("purge-expired")
@click.pass_context
def purge_expired(ctx: click.Context) -> None:
    """Delete kiosk conversation logs and loyalty links past their retention (run daily: cron, systemd timer)."""
    from hub.privacy.retention import purge_expired as purge

    config_path, db = ctx.obj
    config = _config(config_path, db)
    done = purge(_db(ctx), time.time(), config.kiosk.log_retention_days, config.kiosk.loyalty_retention_days)
    click.echo(f"deleted {done.conversations} conversation logs, {done.loyalty_links} loyalty receipt links, "
               f"{done.intent_days} old intent counts")
