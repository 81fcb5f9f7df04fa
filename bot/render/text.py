"""Plain-text drawing of replies for the console: templates/text/<kind>.txt.j2."""

from __future__ import annotations

from typing import Any

from bot.render.environment import Templates, Viewer
from handlers.core.reply import Reply


class TextRenderer(Templates):
    def __init__(self) -> None:
        super().__init__("text")
        self.env.filters["person"] = _person
        self.env.filters["esc"] = str

    def message(self, reply: Reply, viewer: Viewer) -> str:
        body = self.draw(f"{reply.kind}.txt.j2", viewer, reply.data).strip()
        if not reply.buttons:
            return body
        labels = "  ".join(f"[{i}] {self.t(viewer, b.label)}" for i, b in enumerate(reply.buttons, start=1))
        return f"{body}\n{labels}" if body else labels


def _person(who: dict[str, Any] | None) -> str:
    if not who:
        return "—"
    return f"@{who.get('name') or who['ref']}"
