"""``comptoir tags allocate|list|show|encode|labels|record``: the hub's side of tag commissioning.

They mirror ``/api/tags/*`` and work on the hub's database directly (given by
``--config hub.yaml`` or ``--db``), safely beside a running hub: an
allocation is one ``BEGIN IMMEDIATE`` transaction. ``comptoir tags write``
(the reader's side) is the edge's: ``edge/rfid/writer.py``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import click
import sqlite_utils

from comptoir.config import ConfigError, load_config
from hub.tags import epcs, printer, serials
from hub.tags.errors import TagError
from hub.tags.labels import label_bytes

_db_options = [
    click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
                 help="The hub's YAML config (its database)."),
    click.option("--db", type=click.Path(dir_okay=False, path_type=Path), help="Database file (overrides the config)."),
]


def with_db(func: Any) -> Any:
    for option in reversed(_db_options):
        func = option(func)
    return func


def open_db(config_path: Path | None, db: Path | None) -> sqlite_utils.Database:
    from hub.config import HubConfig
    from hub.store import open_database

    if db is None:
        if config_path is None:
            raise click.UsageError("give --config hub.yaml or --db hub.sqlite")
        try:
            db = load_config(config_path, HubConfig).db
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
    return open_database(db)


def _fail(exc: TagError) -> click.ClickException:
    return click.ClickException(f"{exc} (nothing was changed)")


@click.command("allocate")
@click.argument("gtin")
@click.option("--count", required=True, type=int, help="How many serials (1 to 10000).")
@click.option("--start", "serial_start", type=int, help="First serial (default: after every serial used).")
@click.option("--scheme", default="sgtin-96", show_default=True, help="sgtin-96 or sgtin-198.")
@click.option("--prefix-length", default=epcs.DEFAULT_PREFIX_LENGTH, show_default=True, type=int,
              help="Digits of the GS1 company prefix in the GTIN.")
@click.option("--by", default=None, help="Who asks (kept with the allocation).")
@click.option("--epcs", "epcs_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the EPCs to this file, one a line (for comptoir tags write).")
@with_db
def allocate(gtin: str, count: int, serial_start: int | None, scheme: str, prefix_length: int, by: str | None,
             epcs_out: Path | None, config_path: Path | None, db: Path | None) -> None:
    """Allocate COUNT serials of GTIN that no tag has had, and print their EPCs."""
    database = open_db(config_path, db)
    try:
        allocation = serials.allocate(database, gtin, count, now=time.time(), scheme=scheme,
                                      serial_start=serial_start, prefix_length=prefix_length, by=by)
    except TagError as exc:
        raise _fail(exc) from None
    click.echo(f"allocation #{allocation.id}: {allocation.count} {allocation.scheme} serials "
               f"{allocation.first_serial}..{allocation.last_serial} of {allocation.gtin} ({allocation.product})",
               err=True)
    lines = [t.epc for t in allocation.tags]
    if epcs_out is not None:
        epcs_out.write_text("\n".join(lines) + "\n")
    for line in lines:
        click.echo(line)


@click.command("list")
@click.option("--gtin", help="Only this product's allocations.")
@with_db
def list_allocations(gtin: str | None, config_path: Path | None, db: Path | None) -> None:
    """Allocations, newest first, with how many tags are written."""
    database = open_db(config_path, db)
    try:
        rows = serials.listing(database, gtin)
    except TagError as exc:
        raise _fail(exc) from None
    for a in rows:
        counts = serials.state_counts(database, a.id)
        states = " ".join(f"{k}={v}" for k, v in counts.items() if v)
        click.echo(f"#{a.id} {a.gtin} {a.scheme} {a.first_serial}..{a.last_serial} {states}  {a.product}")


@click.command("show")
@click.argument("allocation_id", type=int)
@with_db
def show(allocation_id: int, config_path: Path | None, db: Path | None) -> None:
    """Every EPC of an allocation with its state (and why a tag was not written)."""
    allocation = serials.get(open_db(config_path, db), allocation_id)
    if allocation is None:
        raise click.ClickException(f"allocation: no allocation #{allocation_id}")
    for t in allocation.tags:
        click.echo(f"{t.epc} {t.serial} {t.state}" + (f" ({t.reason})" if t.reason else ""))


@click.command("encode")
@click.argument("gtin")
@click.argument("serial", type=int)
@click.option("--scheme", default="sgtin-96", show_default=True)
@click.option("--prefix-length", default=epcs.DEFAULT_PREFIX_LENGTH, show_default=True, type=int)
def encode(gtin: str, serial: int, scheme: str, prefix_length: int) -> None:
    """Print the EPC (hex) and tag URI of unit SERIAL of GTIN (allocates nothing)."""
    try:
        click.echo(epcs.encode(gtin, serial, scheme, prefix_length))
        click.echo(epcs.tag_uri(gtin, serial, scheme, prefix_length))
    except TagError as exc:
        raise click.ClickException(str(exc)) from None


@click.command("labels")
@click.argument("allocation_id", type=int)
@click.option("--printer", "printer_address", help="HOST or HOST:PORT of an RFID label printer (raw port 9100).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Save the ZPL to this file.")
@with_db
def labels(allocation_id: int, printer_address: str | None, out: Path | None, config_path: Path | None,
           db: Path | None) -> None:
    """ZPL labels of an allocation's tags not yet written, to a printer or a file (the printer encodes them)."""
    if (printer_address is None) == (out is None):
        raise click.UsageError("give exactly one of --printer HOST[:PORT] or --out FILE")
    database = open_db(config_path, db)
    allocation = serials.get(database, allocation_id)
    if allocation is None:
        raise click.ClickException(f"allocation: no allocation #{allocation_id}")
    data = label_bytes(allocation)
    if out is not None:
        sent = printer.save(out, data)
        click.echo(f"saved {sent} bytes of ZPL ({_pending(allocation)} labels) to {out}")
        return
    host, _, port = (printer_address or "").partition(":")
    try:
        sent = printer.send(host, data, int(port or printer.RAW_PORT))
    except (printer.PrinterError, ValueError) as exc:
        raise click.ClickException(f"printer: {exc} (no tag marked sent)") from None
    marked = serials.mark_sent_to_printer(database, allocation_id, now=time.time())
    click.echo(f"sent {sent} bytes of ZPL ({marked} labels) to {host}:{port or printer.RAW_PORT}")


def _pending(allocation: serials.Allocation) -> int:
    return sum(1 for t in allocation.tags if t.state != "written")




@click.command("record")
@click.argument("results", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_db
def record(results: Path, config_path: Path | None, db: Path | None) -> None:
    """Record what `comptoir tags write --results FILE` did (JSON: a list of {epc, written, tag, reason})."""
    try:
        outcomes = [serials.WriteOutcome(str(r["epc"]), bool(r["written"]), r.get("tag"), r.get("reason"))
                    for r in json.loads(results.read_text())]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise click.ClickException(f"results: {results} is not a list of write results ({exc})") from None
    try:
        counts = serials.record_writes(open_db(config_path, db), outcomes, now=time.time())
    except TagError as exc:
        raise _fail(exc) from None
    click.echo(f"recorded {counts['written']} written, {counts['not_written']} not written")
