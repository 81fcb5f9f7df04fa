"""Drives the real console front end with text in and text out."""

from __future__ import annotations

import io

from bot.console.repl import CONSOLE_TEAM, Console
from bot.runtime import Runtime


class ConsoleDriver:
    def __init__(self, runtime: Runtime, user: str = "mei", team: str = CONSOLE_TEAM) -> None:
        self.out = io.StringIO()
        self.console = Console(runtime, user=user, team=team, stdin=io.StringIO(""), stdout=self.out)

    def send(self, line: str, *answers: str) -> str:
        """Type a line (and answers to any form it opens); returns what the console printed."""
        self.console.stdin = io.StringIO("".join(a + "\n" for a in answers))
        start = self.out.tell()
        self.console.handle(line)
        self.out.seek(start)
        printed = self.out.read()
        self.out.seek(0, io.SEEK_END)
        return printed

    def as_user(self, user: str) -> ConsoleDriver:
        self.console.user = user
        return self
