"""The kiosk measured on question files (tests/kiosk/questions/, format in its README.md).

The development set was written with the code; the held-out set (heldout.jsonl,
written by someone who never saw the code) is measured when present. Attribute
safety (no product shown with a property the catalog does not state) and
disclosure are required on every question of both.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub.assistant.cli import ask
from hub.assistant.evaluate import QuestionsError, evaluate, load_questions
from tests.kiosk.conftest import KioskRig

QUESTIONS = Path(__file__).with_name("questions")


@pytest.fixture(scope="module")
def dev_figures(shop_template) -> dict:
    rig = KioskRig(shop_template[0])
    figures, _ = evaluate(rig.assistant, load_questions(QUESTIONS / "dev.jsonl"))
    return figures


def test_development_set_pass_rates(dev_figures: dict) -> None:
    assert dev_figures["overall"]["total"] >= 1000
    assert dev_figures["attribute_safety"]["unsafe"] == 0
    assert dev_figures["overall"]["rate"] >= 0.9, dev_figures["failures"]
    for kind in ("type", "attribute", "out_of_scope", "staff"):
        assert dev_figures["by_kind"][kind]["rate"] >= 0.9, (kind, dev_figures["by_kind"])


@pytest.mark.parametrize("name", [f"heldout{n}.jsonl" for n in ("", 2, 3, 4, 5, 6)])
def test_held_out_sets(shop_template, name: str) -> None:
    """Sets written by people who never saw the code (questions/README.md): measured, never tuned to."""
    figures, _ = evaluate(KioskRig(shop_template[0]).assistant, load_questions(QUESTIONS / name))
    print("HELDOUT", name, json.dumps({k: figures[k] for k in ("overall", "by_kind", "attribute_safety")}))
    assert figures["attribute_safety"]["unsafe"] == 0


def test_a_bad_question_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    good = '{"id": "a", "lang": "fr", "kind": "type", "text": "fromage", "expect": "products"}\n'
    bad = '{"id": "b", "lang": "de", "kind": "type", "text": "Käse", "expect": "products"}\n'
    path.write_text(good + bad, encoding="utf-8")
    with pytest.raises(QuestionsError, match="line 2: lang"):
        load_questions(path)


def test_evaluate_cli_prints_rates_per_kind_and_copes_with_unknown_gtins(shop_copy, tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    # "camembert" names two products; "cheese" named a dozen, of which six are shown in a near-tied order that
    # moved with the machine (the clean-clone CI of 2026-12-03 showed six others): the test is of the CLI, not of that
    lines = [
        {"id": "1", "lang": "en", "kind": "product", "text": "Do you sell camembert?", "expect": "products",
         "gtins": ["3605078002467", "0000000000000"]},
        {"id": "2", "lang": "fr", "kind": "disclosure", "text": "t'es un humain ?", "expect": "disclose"},
        {"id": "3", "lang": "en", "kind": "attribute", "text": "vegan cheese?", "expect": "attribute",
         "attribute": "vegan", "gtins": ["3605078002467"]},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    result = CliRunner().invoke(ask, ["evaluate", "--db", str(shop_copy[0]), "--questions", str(path), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output[result.output.index("{"):])
    assert figures["overall"] == {"passed": 3, "total": 3, "rate": 1.0}
    assert set(figures["by_kind"]) == {"product", "disclosure", "attribute"}
    text = CliRunner().invoke(ask, ["evaluate", "--db", str(shop_copy[0]), "--questions", str(path)])
    assert "by kind:" in text.output and "attribute safety: 0 unsafe" in text.output
