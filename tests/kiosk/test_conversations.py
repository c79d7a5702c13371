"""The conversation file: right intent, right language, right product, and every number grounded in the hub."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hub.assistant.api import reply_out
from hub.assistant.faq import load_faq
from tests.kiosk.conftest import KioskRig
from tests.kiosk.grounding import assert_grounded
from tests.kiosk.shop import NOW

CASES = yaml.safe_load((Path(__file__).parent / "conversations.yaml").read_text(encoding="utf-8"))


def test_the_file_has_enough_cases_in_both_languages() -> None:
    assert len(CASES) >= 100
    assert sum(c.get("lang") == "fr" for c in CASES) >= 40
    assert sum(c.get("lang") == "en" for c in CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=[f"{i:03d}" for i in range(len(CASES))])
def test_conversation(case: dict, rig: KioskRig) -> None:
    reply = rig.assistant.ask(case["text"], session=None)
    out = reply_out(reply).model_dump()
    where = f"{case['text']!r} -> {out}"
    if "intent" in case:
        assert out["intent"] == case["intent"], where
    if "lang" in case:
        assert out["lang"] == case["lang"], where
    if "product" in case:
        assert out["products"], where
        assert case["product"].lower() in out["products"][0]["name"].lower(), where
    if "handoff" in case:
        assert out["handoff"] is case["handoff"], where
    if case.get("no_products"):
        assert out["products"] == [], where
    if "faq" in case:
        entry = load_faq()[case["faq"]]
        assert out["answer"] == (entry.fr if out["lang"] == "fr" else entry.en), where
    assert 0 < len(out["answer"]) <= 1200, where
    assert "<" not in out["answer"], where  # nothing that a page could take for markup
    if case.get("no_products") and case["text"].strip():
        assert case["text"].strip() not in out["answer"], where  # never echoes what it did not understand
    assert_grounded(out["answer"], out["products"], rig.db, rig.fusion, NOW.timestamp(), rig.settings.timezone)
