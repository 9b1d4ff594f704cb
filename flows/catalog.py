"""Every reply string, by key, in zh_CN (default) and en; keywords are heard in both."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent / "messages"
DEFAULT_LANG = "zh_CN"
LANGS = (DEFAULT_LANG, "en")  # every language the bot speaks; each has messages/<lang>.yaml


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


@cache
def _load(lang: str) -> dict[str, Any]:
    with open(HERE / f"{lang}.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


class Catalog:
    """Loaded once per language and shared; lookups are dict reads, nothing per message."""

    def __init__(self, lang: str = DEFAULT_LANG, extra: dict[str, Any] | None = None) -> None:
        if lang not in LANGS:
            raise ValueError(f"no catalog for {lang!r}; have {', '.join(LANGS)}")
        self.lang = lang
        self.texts: dict[str, str] = {**_load(lang)["texts"], **(extra or {}).get("texts", {})}
        self.phrases: dict[str, str] = {}  # folded phrase -> keyword key
        self.words: dict[str, str] = {  # keyword key -> its first phrase in this language
            key: phrases[0] for key, phrases in _load(lang)["keywords"].items()}
        sources = [_load(each)["keywords"] for each in LANGS]  # heard whatever BOT_LANG says
        for keywords in [*sources, (extra or {}).get("keywords", {})]:
            for key, phrases in keywords.items():
                self.phrases.update((p.casefold(), key) for p in phrases)

    def text(self, key: str, **values: Any) -> str:
        template = self.texts.get(key)
        if template is None:
            raise KeyError(f"no message {key!r} in the {self.lang} catalog")
        return template.format_map(_Blank(values))

    def command(self, said: str) -> str | None:
        """The keyword key (cancel, help, bind_card…) that the follower's words are, if any."""
        return self.phrases.get(said.strip().casefold())

    def word(self, key: str) -> str:
        """The phrase that says keyword `key` exactly, e.g. what a step reads as "resend"."""
        return self.words[key]
