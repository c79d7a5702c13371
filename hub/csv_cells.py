"""CSV cells the hub reads and writes safely: one place for both directions.

Reading: a file from a spreadsheet or a supplier may hold NUL bytes, huge
fields or broken quoting; each becomes a ``ValueError`` naming the line
(and the column where it can be known), never a crash or a stored NUL.
Writing: a cell that a spreadsheet would run as a formula (it starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return, as OWASP's CSV
injection guidance lists) is written with a leading apostrophe, which
spreadsheets show as text.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """Text that cannot start a formula; numbers are left as they are (a quantity is never text)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def check_cell(value: str | None, max_len: int) -> None:
    """Raise ValueError if a cell read from a file cannot be right whatever its column."""
    if value is None:
        return
    if "\x00" in value:
        raise ValueError("contains a NUL character")
    if len(value) > max_len:
        raise ValueError(f"is longer than {max_len} characters")


def guarded(reader: Iterable[dict[str, str]], line_of: Callable[[], int],
            max_len: int) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) of a DictReader, each cell checked; ValueError("line N[: column C]: why") on the first fault."""
    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ValueError(f"line {line_of() + 1}: unreadable CSV ({exc})") from None
        except UnicodeDecodeError as exc:
            raise ValueError(f"line {line_of() + 1}: not UTF-8 text ({exc.reason})") from None
        for column, value in row.items():
            values = value if isinstance(value, list) else [value]
            for cell in values:
                try:
                    check_cell(cell, max_len)
                except ValueError as exc:
                    raise ValueError(f"line {line_of()}: column {column or '(extra)'}: {exc}") from None
        yield line_of(), row
