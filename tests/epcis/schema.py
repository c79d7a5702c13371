"""GS1's EPCIS 2.0 JSON Schema (tests/data/epcis/, with GS1's licence notice) as a jsonschema validator."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "epcis" / "EPCIS-JSON-Schema.json"


@cache
def validator() -> Draft7Validator:
    schema = json.loads(SCHEMA.read_text())
    Draft7Validator.check_schema(schema)
    # formats checked too (uri, date-time): jsonschema[format] brings rfc3987 and rfc3339-validator
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


def schema_errors(document: Any) -> list[str]:
    """Every way ``document`` breaks the schema, as ``path: message`` (empty: valid)."""
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in sorted(validator().iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))]
