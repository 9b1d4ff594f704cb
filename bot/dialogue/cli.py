"""`wxbot understand`: what the language stage makes of a text, and how well it does overall.

The same Understander and knowledge retriever the bot builds, so what this prints is what a
follower's message meets; slots are shown masked, as everywhere else.
"""

from __future__ import annotations

import json
import sys

import click

from bot.dialogue.explain import explain


@click.command("understand")
@click.argument("text", required=False)
@click.option("--eval", "evaluate", is_flag=True,
              help="Score the labelled corpora (held-out part unless --part all) and exit "
                   "non-zero below the targets set in the data.")
@click.option("--part", type=click.Choice(["heldout", "fresh", "dev", "all"]), default="heldout",
              show_default=True, help="Which part of the corpora --eval scores.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of lines.")
def understand_command(text: str | None, evaluate: bool, part: str, as_json: bool) -> None:
    """Print what the bot understands of TEXT (intent, confidence, reason, slots, answer)."""
    if evaluate:
        sys.exit(_evaluate(part))
    if not text:
        raise click.UsageError("give a TEXT to read, or --eval")
    shown = explain(text)
    if as_json:
        click.echo(json.dumps(shown, ensure_ascii=False))
        return
    for key in ("text", "intent", "confidence", "reason", "act", "howto", "question",
                "candidates", "choice", "yes_no", "unsure", "slots", "answer"):
        click.echo(f"{key:>10}: {shown.get(key)}")


def _evaluate(part: str) -> int:
    """Intents, slots and answers scored; 0 only when every target in the data is met."""
    from flows import knowledge
    from flows.language import Understander, evaluate, slot_report

    intents = evaluate.evaluate(Understander.shared(), part=part)
    slots = slot_report.evaluate_slots()
    answers = knowledge.evaluate(part="heldout" if part == "fresh" else part)  # it has no fresh
    click.echo(evaluate.format_report(intents))
    click.echo(slot_report.format_slot_report(slots))
    click.echo(knowledge.format_report(answers))
    met = intents.meets_targets() and slots.meets_targets() and answers.meets_targets()
    click.echo("targets: met" if met else "targets: MISSED")
    return 0 if met else 1
