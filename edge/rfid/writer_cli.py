"""``comptoir tags write``: write allocated EPCs to the blank tags on a reader's antenna."""

from __future__ import annotations

import json
from pathlib import Path

import click

from edge.rfid.writer import TagWriter, WriterError, WriterParams


@click.command("write")
@click.option("--reader", required=True, help="HOST or HOST:PORT of the LLRP reader (port 5084 by default).")
@click.option("--epcs", "epcs_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="EPCs to write, one a line (comptoir tags allocate --epcs FILE).")
@click.option("--antenna", default=1, show_default=True, type=click.IntRange(1, 64), help="The encoding antenna.")
@click.option("--results", type=click.Path(dir_okay=False, path_type=Path),
              help="Save the results as JSON, for comptoir tags record (or POST /api/tags/results).")
@click.option("--timeout", "timeout_s", default=10.0, show_default=True, type=click.FloatRange(0.5, 300),
              help="Seconds per tag for the write and its read-back.")
@click.option("--overwrite", is_flag=True, help="Also write tags that already carry an SGTIN.")
def write(reader: str, epcs_file: Path, antenna: int, results: Path | None, timeout_s: float,
          overwrite: bool) -> None:
    """Write each EPC to a blank tag through an LLRP reader, and read it back."""
    host, _, port = reader.partition(":")
    epcs = [line.strip().upper() for line in epcs_file.read_text().splitlines() if line.strip()]
    bad = next((e for e in epcs if any(c not in "0123456789ABCDEF" for c in e)), None)
    if bad is not None:
        raise click.ClickException(f"epcs: {bad[:64]!r} in {epcs_file} is not hex (nothing was written)")
    params = WriterParams(antenna=antenna, timeout_s=timeout_s, overwrite=overwrite)
    try:
        with TagWriter(host, int(port or 5084), params) as writer:
            outcome = writer.write_all(epcs)
    except (WriterError, ValueError) as exc:
        raise click.ClickException(f"reader: {exc} (nothing was written)") from None
    for r in outcome:
        click.echo(f"{r.epc} " + ("written" if r.written else f"NOT written: {r.reason}") + f" (tag was {r.tag})")
    if results is not None:
        results.write_text(json.dumps([r.as_dict() for r in outcome], indent=1) + "\n")
    done = sum(r.written for r in outcome)
    click.echo(f"{done} of {len(outcome)} tags written", err=True)
    if done < len(outcome):
        raise SystemExit(1)
