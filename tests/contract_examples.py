"""The examples of docs/contract.md, read from the page itself."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "contract.md"
_EXAMPLE = re.compile(r"topic: `([^`]+)`\s*```json\n(.*?)```", re.S)


def doc_examples() -> list[tuple[str, str]]:
    """(topic, payload) pairs in the order the page shows them."""
    return _EXAMPLE.findall(DOC.read_text())
