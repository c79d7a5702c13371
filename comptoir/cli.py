"""The ``comptoir`` command line.

The core commands live here. Other packages (edge, hub, simulators, the
firmware bridge) contribute theirs through the ``comptoir.commands`` entry
point group, so this package never imports them. A command whose package
cannot be imported (its extra is not installed) is left out of ``--help``
and, when called, says which extra to install.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
from pathlib import Path

import click

from comptoir import __version__
from comptoir.logs import setup_logging

ENTRY_POINT_GROUP = "comptoir.commands"


class LazyGroup(click.Group):
    """A click group whose subcommands are imported only when used.

    ``lazy`` maps a subcommand name to ``"module:attribute"``. Packages with
    several subcommands (``comptoir sim reader``, ``comptoir sim scale``)
    use it so that one simulator's dependencies are not needed by another.
    """

    def __init__(self, *args: object, lazy: dict[str, str] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy and name not in self.commands:
            module, _, attr = self.lazy[name].partition(":")
            try:
                command = getattr(importlib.import_module(module), attr)
            except ImportError as exc:
                raise click.ClickException(
                    f"'{ctx.command_path} {name}' needs a package that is not installed ({exc.name or exc})"
                ) from None
            self.add_command(command, name)
        return super().get_command(ctx, name)


class PluginGroup(LazyGroup):
    """A click group that also lists the commands other packages register (and its own lazy ones)."""

    def _entry_points(self) -> dict[str, importlib.metadata.EntryPoint]:
        return {ep.name: ep for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}

    def _load(self, name: str) -> click.Command | None:
        ep = self._entry_points().get(name)
        if ep is None:
            return None
        try:
            return ep.load()
        except ImportError as exc:
            missing = getattr(exc, "name", None) or str(exc)
            extras = importlib.metadata.metadata("comptoir").get_all("Provides-Extra") or []
            raise click.ClickException(
                f"'comptoir {name}' needs a package that is not installed ({missing}); "
                f"install the extra that provides it: pip install 'comptoir[EXTRA]' with EXTRA one of "
                f"{', '.join(e for e in extras if e != 'dev')}"
            ) from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx))
        for name in self._entry_points():
            try:
                if self._load(name) is not None:
                    names.add(name)
            except click.ClickException:
                pass  # only commands that work are listed
        return sorted(names)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return super().get_command(ctx, name) or self._load(name)


@click.group(cls=PluginGroup, lazy={"provision": "comptoir.provision:provision"},
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="comptoir")
@click.option("-v", "--verbose", count=True, help="More log lines: -v info, -vv debug.")
def main(verbose: int) -> None:
    """Comptoir: item-level inventory, shelf monitoring and a kiosk for an independent shop."""
    setup_logging(verbose)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=1883, show_default=True, type=click.IntRange(1, 65535))
def broker(host: str, port: int) -> None:
    """Run an embedded MQTT broker (for a machine without mosquitto)."""
    import asyncio

    from comptoir.broker import run_embedded_broker

    click.echo(f"embedded MQTT broker on mqtt://{host}:{port} (Ctrl-C to stop)", err=True)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_embedded_broker(host, port))


@main.group()
def contract() -> None:
    """The MQTT contract: topics and payload schemas."""


@contract.command("schemas")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def contract_schemas(directory: Path) -> None:
    """Write the JSON Schema of every payload into DIRECTORY."""
    from comptoir.contract.schemas import write_schemas

    for path in write_schemas(directory):
        click.echo(str(path))


@contract.command("check")
@click.argument("topic")
@click.argument("payload", type=click.File("rb"), default="-")
def contract_check(topic: str, payload: click.utils.LazyFile) -> None:
    """Check that PAYLOAD (a file, or - for stdin) is valid on TOPIC."""
    from comptoir.contract import ContractError, decode

    try:
        message = decode(topic, payload.read())
    except ContractError as err:
        raise click.ClickException(f"invalid: {err}") from None
    click.echo(f"valid {message.SCHEMA} v{message.VERSION} from {message.device} seq {message.seq}")


@main.group(cls=LazyGroup, lazy={
    "allocate": "hub.tags.cli:allocate", "list": "hub.tags.cli:list_allocations", "show": "hub.tags.cli:show",
    "encode": "hub.tags.cli:encode", "labels": "hub.tags.cli:labels", "record": "hub.tags.cli:record",
    "write": "edge.rfid.writer_cli:write",
})
def tags() -> None:
    """Tag commissioning: allocate serials per GTIN, write tags through a reader, print RFID labels.

    The hub's commands work on its database (--config or --db); `write` is the edge's and talks to the reader.
    """
