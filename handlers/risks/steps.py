"""The steps of a category's playbook: the built-in ones (their text in the message catalogue, so each
reader sees them in their own language), or the workspace's own. Plain data, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from handlers.core.reply import Text
from models.risks.risk import Category

# Days after the start each built-in step is due; the step texts are risk.playbook.<category>.step<n>.
BUILTIN: dict[str, tuple[int, ...]] = {
    Category.FX: (1, 2, 3, 3, 7),
    Category.TARIFF: (2, 2, 5, 7, 7),
    Category.LOGISTICS: (1, 2, 3, 1, 2),
    Category.QUALITY: (1, 2, 5, 2, 7),
    Category.RETURNS: (1, 1, 2, 3, 14),
    Category.PLATFORM: (0, 1, 2, 2, 7),
    Category.PRIVACY: (0, 1, 3, 3, 14),
    Category.SUPPLIER: (1, 2, 10, 14, 21),
    Category.OTHER: (1, 2, 3, 7),
}


@dataclass(frozen=True)
class Step:
    text: Text | str
    days: int | None

    def action(self, owner_id: int, today: date) -> dict[str, Any]:
        return {
            "text": self.text if isinstance(self.text, str) else None,
            "text_key": self.text.key if isinstance(self.text, Text) else None,
            "owner_id": owner_id,
            "due": today + timedelta(days=self.days) if self.days is not None else None,
        }


def steps_of(category: str, own: list[dict[str, Any]] | None) -> tuple[list[Step], bool]:
    """The category's steps from the workspace's own (when it has them), and whether they are its own."""
    if own is not None:
        return [Step(s["text"], s.get("days")) for s in own], True
    days = BUILTIN.get(category, ())
    return [Step(Text(f"risk.playbook.{category}.step{n}"), d) for n, d in enumerate(days, start=1)], False
