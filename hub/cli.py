"""``comptoir hub``: run the hub, import reference data, manage staff accounts."""

from __future__ import annotations

import contextlib
import getpass
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from comptoir.cli import LazyGroup
from hub.cli_config import command_config

if TYPE_CHECKING:
    import sqlite_utils

# issue 23: partners' EPCIS tokens and the EPCIS export (hub/epcis/cli.py); issue 21: the shop's numbers for a week
# as PDF/CSV (hub/kpis/cli.py); imported only when called, as the hub's start needs neither
LAZY = {"partners": "hub.epcis.cli:partners_group", "epcis-export": "hub.epcis.cli:epcis_export",
        "report": "hub.kpis.cli:report_command"}


@click.group(cls=LazyGroup, lazy=LAZY, invoke_without_command=True)
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
    config = command_config(config_path, db)
    import asyncio

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
    return open_database(command_config(config_path, db).db)


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


def _new_password(password_stdin: bool) -> str:
    if password_stdin:
        return click.get_text_stream("stdin").readline().rstrip("\n")
    password = getpass.getpass("password: ")
    if getpass.getpass("again: ") != password:
        raise click.ClickException("the two passwords differ")
    return password


@hub.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(["staff", "manager"]), default=None,
              help="staff (default for a new account) or manager; with --reset-password, changes the role too")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (scripts).")
@click.option("--reset-password", is_flag=True,
              help="If the account exists, give it this password (and --role, if given); its sessions end. "
              "Without it, an existing account is refused, never overwritten.")
@click.pass_context
def create_user(ctx: click.Context, username: str, role: str | None, password_stdin: bool,
                reset_password: bool) -> None:
    """Create a staff account (or, with --reset-password, set a new password if it exists)."""
    from hub import auth

    database = _db(ctx)
    present = auth.exists(database, username)
    if present and not reset_password:
        raise click.ClickException(f"user {username} already exists; to set a new password, add --reset-password")
    password = _new_password(password_stdin)
    try:
        if reset_password and present:
            auth.check_password(password)
            ended = auth.set_password(database, username, auth.hash_password(password), role)
            click.echo(f"user {username}: new password saved, {ended} session(s) ended")
            return
        auth.create_user(database, username, password, role or "staff", time.time())
    except auth.AuthError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"user {username} ({role or 'staff'}) saved")


@hub.group("users")
def users() -> None:
    """Staff accounts: list, disable, enable, delete (the manager's /api/users does the same)."""


@users.command("list")
@click.pass_context
def users_list(ctx: click.Context) -> None:
    """Every account with its role, state and open sessions."""
    from hub import auth
    from hub.timeutil import iso

    found = auth.accounts(_db(ctx.parent))  # type: ignore[arg-type]
    click.echo(f"{'username':<20} {'role':<8} {'state':<26} sessions")
    for a in found:
        state = f"disabled {iso(a.disabled)}" if a.disabled is not None else "active"
        click.echo(f"{a.username:<20} {a.role:<8} {state:<26} {a.sessions}")


def _account_change(ctx: click.Context, username: str, action: str) -> None:
    from hub import auth

    database = _db(ctx)
    try:
        if action == "delete":
            auth.delete_user(database, username)
            click.echo(f"user {username} deleted")
            return
        ended = auth.set_disabled(database, username, action == "disable", time.time())
    except auth.UnknownUser as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"user {username} {action}d" + (f", {ended} session(s) ended" if action == "disable" else ""))


@users.command("disable")
@click.argument("username")
@click.pass_context
def users_disable(ctx: click.Context, username: str) -> None:
    """Refuse the account's sign-in and end its sessions."""
    _account_change(ctx, username, "disable")


@users.command("enable")
@click.argument("username")
@click.pass_context
def users_enable(ctx: click.Context, username: str) -> None:
    """Let a disabled account sign in again."""
    _account_change(ctx, username, "enable")


@users.command("delete")
@click.argument("username")
@click.confirmation_option(prompt="Delete this account and its sessions?")
@click.pass_context
def users_delete(ctx: click.Context, username: str) -> None:
    """Delete the account and its sessions (what it did stays recorded under its name)."""
    _account_change(ctx, username, "delete")


@hub.command("purge-expired")
@click.pass_context
def purge_expired(ctx: click.Context) -> None:
    """Delete kiosk conversation logs and loyalty links past their retention (run daily: cron, systemd timer)."""
    from hub.privacy.retention import purge_expired as purge

    config_path, db = ctx.obj
    config = command_config(config_path, db)
    done = purge(_db(ctx), time.time(), config.kiosk.log_retention_days, config.kiosk.loyalty_retention_days)
    click.echo(f"deleted {done.conversations} conversation logs, {done.loyalty_links} loyalty receipt links, "
               f"{done.intent_days} old intent counts")

