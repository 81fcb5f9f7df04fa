"""JSON from a client, read without letting its shape hurt the server.

A body of 100,000 nested brackets makes json.loads raise RecursionError; a payload that only just
parses here could still overflow a parser further down a deeper stack. Objects nested deeper than
MAX_DEPTH are refused (platform payloads nest about a dozen levels), as is anything but an object.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

MAX_DEPTH = 64


class NotJson(ValueError):
    """Not a JSON object we are willing to read."""


def loads_object(raw: str | bytes, *, parse_float: Callable[[str], Any] | None = None) -> dict[str, Any]:
    try:
        decoded = json.loads(raw, parse_float=parse_float)
    except (ValueError, RecursionError, UnicodeDecodeError) as err:
        raise NotJson("not JSON") from err
    if not isinstance(decoded, dict):
        raise NotJson("not a JSON object")
    if _deeper_than(decoded, MAX_DEPTH):
        raise NotJson("nested too deeply")
    return decoded


def _deeper_than(value: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
