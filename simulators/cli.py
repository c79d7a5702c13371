"""``comptoir sim ...``: the device simulators.

Each simulator registers one line in ``SIMULATORS``; it is imported only when
called, so that one simulator's dependencies are not needed by another.
"""

from __future__ import annotations

import click

from comptoir.cli import LazyGroup

#: subcommand -> "module:click command"
SIMULATORS: dict[str, str] = {
    "reader": "simulators.llrp.cli:reader",
    "camera": "simulators.camera.cli:camera",
    "scale": "simulators.scale.cli:scale",
    "pos": "simulators.pos.cli:pos",
}


@click.group(cls=LazyGroup, lazy=SIMULATORS)
def sim() -> None:
    """Simulated devices that speak the real protocols (LLRP, MJPEG, serial, MQTT)."""
