"""``comptoir bridge``: serial shelf scales to MQTT."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click
from pydantic import ValidationError

from comptoir.config import ConfigError
from comptoir.link import BrokerSettings
from firmware_bridge.config import BridgeConfig, ScaleConfig, dump_example, load_bridge_config


@click.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="edge.yaml: bridge every scale of its 'scales:' section.",
)
@click.option("--serial", help="Serial port of one scale, e.g. /dev/serial/by-id/usb-...-if00.")
@click.option("--baud", type=int, default=None, help="Baud rate  [default: 115200]")
@click.option("--device", help="The scale's device id (its topic is scale/<device>/weight).")
@click.option("--store", default=None, help="Store id  [default: demo, or the config file's]")
@click.option("--broker", default=None, help="Broker URL  [default: mqtt://127.0.0.1:1883, or the config file's]")
@click.option("--unit-grams", type=float, default=None, help="One item's weight: publish units too.")
@click.option("--gtin", default=None, help="The item on the shelf.")
@click.option("--slot", default=None, help="The planogram slot of the shelf.")
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where outboxes and done commands are kept.",
)
@click.option("--example", is_flag=True, help="Print an edge.yaml 'scales:' example and exit.")
def bridge(
    config_path: Path | None,
    serial: str | None,
    baud: int | None,
    device: str | None,
    store: str | None,
    broker: str | None,
    unit_grams: float | None,
    gtin: str | None,
    slot: str | None,
    state_dir: Path | None,
    example: bool,
) -> None:
    """Bridge serial shelf scales (Comptoir scale protocol v1) to MQTT."""
    from firmware_bridge.runner import run_bridges

    if example:
        click.echo(dump_example(), nl=False)
        return
    try:
        if config_path is not None:
            if serial or device:
                raise click.UsageError("give either --config or --serial/--device, not both")
            config = load_bridge_config(config_path)
            overrides: dict[str, object] = {}
            if store:
                overrides["store"] = store
            if broker:
                overrides["broker"] = config.broker.model_copy(update={"url": BrokerSettings(url=broker).url})
            if state_dir:
                overrides["state_dir"] = state_dir
            config = config.model_copy(update=overrides)
        else:
            if not serial or not device:
                raise click.UsageError("give --serial and --device (or --config edge.yaml)")
            scale = ScaleConfig(
                device=device, serial=serial, baud=baud or 115200, unit_grams=unit_grams, gtin=gtin, slot=slot
            )
            config = BridgeConfig(
                store=store or "demo",
                broker=BrokerSettings(url=broker or "mqtt://127.0.0.1:1883"),
                state_dir=state_dir,
                scales=[scale],
            )
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False))
        raise click.ClickException(f"invalid option: {problems}") from None
    for scale in config.scales:
        click.echo(
            f"bridging {scale.device}: {scale.serial} @ {scale.baud} -> {config.broker.url} (store {config.store})",
            err=True,
        )
    from comptoir.clock import clock_from_env

    asyncio.run(run_bridges(config, clock_from_env()))  # simulated in the demo (COMPTOIR_SIM_CLOCK)
