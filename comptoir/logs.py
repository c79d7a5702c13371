"""Structured, quiet-by-default logging for every ``comptoir`` process.

One line per event: ``time level logger message key=value ...``, where the
keys are what the code passed in ``extra=``. Warnings and errors only,
unless ``-v`` (info) or ``-vv`` (debug) is given.
"""

from __future__ import annotations

import logging
import sys

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        when = self.formatTime(record, "%Y-%m-%dT%H:%M:%S")
        base = f"{when} {record.levelname.lower()} {record.name} {record.getMessage()}"
        extras = " ".join(
            f"{k}={v!r}" if isinstance(v, str) and " " in v else f"{k}={v}"
            for k, v in record.__dict__.items()
            if k not in _STANDARD
        )
        line = f"{base} {extras}" if extras else base
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def setup_logging(verbosity: int = 0) -> None:
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(KeyValueFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    if verbosity < 2:
        for noisy in ("amqtt", "transitions", "sllurp", "asyncio"):
            logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
