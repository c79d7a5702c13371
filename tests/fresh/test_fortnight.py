"""Fresh food, simulated and scored: markdowns approved as suggested cut waste without costing revenue.

A short run of ``comptoir demo fresh`` (simulators/demo/fresh.py): the store
world's dated lots and shoppers against the real hub in process (FastAPI
over ASGI, SQLite, ingest, a manual clock on the world's time), on one seed,
markdowns off then on. The figures are the hub's ``GET /api/kpis``; they must
agree with the world's truth, and the verdict must hold.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from click.testing import CliRunner

from simulators.demo.cli import demo
from simulators.demo.fresh import FreshOptions, run_fresh
from simulators.demo.fresh_cli import figure, format_fresh, mismatches, shown, verdict

SEED = 2
DAYS = 4
PRODUCTS = 14


def test_markdowns_cut_the_waste_value_and_keep_revenue_net_of_waste(tmp_path: Path) -> None:
    off, on = (asyncio.run(run_fresh(FreshOptions(days=DAYS, seed=SEED, markdowns=m, products=PRODUCTS,
                                                  workdir=tmp_path))) for m in (False, True))
    report = format_fresh(off, on)
    print(report)
    waste_line = next(line for line in report.splitlines() if "waste value" in line)
    assert shown(figure(off, "waste_value"), "cents") in waste_line  # the report says the KPI page's figure
    assert shown(figure(on, "waste_value"), "cents") in waste_line
    for run in (off, on):
        assert run["office"].get("sold", 0) > 200, run["office"]
        assert not mismatches(run), mismatches(run)  # the hub's numbers are the world's
        assert figure(run, "waste_value") == run["truth"]["wasted_cents"]
        assert figure(run, "revenue") == run["truth"]["revenue_cents"]
    assert off["approved"] == 0 and figure(off, "markdown_recovered") == 0
    assert on["approved"] > 0 and not on["labels_unmatched"], on["labels_unmatched"]
    assert figure(on, "markdown_recovered") > 0
    assert figure(on, "markdown_recovered") == on["truth"]["recovered_cents"]
    assert figure(off, "waste_value") > 0, "nothing expired without markdowns: the world wastes nothing to save"
    result = verdict(off, on)
    assert figure(on, "waste_value") < figure(off, "waste_value"), result
    assert result["revenue_net_change_cents"] >= 0, result


def test_the_command_refuses_a_run_longer_than_a_staff_session() -> None:
    result = CliRunner().invoke(demo, ["fresh", "--days", "40"])
    assert result.exit_code == 2 and "--days" in result.output
