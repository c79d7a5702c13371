"""Helpers of the tag tests: the comptoir command line run in-process (click's runner: its real code, no new
interpreter each time)."""

from __future__ import annotations

from click.testing import CliRunner, Result

from comptoir.cli import main


def cli(*args: str) -> Result:
    """``comptoir ARGS``; ``exit_code``, ``stdout`` and ``stderr`` apart."""
    return CliRunner().invoke(main, list(args))
