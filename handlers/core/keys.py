"""Entity keys as people type them: REQ-12, req12, #12 or just 12 (full-width digits too)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from handlers.core.args import normalise_word
from handlers.core.reply import UsageError


@dataclass(frozen=True)
class KeyKind:
    prefix: str  # "REQ"
    messages: str  # catalogue prefix: "<messages>.bad_key" {value}, "<messages>.not_found" {key}
    pattern: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pattern", re.compile(rf"(?:{self.prefix.lower()}-?|#)?(\d{{1,9}})"))

    def number(self, text: str, usage: str) -> int:
        """The number in a typed key, or a usage error naming what was typed."""
        match = self.pattern.fullmatch(normalise_word(text))
        if match is None:
            raise UsageError(f"{self.messages}.bad_key", usage, value=text)
        return int(match.group(1))

    def not_found(self, number: int, usage: str) -> UsageError:
        return UsageError(f"{self.messages}.not_found", usage, key=f"{self.prefix}-{number}")
