"""``comptoir ask "TEXT"``: the kiosk assistant's answer from the command line, against a hub database."""

from __future__ import annotations

import json
from pathlib import Path

import click

from comptoir.config import ConfigError, load_config


def _open(config_path: Path | None, db_path: Path | None):
    from hub.assistant.assistant import Assistant
    from hub.config import HubConfig
    from hub.inventory.facts import StockReader
    from hub.inventory.fusion import Fusion
    from hub.store import open_database

    if config_path is not None:
        try:
            config = load_config(config_path, HubConfig)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
    elif db_path is not None:
        config = HubConfig(store="store", db=db_path)
    else:
        raise click.UsageError("give --db hub.sqlite or --config hub.yaml")
    if db_path is not None:
        config = config.model_copy(update={"db": db_path})
    if not Path(config.db).exists():
        raise click.ClickException(f"no hub database at {config.db}")
    db = open_database(config.db)
    return Assistant(db, StockReader(db, Fusion(db, config.fusion)), config.kiosk)


class _AskGroup(click.Group):
    """``comptoir ask "TEXT"`` asks; ``comptoir ask evaluate ...`` measures: a question is never a subcommand name."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and (args[0] in self.commands or args[0] in ("-h", "--help")):
            return super().parse_args(ctx, args)
        ctx.meta["ask_args"] = list(args)
        return super().parse_args(ctx, ["question", *args])


@click.group(cls=_AskGroup)
def ask() -> None:
    """Ask the kiosk assistant a question, as a customer would (FR or EN); or measure it on a question file.

    \b
    comptoir ask --db hub.sqlite "où est la farine ?"
    comptoir ask evaluate --db hub.sqlite --questions questions.jsonl [--json]
    """


@ask.command("question", hidden=True)
@click.argument("text", required=False)
@click.option("--lang", type=click.Choice(["fr", "en"]), help="Answer in this language (detected otherwise).")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer.")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), help="The hub's database file.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), help="The hub's YAML config.")
@click.option("--build-index", is_flag=True, help="Embed the catalog now (done once; later runs reuse it).")
def question(text: str | None, lang: str | None, as_json: bool, db_path: Path | None, config_path: Path | None,
             build_index: bool) -> None:
    """Ask the kiosk assistant a question, as a customer would (FR or EN)."""
    if text is None and not build_index:
        raise click.UsageError('give a question, e.g. comptoir ask "où est la farine ?"')
    assistant = _open(config_path, db_path)
    if build_index or assistant.index is None:
        from rich.progress import Progress

        with Progress(transient=True) as progress:
            task = progress.add_task("embedding the catalog", total=None)
            assistant.ensure_index(lambda done, total: progress.update(task, completed=done, total=total))
        if text is None:
            click.echo(f"catalog index ready: {len(assistant.ensure_index())} products")
            return
    from hub.assistant.api import reply_out

    reply = assistant.ask(text or "", lang=lang)  # type: ignore[arg-type]
    if as_json:
        click.echo(json.dumps(reply_out(reply).model_dump(), ensure_ascii=False, indent=2))
        return
    click.echo(reply.answer)
    if reply.handoff:
        click.echo("(offers a staff member)" if reply.lang == "en" else "(propose un membre de l'équipe)")


@ask.command("evaluate")
@click.option("--questions", "questions_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Question file (JSON Lines, see tests/kiosk/questions/README.md).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures and the failures as JSON.")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), help="The hub's database file.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), help="The hub's YAML config.")
def evaluate(questions_path: Path, as_json: bool, db_path: Path | None, config_path: Path | None) -> None:
    """Pass rates of the assistant over a question file, per kind of question, per expected behaviour."""
    from hub.assistant.evaluate import QuestionsError, load_questions
    from hub.assistant.evaluate import evaluate as run

    try:
        questions = load_questions(questions_path)
    except QuestionsError as exc:
        raise click.ClickException(str(exc)) from None
    assistant = _open(config_path, db_path)
    assistant.ensure_index()
    figures, _ = run(assistant, questions)
    if as_json:
        click.echo(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    click.echo(report(figures))


def report(figures: dict) -> str:
    """The figures as a few readable lines, then the failing questions."""
    def line(name: str, rate: dict) -> str:
        shown = "-" if rate["rate"] is None else f"{100 * rate['rate']:.1f}%"
        return f"  {name:<14} {rate['passed']:>4}/{rate['total']:<4} {shown}"

    out = [line("overall", figures["overall"]), "by kind:"]
    out += [line(k, v) for k, v in figures["by_kind"].items()]
    out += ["by expected behaviour:"] + [line(k, v) for k, v in figures["by_expect"].items()]
    safety = figures["attribute_safety"]
    out.append(f"attribute safety: {safety['unsafe']} unsafe answer(s) in {safety['questions']} attribute question(s)")
    if figures["failures"]:
        out.append(f"failing questions ({len(figures['failures'])}):")
        for f in figures["failures"]:
            answered = f["answered"].replace("\n", " / ")
            out.append(f"- [{f['id']}] {f['text']!r}: expected {f['expected']}; {f['why']}; answered: {answered}")
    return "\n".join(out)
