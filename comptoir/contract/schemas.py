"""JSON Schemas generated from the payload models (never written by hand)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from comptoir.contract.codec import MODELS
from comptoir.contract.envelope import Message


def json_schema(model: type[Message]) -> dict[str, Any]:
    schema = model.model_json_schema(by_alias=True, mode="serialization")
    schema["$id"] = f"{model.SCHEMA}.v{model.VERSION}.schema.json"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["x-topic"] = f"comptoir/v1/<store>/{model.FAMILY}/<id>/{model.CHANNEL}"
    schema["x-retained"] = model.RETAIN
    return schema


def write_schemas(directory: Path) -> list[Path]:
    """Write one ``<schema>.v<version>.schema.json`` per model; return the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for model in MODELS:
        path = directory / f"{model.SCHEMA}.v{model.VERSION}.schema.json"
        path.write_text(json.dumps(json_schema(model), indent=2, sort_keys=True) + "\n")
        written.append(path)
    return written
