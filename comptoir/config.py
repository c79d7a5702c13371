"""Config files: one YAML file per component, validated by a pydantic model.

Secrets never sit in the file: a value ``${NAME}`` is replaced by the
environment variable ``NAME`` (``${NAME:-default}`` gives a default). Every
error names the file, the key and what is wrong, for the integrator who
reads it at a shop's back-office screen.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

T = TypeVar("T", bound=BaseModel)

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class ConfigError(ValueError):
    """A config file that cannot be used; the message says where and why."""


def _expand(value: Any, where: str, path: Path, env: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _expand(v, f"{where}.{k}" if where else str(k), path, env) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v, f"{where}[{i}]", path, env) for i, v in enumerate(value)]
    if isinstance(value, str):

        def substitute(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            if name in env:
                return env[name]
            if default is not None:
                return default
            raise ConfigError(f"{path}: {where}: environment variable {name} is not set")

        return _VAR.sub(substitute, value)
    return value


def parse_config(data: Any, model: type[T], path: Path, env: dict[str, str] | None = None) -> T:
    """Validate already-parsed YAML data against ``model``."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the file must hold a mapping of keys, not a {type(data).__name__}")
    data = _expand(data, "", path, dict(os.environ) if env is None else env)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors(include_url=False):
            key = ".".join(str(p) for p in err["loc"]) or "(top level)"
            got = err.get("input")
            shown = "" if isinstance(got, dict | list) or "password" in key else f" (got {got!r})"
            lines.append(f"{path}: {key}: {err['msg']}{shown}")
        raise ConfigError("\n".join(lines)) from None


def load_config(path: str | Path, model: type[T], env: dict[str, str] | None = None) -> T:
    """Read and validate one component's YAML config file."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}: not valid YAML{at}: {getattr(exc, 'problem', exc)}") from None
    return parse_config(data, model, path, env)
