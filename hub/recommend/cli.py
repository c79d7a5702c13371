"""``comptoir recommend evaluate``: how well "often bought together" predicts a hidden basket item."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.group()
def recommend() -> None:
    """Recommendations: offline evaluation."""


@recommend.command()
@click.option("--baskets", "path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="CSV with basket_id,product_id (and optionally customer_id,ts).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--k", default=10, show_default=True, type=click.IntRange(1, 100), help="Length of the list.")
@click.option("--min-support", default=2, show_default=True, type=click.IntRange(1, 1000),
              help="Least baskets holding a pair for it to count.")
def evaluate(path: Path, as_json: bool, k: int, min_support: int) -> None:
    """Hide one item of each test basket, predict it from the rest: HR@k and NDCG@k against popularity."""
    from hub.recommend.baskets import BasketFileError, from_csv
    from hub.recommend.evaluate import EvalSettings
    from hub.recommend.evaluate import evaluate as run

    try:
        baskets = from_csv(path)
    except BasketFileError as exc:
        raise click.ClickException(str(exc)) from None
    result = run(baskets, EvalSettings(k=k, min_support=min_support))
    if as_json:
        click.echo(json.dumps({key: result[key] for key in ("recommender", "popularity", "baskets")}))
        return
    if not result["baskets"]:
        raise click.ClickException("no test basket with two or more products: nothing to evaluate")
    click.echo(f"{result['baskets']} test baskets ({result['train_baskets']} for training), one item hidden in each")
    for name in ("recommender", "popularity"):
        scores = result[name]
        click.echo(f"{name:12s} HR@{k} {scores[f'hr@{k}']:.3f}  NDCG@{k} {scores[f'ndcg@{k}']:.3f}")  # type: ignore[index]
