"""``comptoir demo``: bring up the whole simulated shop; with --duration, stop by itself and print the score."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import signal
from pathlib import Path
from typing import Any

import click
import yaml

from comptoir.logs import setup_logging
from simulators.demo.fresh_cli import fresh

_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


def parse_duration(value: str) -> float:
    """``8h``, ``90m``, ``1h30m``, ``600`` (seconds) -> seconds."""
    text = value.strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*(min|h|m|s|d)", text)
    if not parts or "".join(f"{n}{u}" for n, u in parts) != text.replace(" ", ""):
        raise click.BadParameter(f"{value!r}: write a duration like 8h, 90m, 1h30m or 600 (seconds)")
    return sum(float(n) * _UNITS[u] for n, u in parts)


def format_report(report: dict[str, Any]) -> str:
    from simulators.score import TARGETS

    lines = ["", "score (simulated day against the world's ground truth):"]
    for key, value in report["score"].items():
        target = TARGETS.get(key)
        goal = f"target {target[0]} {target[1]:g}" if target else ""
        ok = report["targets_met"].get(key)
        mark = "" if ok is None else ("ok" if ok else "MISSED")
        shown = "n/a" if value is None else f"{value:g}"
        lines.append(f"  {key:28} {shown:>10}   {goal:16} {mark}")
    details = report["details"]
    lines.append(f"  ({details['samples']} samples, {details['empty_shelf_episodes']} empty-shelf episodes on "
                 f"watched shelves, {details['thefts']} thefts, {details['paid_exits']} paid items out, "
                 f"{details['deliveries']} units delivered)")
    if report["faults"]:
        lines.append("  faults: " + "; ".join(report["faults"]))
    return "\n".join(lines)


@click.group("demo", invoke_without_command=True)
@click.option("--speed", default=60.0, show_default=True, type=click.FloatRange(min=0.1, max=600),
              help="Simulated seconds per real second (60: an hour a minute).")
@click.option("--duration", default=None, help="Simulated time to run, e.g. 8h; then stop and print the score.")
@click.option("--seed", default=1, show_default=True, help="Seed of the store world.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="The hub's web port (a free one if taken).")
@click.option("--products", type=click.IntRange(min=1), help="Use only this many catalog products (a smaller shop).")
@click.option("--untagged", default=12, show_default=True, type=click.IntRange(min=0, max=100),
              help="Catalog products sold without tags on unwatched shelves: the staff receive, count and adjust "
                   "them through the API, and the score rates the hub's book stock of them.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the score report to this JSON file.")
@click.option("--faults", is_flag=True, help="Kill and restart the broker, hub and an edge agent, drop a reader, "
              "stop a camera, unplug the scale, send malformed LLRP frames, mid-day.")
@click.option("--readers", type=click.Choice(["shared", "per-room"]), default="per-room", show_default=True,
              help="shared: one reader for the rooms, one for the gate; per-room: backroom, dock, sales floor, gate.")
@click.option("--broker", type=click.Choice(["auto", "mosquitto", "embedded"]), default="auto", show_default=True,
              help="mosquitto when installed (auto), else the embedded broker.")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=Path("demo-shop"),
              show_default=True, help="Configs, databases, outboxes and logs of the run.")
@click.option("--hub-config", "hub_config", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="YAML whose sections are added to the demo hub's hub.yaml (e.g. notify:, homeassistant:; "
              "docs/integrations.md).")
@click.option("-v", "--verbose", count=True)
@click.pass_context
def demo(ctx: click.Context, speed: float, duration: str | None, seed: int, port: int, products: int | None,
         untagged: int, report_path: Path | None, faults: bool, readers: str, broker: str, workdir: Path,
         hub_config: Path | None, verbose: int) -> None:
    """The whole simulated shop: readers, cameras, a weighing shelf, a till, shoppers, staff, deliveries and the odd
    theft, flowing through real edge agents and the hub into the dashboard and the kiosk.

    `comptoir demo fresh` runs a fortnight of the shop's fresh food instead (markdowns off, then on)."""
    if ctx.invoked_subcommand is not None:
        return
    from simulators.demo.devices import DeviceParams
    from simulators.demo.run import run_demo
    from simulators.demo.shop import DemoOptions

    setup_logging(verbose)
    seconds = parse_duration(duration) if duration else None
    if faults and seconds is None:
        raise click.UsageError("--faults needs --duration (faults are placed along the day)")
    extra = yaml.safe_load(hub_config.read_text()) if hub_config else {}
    if not isinstance(extra, dict):
        raise click.UsageError(f"{hub_config}: expected YAML sections (a mapping), e.g. 'notify:'")
    options = DemoOptions(speed=speed, duration_s=seconds, seed=seed, port=port, products=products, untagged=untagged,
                          broker=broker, faults=faults, workdir=workdir, devices=DeviceParams(readers=readers),
                          hub_extra=extra)

    async def main() -> dict[str, Any] | None:
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        if task is not None:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            return await run_demo(options, say=lambda text: click.echo(text, err=True))
        click.echo("stopped: every process closed", err=True)
        return None

    try:
        report = asyncio.run(main())
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    if report is None:
        return
    click.echo(format_report(report))
    if report_path is not None:
        report_path.write_text(json.dumps(report, indent=2, default=str))
        click.echo(f"report written to {report_path}")
    if not all(report["targets_met"].values()):
        raise SystemExit(2)


demo.add_command(fresh)
