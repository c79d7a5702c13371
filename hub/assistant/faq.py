"""The shop's editable FAQ (opening hours, returns, payment, loyalty card)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from hub.assistant.text import fold, singular

DEFAULT_FAQ = Path(__file__).with_name("data") / "faq.yaml"


class FaqError(ValueError):
    """The FAQ file is missing something; the message names the file and the entry."""


@dataclass(frozen=True)
class FaqEntry:
    topic: str
    keywords: list[str]
    fr: str
    en: str


def load_faq(path: Path = DEFAULT_FAQ) -> dict[str, FaqEntry]:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise FaqError(f"{path}: cannot read the FAQ file: {exc}") from None
    if not isinstance(raw, dict):
        raise FaqError(f"{path}: expected a mapping of topics")
    entries = {}
    for topic, body in raw.items():
        if not isinstance(body, dict):
            raise FaqError(f"{path}: {topic}: expected keywords, fr and en")
        for key in ("keywords", "fr", "en"):
            if not body.get(key):
                raise FaqError(f"{path}: {topic}.{key} is missing or empty")
        keywords = [" ".join(singular(w) for w in fold(str(k)).split()) for k in body["keywords"] if fold(str(k))]
        entries[str(topic)] = FaqEntry(str(topic), keywords, str(body["fr"]).strip(), str(body["en"]).strip())
    return entries
