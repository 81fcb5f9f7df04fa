"""A requirement captured from a chat message: its text split into title and description, its link."""

from __future__ import annotations

from typing import Any

LINK_MAX = 1000
LINK_SCHEMES = ("https://", "http://")


def captured_fields(text: str, *, title_max: int, text_max: int) -> dict[str, Any]:
    """The first non-blank line as the title (cut to `title_max` with an ellipsis), the rest as the
    description; a cut title keeps the whole message in the description, so nothing is lost."""
    lines = text.strip().splitlines()
    first = lines[0].strip() if lines else ""
    rest = "\n".join(lines[1:]).strip()
    title = first if len(first) <= title_max else first[: title_max - 1].rstrip() + "…"
    description = text.strip() if title != first else rest
    if len(description) > text_max:
        description = description[: text_max - 1].rstrip() + "…"
    found: dict[str, Any] = {"title": title}
    if description:
        found["desc"] = description
    return found


def source_link(value: Any) -> str | None:
    """A permalink the platform gave us, or None for anything that is not a plain web address."""
    if not isinstance(value, str) or len(value) > LINK_MAX or not value.startswith(LINK_SCHEMES):
        return None
    if any(ch.isspace() or ch in "<>|\"'" for ch in value):
        return None
    return value
