"""One-shot commands from the retained config topic, each run once.

The config message is retained, so the broker hands it again at every
reconnect and the bridge at every restart: the ids already run are kept in
a small file so that a TARE is never repeated.
"""

from __future__ import annotations

import json
import logging
import os
from collections import deque
from pathlib import Path

from comptoir.contract import DeviceCommand
from firmware_bridge.protocol import Frame, Verb

log = logging.getLogger("firmware_bridge.commands")

#: how many done ids are remembered (the hub keeps a config's command list short)
DONE_IDS_KEPT = 512


class CommandError(ValueError):
    """A command the scale cannot be sent: unknown name or bad arguments."""


def to_frame(command: DeviceCommand, seq: int) -> Frame:
    """The protocol line for a config command (TARE, CAL <grams>, INFO, RATE <hz>)."""
    name, args = command.name, command.args
    if name in ("TARE", "INFO"):
        if args:
            raise CommandError(f"{name} takes no argument, got {args!r}")
        return Frame(seq, Verb(name))
    if name == "CAL":
        if len(args) != 1 or isinstance(args[0], str) or not 0 < float(args[0]) < 1e6:
            raise CommandError(f"CAL needs one mass in grams (0 < g < 1000000), got {args!r}")
        return Frame(seq, Verb.CAL, decigrams=round(float(args[0]) * 10))
    if name == "RATE":
        if len(args) != 1 or not isinstance(args[0], int) or not 1 <= args[0] <= 80:
            raise CommandError(f"RATE needs reports per second 1..80, got {args!r}")
        return Frame(seq, Verb.RATE, number=args[0])
    raise CommandError(f"unknown scale command {name!r} (TARE, CAL, INFO, RATE)")


class DoneCommands:
    """The ids of commands already run, kept on disk (or in memory when ``path`` is None)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._ids: deque[str] = deque(maxlen=DONE_IDS_KEPT)
        if path is not None and path.exists():
            try:
                self._ids.extend(json.loads(path.read_text()))
            except (OSError, ValueError) as exc:
                log.error(
                    "cannot read the done-command list; starting empty", extra={"path": str(path), "error": str(exc)}
                )

    def __contains__(self, command_id: object) -> bool:
        return command_id in self._ids

    def add(self, command_id: str) -> None:
        if command_id in self._ids:
            return
        self._ids.append(command_id)
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(list(self._ids)))
        os.replace(tmp, self.path)
