"""The Notifier port for the console: everything is printed in the one terminal; files go to disk."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Protocol

from bot.notify import Posted
from bot.render.text import TextRenderer
from bot.render.viewer import Viewer
from handlers.core.reply import Reply

FILES_DIR = Path("tradewind-files")


class Screen(Protocol):
    """The terminal the console draws on (bot/console/repl.py's Console)."""

    last_kind: str | None
    renderer: TextRenderer

    def draw(self, reply: Reply, viewer: Viewer, prefix: str = "") -> None: ...

    def say(self, text: str) -> None: ...


class ConsoleNotifier:
    platform = "console"
    nests_replies = False

    def __init__(self, console: Screen) -> None:
        self.console = console
        self._ids = itertools.count(1)

    def post(self, channel_ref: str, reply: Reply, viewer: Viewer, *, thread_ref: str | None = None) -> Posted:
        self.console.draw(reply, viewer)
        return Posted(channel_ref, f"m{next(self._ids)}")

    def update(self, channel_ref: str, message_ref: str, reply: Reply, viewer: Viewer) -> None:
        if reply.kind == self.console.last_kind:
            # The answer just printed is this card's new look: one terminal needs no second copy.
            self.console.say(self.console.renderer.t(viewer, "console.updated", ref=message_ref))
            return
        self.console.draw(
            reply, viewer, prefix=self.console.renderer.t(viewer, "console.updated", ref=message_ref) + "\n"
        )

    def direct(self, user_ref: str, reply: Reply, viewer: Viewer) -> Posted:
        self.console.draw(
            reply, viewer, prefix=self.console.renderer.t(viewer, "console.private", user=user_ref) + "\n"
        )
        return Posted(f"@{user_ref}", f"m{next(self._ids)}")

    def upload(
        self, channel_ref: str, filename: str, content: bytes, title: str, comment: str | None, viewer: Viewer
    ) -> None:
        FILES_DIR.mkdir(exist_ok=True)
        path = _unused(FILES_DIR / Path(filename).name)
        path.write_bytes(content)
        saved = self.console.renderer.t(viewer, "console.saved", title=title, path=str(path))
        self.console.say(f"{comment + chr(10) if comment else ''}{saved}")


def _unused(path: Path) -> Path:
    """`path`, or `name-2.ext`, `name-3.ext`…: a second export of the day never overwrites the first."""
    candidate, n = path, 2
    while candidate.exists():
        candidate, n = path.with_stem(f"{path.stem}-{n}"), n + 1
    return candidate
