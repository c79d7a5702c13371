"""``comptoir edge``: run the edge agent.

``comptoir edge --config edge.yaml`` runs every device of the file;
``comptoir edge rfid --reader HOST:PORT ...`` tries one reader without a file.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable
from pathlib import Path

import click

from comptoir.clock import Clock, clock_from_env
from comptoir.config import ConfigError, load_config, parse_config
from comptoir.link import MqttLink
from comptoir.metrics import serve
from edge.config import EdgeConfig, ReaderConfig
from edge.metrics import EdgeMetrics
from edge.vision.config import CameraConfig

log = logging.getLogger("comptoir.edge")


def make_link(config: EdgeConfig, device: str, kind: str, clock: Clock) -> MqttLink:
    """The MQTT link of one device, with its outbox file under ``state_dir``."""
    config.state_dir.mkdir(parents=True, exist_ok=True)
    return MqttLink(
        config.broker,
        store=config.store,
        device=device,
        kind=kind,
        outbox=config.state_dir / f"{device}.outbox.sqlite",
        outbox_durable=config.durable_outbox,
        clock=clock,
    )


async def _run_reader(config: EdgeConfig, reader: ReaderConfig, clock: Clock, metrics: EdgeMetrics) -> None:
    from edge.rfid.agent import RfidAgent

    link = make_link(config, reader.id, "rfid-reader", clock)
    await link.start()
    agent = RfidAgent(reader, link, clock=clock)
    metrics.add_reader(agent)
    try:
        await agent.run()
    finally:
        await link.stop()
        link.outbox.close()


async def _run_camera(config: EdgeConfig, camera: CameraConfig, clock: Clock, config_dir: Path | None,
                      metrics: EdgeMetrics) -> None:
    from edge.vision.agent import CameraAgent

    link = make_link(config, camera.id, "camera", clock)
    agent = CameraAgent(camera, link, clock=clock, config_dir=config_dir)  # model and slots checked before connecting
    metrics.add_camera(agent)
    await link.start()
    try:
        await agent.run()
    finally:
        await link.stop()
        link.outbox.close()


async def run_edge(config: EdgeConfig, clock: Clock | None = None, config_dir: Path | None = None) -> None:
    """Run every device of ``config`` until cancelled."""
    clock = clock or clock_from_env()  # simulated in the demo (COMPTOIR_SIM_CLOCK)
    metrics = EdgeMetrics()
    jobs: list[Awaitable[None]] = [_run_reader(config, reader, clock, metrics) for reader in config.readers]
    jobs += [_run_camera(config, camera, clock, config_dir, metrics) for camera in config.cameras]
    if not jobs:
        raise click.ClickException("the config lists no device to run (readers: and cameras: are empty)")
    server = serve(config.metrics, metrics.collect)  # None unless metrics.port is set (docs/integrations.md)
    try:
        await asyncio.gather(*jobs)
    finally:
        if server is not None:
            server.close()


async def _until_signalled(config: EdgeConfig) -> None:
    """Run until SIGTERM (systemd, docker) or SIGINT, then stop cleanly: outboxes drained, devices offline."""
    main = asyncio.current_task()
    loop = asyncio.get_running_loop()
    if main is not None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, main.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await run_edge(config)


def _run(config: EdgeConfig) -> None:
    if config.cameras:  # a missing model or slots file is a start-up error, not a traceback
        from edge.vision.detector import ModelError
        from edge.vision.slots import CalibrationError

        try:
            with contextlib.suppress(KeyboardInterrupt):
                asyncio.run(_until_signalled(config))
        except (ModelError, CalibrationError) as exc:
            raise click.ClickException(str(exc)) from None
        return
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_until_signalled(config))


@click.group("edge", invoke_without_command=True)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="edge.yaml: the store, the broker and the devices to run.",
)
@click.pass_context
def edge(ctx: click.Context, config_path: Path | None) -> None:
    """Run the edge agent: every RFID reader (and camera) listed in edge.yaml."""
    if ctx.invoked_subcommand is not None:
        return
    if config_path is None:
        raise click.UsageError("give --config edge.yaml, or a subcommand such as 'rfid'")
    try:
        config = load_config(config_path, EdgeConfig)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"edge agent for store {config.store}: {len(config.readers)} reader(s), {len(config.cameras)} camera(s), "
        f"broker {config.broker.url}",
        err=True,
    )
    _run(config)


def _host_port(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep:
        return value, 5084
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise click.BadParameter(f"{value!r}: the port must be a number from 1 to 65535")
    return host or "127.0.0.1", int(port)


@edge.command("rfid")
@click.option("--reader", "reader_address", required=True, help="HOST:PORT of the LLRP reader (port 5084 if omitted).")
@click.option("--broker", default="mqtt://127.0.0.1:1883", show_default=True, help="mqtt://HOST:PORT of the broker.")
@click.option("--store", required=True, help="Store id (topics are comptoir/v1/<store>/...).")
@click.option("--device", default="reader-1", show_default=True, help="Device id of this reader.")
@click.option(
    "--antenna",
    "antennas",
    multiple=True,
    metavar="PORT=ZONE",
    help="Zone alias of an antenna; repeat for each (default: antenna 1 = zone 'default').",
)
@click.option("--gate", "gates", multiple=True, metavar="ID:INSIDE:OUTSIDE", help="A gate from two antenna ports.")
@click.option(
    "--state-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("edge-state"), show_default=True
)
@click.option(
    "--departed-after",
    type=click.FloatRange(min=1),
    default=600.0,
    show_default=True,
    help="Seconds unseen before a tag departs.",
)
@click.option(
    "--snapshot-every",
    type=click.FloatRange(min=1),
    default=60.0,
    show_default=True,
    help="Seconds between zone snapshots.",
)
def rfid(
    reader_address: str,
    broker: str,
    store: str,
    device: str,
    antennas: tuple[str, ...],
    gates: tuple[str, ...],
    state_dir: Path,
    departed_after: float,
    snapshot_every: float,
) -> None:
    """Try one LLRP reader without a config file: zone events go to the broker."""
    host, port = _host_port(reader_address)
    aliases: dict[int, str] = {}
    for spec in antennas or ("1=default",):
        number, sep, zone = spec.partition("=")
        if not sep or not number.strip().isdigit() or not zone.strip():
            raise click.BadParameter(f"{spec!r}: write PORT=ZONE, e.g. 1=backroom", param_hint="--antenna")
        aliases[int(number)] = zone.strip()
    gate_list = []
    for spec in gates:
        parts = spec.split(":")
        if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
            raise click.BadParameter(f"{spec!r}: write ID:INSIDE:OUTSIDE, e.g. gate-exit:10:11", param_hint="--gate")
        gate_list.append({"id": parts[0], "inside": int(parts[1]), "outside": int(parts[2])})
    data = {
        "store": store,
        "broker": {"url": broker},
        "state_dir": str(state_dir),
        "readers": [
            {
                "id": device,
                "host": host,
                "port": port,
                "antennas": aliases,
                "gates": gate_list,
                "tracker": {"departed_after_s": departed_after},
                "snapshot_every_s": snapshot_every,
            }
        ],
    }
    try:
        config = parse_config(data, EdgeConfig, Path("(command line)"))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"reading {host}:{port} as {device}; zone events to {broker} (store {store})", err=True)
    _run(config)
