"""`wxbot understand`: what the language stage makes of a text, and how well it does overall.

The same Understander and knowledge retriever the bot builds, so what this prints is what a
follower's message meets; slots are shown masked, as everywhere else. A command of the CLI,
not of the dialogue: it reads the settings (BOT_LANG), which bot/dialogue never imports.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import click
import yaml

from bot.dialogue.explain import explain
from flows.catalog import DEFAULT_LANG, LANGS


@click.command("understand")
@click.argument("text", required=False)
@click.option("--lang", type=click.Choice(LANGS), default=None,
              help="The bot's language: the answer is shown as a bot speaking it says it; "
                   "with --eval, only this language's questions are scored.  [default: "
                   "BOT_LANG, else zh_CN]")
@click.option("--eval", "evaluate", is_flag=True,
              help="Score the labelled corpora, or the corpus FILE given in TEXT's place "
                   "(the held-out part unless --part says otherwise; all of a FILE), and "
                   "exit non-zero below the targets set in the data.")
@click.option("--part", type=click.Choice(["heldout", "fresh", "dev", "all"]), default=None,
              help="Which part of the corpora --eval scores.  [default: heldout; all of a "
                   "FILE]")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of lines.")
def understand_command(text: str | None, lang: str | None, evaluate: bool, part: str | None,
                       as_json: bool) -> None:
    """Print what the bot understands of TEXT (intent, confidence, reason, slots, answer).

    \b
    wxbot understand "几岁可以绑定社保卡？"
    wxbot understand "how old to bind?" --lang en --json
    wxbot understand --eval                 the shipped corpora's held-out parts
    wxbot understand --eval my-lines.yaml   your own corpus (targets, dev/heldout: label: [..])
    """
    if evaluate:
        sys.exit(_evaluate(Path(text) if text else None, part, lang))
    if not text:
        raise click.UsageError("give a TEXT to read, or --eval")
    shown = explain(text, lang or _bot_lang())
    if as_json:
        click.echo(json.dumps(shown, ensure_ascii=False))
        return
    for key in ("text", "intent", "confidence", "reason", "act", "howto", "question",
                "candidates", "choice", "yes_no", "unsure", "slots", "answer"):
        click.echo(f"{key:>10}: {shown.get(key)}")


def _bot_lang() -> str:
    """BOT_LANG as the bot reads it (the environment or .env), else the default; only that
    setting is read, so an unrelated bad setting does not stop a look at one sentence."""
    from bot.config import merged

    lang = merged().get("BOT_LANG") or DEFAULT_LANG
    if lang not in LANGS:
        raise click.UsageError(f"BOT_LANG={lang!r} is not one of {', '.join(LANGS)}; "
                               "or give --lang")
    return lang


def _evaluate(corpus: Path | None, part: str | None, lang: str | None) -> int:
    """Intents, slots and answers scored; 0 only when every target in the data is met.
    A corpus FILE is scored alone against its own targets (else the shipped corpora's)."""
    from flows import knowledge
    from flows.knowledge.follow_eval import evaluate_follow_ups, format_follow_ups
    from flows.language import Understander, evaluate, slot_report

    if corpus is not None:
        _check_corpus(corpus)
    lines = part or ("all" if corpus is not None else "heldout")
    intents = evaluate.evaluate(Understander.shared(), corpus, part=lines)
    if not intents.total:
        raise click.UsageError(f"no labelled lines in part {lines!r} of "
                               f"{corpus or 'the shipped corpora'}")
    if corpus is not None:  # your corpus alone decides: a check you can put in your own CI
        if not intents.targets:
            intents.targets = evaluate.load_corpus(None, "dev")[1]
            click.echo("(no targets: in the file; the shipped corpora's are used)")
        click.echo(evaluate.format_report(intents, lines=True))
        return 0 if intents.meets_targets() else 1
    slots = slot_report.evaluate_slots()
    asked = part if part in ("dev", "all") else "heldout"  # the question set has no fresh
    answers = knowledge.evaluate(lang, part=asked)
    # Lines are printed from your own FILE and from dev only: the shipped held-out and fresh
    # parts stay blind while no one reads them (their figures are all that is shown).
    click.echo(evaluate.format_report(intents, lines=corpus is not None or lines == "dev"))
    click.echo(slot_report.format_slot_report(slots))
    click.echo(knowledge.format_report(answers))
    click.echo(format_follow_ups(evaluate_follow_ups(asked)))
    met = intents.meets_targets() and slots.meets_targets() and answers.meets_targets()
    click.echo("targets: met" if met else "targets: MISSED")
    return 0 if met else 1


def _check_corpus(path: Path) -> None:
    """A corpus FILE that cannot be read is refused with what was expected, not a traceback."""
    shape = "a YAML mapping: targets: {...}, and parts (dev, heldout, fresh) of label: [lines]"
    if not path.is_file():
        raise click.UsageError(f"--eval: no corpus file {path} (expected {shape})")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise click.UsageError(f"--eval: {path} is not readable YAML ({exc})") from None
    parts = {k: v for k, v in data.items() if k != "targets"} if isinstance(data, dict) else None
    if not parts or not all(isinstance(v, dict) and all(isinstance(t, list) for t in v.values())
                            for v in parts.values()):
        raise click.UsageError(f"--eval: {path} is not a corpus (expected {shape})")
    known = _labels()
    unknown = sorted({label for v in parts.values() for label in map(str, v)
                      if label not in known and not re.fullmatch(r"choice_[1-9]", label)})
    if unknown:
        raise click.UsageError(f"--eval: {path} has labels the bot never gives: "
                               f"{', '.join(unknown)} (known: {', '.join(sorted(known))}, "
                               "choice_N)")


def _labels() -> set[str]:
    """The labels the shipped corpora use (the intents, fact, none, yes…): their labels only,
    read by the evaluation's own corpus reader."""
    from flows.language.evaluate import load_corpus

    return {label for _, label in load_corpus(None, "all")[0]}
