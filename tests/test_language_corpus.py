"""The measured side of the language stage: the corpus, its held-out part, and the targets."""

from __future__ import annotations

import ast
import builtins
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from flows.language import Understander, normalise
from flows.language.evaluate import CORPUS, SMALL_TALK, evaluate, format_report, load_corpus
from flows.language.vocabulary import DATA, load_vocabulary

ROOT = Path(__file__).resolve().parent.parent
INTENTS = {"bind_card", "forgot_password", "my_card", "unbind", "progress", "cancel", "help",
           "menu", "resend", "phone_lost", "human", "report_loss", "lift_loss"}


def test_corpus_is_big_enough_and_holds_a_third_out() -> None:
    every, _ = load_corpus(part="all")
    held, _ = load_corpus(part="heldout")
    fresh, _ = load_corpus(part="fresh")  # blind too: never read while tuning
    labels = {label for _, label in held}
    assert len(every) >= 400
    assert len(held) + len(fresh) >= len(every) / 3
    assert sum(label in ("none", "negated") for _, label in every) >= 60
    assert INTENTS | {"fact", "none", "negated", "yes", "no"} <= labels
    assert any(label.startswith("choice_") for label in labels)
    for lang in ("zh_CN", "en"):
        assert yaml.safe_load((CORPUS / f"{lang}.yaml").read_text("utf-8"))["heldout"]


def _sentences(part: str) -> set[str]:
    """The part's lines that are sentences (a bare yes, no or number is a word of the data)."""
    lines, _ = load_corpus(part=part)
    return {normalise(text).text for text, label in lines
            if label not in ("yes", "no") and not label.startswith("choice_")}


def test_corpus_lines_are_not_in_the_matchers_data() -> None:
    """No corpus line is an example or a negative; no held-out line is a phrase of the data
    either (a one-word line may be a word of the vocabulary: 挂失 is both)."""
    vocabulary = load_vocabulary()
    sentences = {e for examples in vocabulary.examples.values() for e in examples}
    sentences |= set(vocabulary.negatives)
    phrases = {surface for surface in vocabulary.surfaces if " " in surface}
    assert _sentences("all") & sentences == set()
    held = _sentences("heldout") | _sentences("fresh")
    assert held & phrases - set(vocabulary.exact) == set()  # the catalog's words are its own


def test_held_out_small_talk_is_read_not_looked_up() -> None:
    """A held-out greeting, thanks, goodbye or ack is never one small-talk entry of the data
    ("感谢" alone would check a lookup); every kind is measured there in both languages."""
    vocabulary = load_vocabulary()
    held, _ = load_corpus(part="heldout")
    small = [(normalise(text).text, label) for text, label in held if label in SMALL_TALK]
    assert [text for text, _ in small if text in vocabulary.small_talk] == []
    assert {label for _, label in small} == SMALL_TALK
    for lang in ("zh_CN", "en"):
        part = yaml.safe_load((CORPUS / f"{lang}.yaml").read_text("utf-8"))["heldout"]
        assert {"thanks", "bye", "ack"} <= set(part)


def test_understander_build_never_opens_the_corpus(monkeypatch) -> None:
    opened: list[str] = []
    real = builtins.open

    def spy(file, *args, **kwargs):
        opened.append(str(file))
        return real(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy)
    Understander().understand("绑定社保卡")
    assert opened and not [p for p in opened if str(CORPUS) in p]
    assert any(str(DATA) in p for p in opened)


def test_evaluate_heldout_meets_its_targets() -> None:
    report = evaluate(Understander.shared(), part="heldout")
    assert report.total >= 130
    assert report.meets_targets(), format_report(report)
    assert report.false_starts == [] and report.reversals == []


def test_evaluate_counts_a_wrong_start_as_a_false_start(tmp_path) -> None:
    corpus = tmp_path / "tiny.yaml"
    corpus.write_text(yaml.safe_dump({
        "targets": {"accuracy": 1.0, "confirmations": 0.0, "false_starts": 0},
        "heldout": {"none": ["绑定社保卡"], "bind_card": ["社保卡"], "yes": ["好的"]},
    }, allow_unicode=True), "utf-8")
    report = evaluate(Understander.shared(), corpus)
    assert report.false_starts == ["绑定社保卡"]
    assert report.total == 3 and report.right == 1
    assert not report.meets_targets()
    text = format_report(report)
    assert "false start: 绑定社保卡" in text and "BELOW TARGETS" in text


def test_evaluate_counts_a_request_read_as_refusing_it_as_a_reversal(tmp_path) -> None:
    corpus = tmp_path / "tiny.yaml"  # "不想绑了" labelled unbind: a reader saying "好的，不办理"
    corpus.write_text(yaml.safe_dump({  # to it does the opposite of what was asked
        "targets": {"accuracy": 0.0, "confirmations": 1.0, "false_starts": 0, "reversals": 0},
        "heldout": {"unbind": ["我不想绑定社保卡"], "negated": ["我不想挂失"]},
    }, allow_unicode=True), "utf-8")
    report = evaluate(Understander.shared(), corpus)
    assert report.reversals == ["我不想绑定社保卡"]  # the negated line is right, no reversal
    assert not report.meets_targets()
    assert "reversal: 我不想绑定社保卡" in format_report(report)
    assert "0 false starts and 1 reversals not shown" in format_report(report, lines=False)


def test_timing_is_reported_but_never_decides_the_targets(tmp_path) -> None:
    corpus = tmp_path / "tiny.yaml"  # an old file's speed target, which no machine could meet
    corpus.write_text(yaml.safe_dump({
        "targets": {"accuracy": 1.0, "confirmations": 0.0, "false_starts": 0,
                    "us_per_message": 0.001},
        "heldout": {"bind_card": ["绑定社保卡"], "none": ["今天天气怎么样"]},
    }, allow_unicode=True), "utf-8")
    report = evaluate(Understander.shared(), corpus)
    assert report.right == 2 and report.us_per_message > 0.001
    assert report.meets_targets()
    text = format_report(report)
    assert "µs per message" in text and "not a target" in text and "meets targets" in text


def test_understander_keeps_jieba_cache_where_the_caller_says(tmp_path) -> None:
    Understander(cache_dir=str(tmp_path)).understand("绑定社保卡")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("jieba")]


def test_language_package_imports_nothing_of_the_bot() -> None:
    for path in (ROOT / "flows" / "language").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not [n for n in names if n.split(".")[0] in ("bot", "flask")], path


@pytest.mark.parametrize("code", [
    "import flows.language",
    "from flows.language import Understander; Understander().understand('绑定社保卡')",
])
@pytest.mark.e2e
def test_language_import_is_quiet_outside_pytest(code, tmp_path) -> None:
    """Warnings as errors and no cached bytecode (jieba's sources warn when compiled)."""
    check = "; import sys; assert not {m.split('.')[0] for m in sys.modules} & {'bot', 'flask'}"
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(tmp_path)}
    done = subprocess.run([sys.executable, "-W", "error", "-c", code + check], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env=env)
    assert (done.returncode, done.stderr, done.stdout) == (0, "", "")


@pytest.mark.e2e
def test_understand_is_the_same_in_every_process() -> None:
    """Sets iterate in hash order, which changes per process: scores must not depend on it."""
    code = ("from flows.language import Understander; from flows.language.evaluate import "
            "load_corpus; u = Understander(); "
            "print(repr([u.understand(t) for t, _ in load_corpus(part='all')[0]]))")
    runs = {subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}, check=True).stdout
            for seed in ("1", "2")}
    assert len(runs) == 1 and "bind_card" in runs.pop()
