"""Command-line parsing for chat: words, key=value options, quotes and mentions.

Input arrives in one canonical form from every front end: Slack's escaped text, where `&`, `<` and
`>` are entities and mentions are `<@U123|name>`. Chinese input methods type full-width
punctuation, so `＝ ， 、 ： “ ” 「 」` and the ideographic space work like their ASCII twins
wherever they are syntax; inside values they are kept as typed.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

SPACES = frozenset(" \t\n\r\u3000\u00a0")
EQUALS = frozenset("=＝")
COLONS = frozenset(":：")
QUOTE_PAIRS = {'"': '"”“', "“": '”"“', "”": '”"“', "「": "」", "『": "』", "'": "'’", "‘": "’'"}
LIST_SEPARATORS = re.compile(r"\s*[,，、;；]\s*")
KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_-]+)?")
ANGLE = re.compile(r"<([@#!])?([^<>|]*)(?:\|([^<>]*))?>")


class ParseError(Exception):
    def __init__(self, key: str, **params: str) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Mention:
    user_ref: str
    name: str | None = None

    def canonical(self) -> str:
        return f"<@{self.user_ref}|{self.name}>" if self.name else f"<@{self.user_ref}>"


@dataclass
class Args:
    words: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        return " ".join(self.words)


def parse(raw: str, *, colon_keys: frozenset[str] = frozenset()) -> Args:
    """Split text into positional words and options.

    `key=value` is an option for any key; `key:value` only for the command's own keys (`colon_keys`,
    where "reach.*" admits reach.US), so that a title such as "fix: crash" stays a title.
    """
    args = Args()
    for token, quoted_from in _tokens(raw):
        key, value = _split_option(token, quoted_from, colon_keys)
        if key is None:
            args.words.append(unescape(token))
            continue
        if key in args.options:
            raise ParseError("args.duplicate_key", name=key)
        args.options[key] = unescape(value)
    return args


def known_key(key: str, keys: frozenset[str]) -> bool:
    return key in keys or f"{key.split('.', 1)[0]}.*" in keys


def split_list(value: str) -> list[str]:
    return [part for part in LIST_SEPARATORS.split(value.strip()) if part]


def parse_mention(value: str) -> Mention | None:
    match = ANGLE.fullmatch(value.strip())
    if match is None or match.group(1) != "@":
        return None
    return Mention(match.group(2), match.group(3) or None)


def normalise_word(word: str) -> str:
    """Fold full-width letters and digits, for keys, subcommands and ids (never for free text)."""
    return unicodedata.normalize("NFKC", word).strip().lower()


def _tokens(raw: str) -> list[tuple[str, int]]:
    """Tokens with quotes removed; the int is where a quoted part began (-1 when unquoted)."""
    tokens: list[tuple[str, int]] = []
    current: list[str] = []
    quoted_from = -1
    in_token = False
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch in SPACES:
            if in_token:
                tokens.append(("".join(current), quoted_from))
                current, quoted_from, in_token = [], -1, False
            i += 1
            continue
        if ch in QUOTE_PAIRS and _opens_quote(raw, i, current):
            closers = QUOTE_PAIRS[ch]
            end = _find_closer(raw, i + 1, closers)
            if end is None:
                raise ParseError("args.unclosed_quote", quote=ch)
            if quoted_from < 0:
                quoted_from = sum(len(part) for part in current)
            current.append(raw[i + 1 : end])
            in_token = True
            i = end + 1
            continue
        if ch == "<":
            close = raw.find(">", i)
            if close > i:
                current.append(raw[i : close + 1])
                in_token = True
                i = close + 1
                continue
        current.append(ch)
        in_token = True
        i += 1
    if in_token:
        tokens.append(("".join(current), quoted_from))
    return tokens


def _opens_quote(raw: str, i: int, current: list[str]) -> bool:
    ch = raw[i]
    if ch not in "'‘":
        return True
    # An apostrophe opens a quote only at the start of a token or right after `key=`.
    return not current or "".join(current)[-1:] in EQUALS


def _find_closer(raw: str, start: int, closers: str) -> int | None:
    for j in range(start, len(raw)):
        if raw[j] in closers:
            return j
    return None


def _split_option(token: str, quoted_from: int, colon_keys: frozenset[str]) -> tuple[str | None, str]:
    for i, ch in enumerate(token):
        if 0 <= quoted_from <= i or ch == "<":
            return None, token
        if ch in EQUALS or ch in COLONS:
            key = normalise_word(token[:i])
            if not KEY_PATTERN.fullmatch(key):
                return None, token
            if ch in COLONS and not known_key(key, colon_keys):
                return None, token
            return key, token[i + 1 :]
    return None, token


def unescape(value: str) -> str:
    """Resolve Slack's escaping: links and channels to their text, entities to characters."""

    def replace(match: re.Match[str]) -> str:
        sigil, target, label = match.group(1), match.group(2), match.group(3)
        if sigil == "@":
            return match.group(0)  # mentions stay canonical for parse_mention
        if sigil == "#":
            return f"#{label or target}"
        if sigil == "!":
            return f"@{label or target}"
        return label or target

    return html.unescape(ANGLE.sub(replace, value))
