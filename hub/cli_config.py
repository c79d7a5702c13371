"""The hub config the ``comptoir hub`` commands were given (``--config``, ``--db``), shared by every sub-command
group (the hub's own, ``hub/epcis/cli.py``) so that none imports another's command module."""

from __future__ import annotations

from pathlib import Path

import click

from comptoir.config import ConfigError, load_config
from hub.config import HubConfig


def command_config(path: Path | None, db: Path | None) -> HubConfig:
    """``--config hub.yaml`` read and checked, ``--db`` replacing its database; ``--db`` alone is enough for the
    commands that only touch the database (imports, users)."""
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
