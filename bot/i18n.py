"""The message catalogue: every user-visible string in en and zh-CN, looked up by key."""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from bot.resources import TEMPLATES
from handlers.core.reply import Text

log = logging.getLogger(__name__)

LANGS = ("en", "zh-CN")
FALLBACK = "en"


class Catalog:
    def __init__(self, messages: Mapping[str, Mapping[str, str]]) -> None:
        self.messages = messages

    @classmethod
    def load(cls, folder: Path = TEMPLATES / "i18n") -> Catalog:
        """Every templates/i18n/<lang>/*.toml merged; one file per feature, a key defined once."""
        messages: dict[str, dict[str, str]] = {}
        for lang in LANGS:
            merged: dict[str, str] = {}
            for path in sorted((folder / lang).glob("*.toml")):
                with open(path, "rb") as f:
                    for key, value in _flatten(tomllib.load(f)):
                        if key in merged:
                            raise ValueError(f"message {key!r} defined twice ({path})")
                        merged[key] = value
            messages[lang] = merged
        return cls(messages)

    def template(self, lang: str, key: str) -> str:
        """The raw message for `key` in `lang` (English when it has none; the key itself, logged, when
        no language has it)."""
        template = self.messages.get(lang, {}).get(key)
        if template is None:
            template = self.messages[FALLBACK].get(key)
            if template is None:
                log.error("missing message %r", key)
                return key
        return template

    @staticmethod
    def fill(key: str, template: str, params: Mapping[str, Any]) -> str:
        try:
            return choose(template, params).format(**params)
        except (KeyError, IndexError, ValueError, TemplateError):
            log.exception("message %r cannot be filled with %s", key, sorted(params))
            return template

    def t(self, lang: str, message: str | Text, /, **params: Any) -> str:
        if isinstance(message, Text):
            params = {**message.params, **params}
            key = message.key
        else:
            key = message
        template = self.messages.get(lang, {}).get(key)
        if template is None:
            template = self.messages[FALLBACK].get(key)
            if template is None:
                log.error("missing message %r", key)
                return key
        if not params:
            return template
        resolved = {name: self._param(lang, value) for name, value in params.items()}
        try:
            return choose(template, resolved).format(**resolved)
        except (KeyError, IndexError, ValueError, TemplateError):
            log.exception("message %r cannot be filled with %s", key, sorted(resolved))
            return template

    def _param(self, lang: str, value: Any) -> Any:
        if isinstance(value, Text):
            return self.t(lang, value)
        if isinstance(value, list | tuple):
            separator = "、" if lang.startswith("zh") else ", "
            return separator.join(str(self._param(lang, v)) for v in value)
        return value


# A message may choose its words by its numbers with jinja2 statements, e.g. plurals:
# "{n} {% if n == 1 %}step{% else %}steps{% endif %}". Its {name} placeholders are filled afterwards.
_WORDING = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


def choose(template: str, params: Mapping[str, Any]) -> str:
    if "{%" not in template:
        return template
    return _compiled(template).render(**params)


@cache
def _compiled(template: str) -> Any:
    return _WORDING.from_string(template)


def _flatten(table: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            out.extend(_flatten(value, key + "."))
        else:
            out.append((key, str(value)))
    return out


@cache
def catalog() -> Catalog:
    return Catalog.load()
