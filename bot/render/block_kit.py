"""Block Kit limits, checked on every message before it is sent.

A plain walk over the dicts (tens of microseconds), so it can run on every request; the tests also
pass every drawn message through slack_sdk's own Block models, which check the same limits.
"""

from __future__ import annotations

from typing import Any


class BlockKitError(ValueError):
    pass


MAX_BLOCKS = 50
TEXT_LIMITS = {"section": 3000, "header": 150, "context": 3000}
FIELD_MAX, FIELDS_MAX = 2000, 10
CONTEXT_ELEMENTS_MAX, ACTIONS_ELEMENTS_MAX = 10, 25
BUTTON_TEXT_MAX, BUTTON_VALUE_MAX, ID_MAX, URL_MAX = 75, 2000, 255, 3000
KNOWN = {"section", "header", "context", "divider", "actions", "image"}


def check_blocks(blocks: list[dict[str, Any]]) -> None:
    if len(blocks) > MAX_BLOCKS:
        raise BlockKitError(f"{len(blocks)} blocks; a message holds {MAX_BLOCKS}")
    for i, block in enumerate(blocks):
        kind = block.get("type")
        if kind not in KNOWN:
            raise BlockKitError(f"block {i}: unknown type {kind!r}")
        _length(block.get("block_id"), ID_MAX, f"block {i} block_id")
        if kind in ("section", "header"):
            _section(i, kind, block)
        elif kind == "context":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= CONTEXT_ELEMENTS_MAX:
                raise BlockKitError(f"block {i}: context holds 1 to {CONTEXT_ELEMENTS_MAX} elements")
            for element in elements:
                _length(element.get("text"), TEXT_LIMITS["context"], f"block {i} context text")
        elif kind == "actions":
            _actions(i, block.get("elements") or [])
        elif kind == "image":
            _length(block.get("image_url"), URL_MAX, f"block {i} image_url")


def _section(i: int, kind: str, block: dict[str, Any]) -> None:
    text = (block.get("text") or {}).get("text")
    fields = block.get("fields") or []
    if kind == "header" and (block.get("text") or {}).get("type") != "plain_text":
        raise BlockKitError(f"block {i}: a header is plain_text")
    if not text and not fields:
        raise BlockKitError(f"block {i}: {kind} without text")
    _length(text, TEXT_LIMITS[kind], f"block {i} {kind} text")
    if len(fields) > FIELDS_MAX:
        raise BlockKitError(f"block {i}: {len(fields)} fields; at most {FIELDS_MAX}")
    for field in fields:
        _length(field.get("text"), FIELD_MAX, f"block {i} field")


def _actions(i: int, elements: list[dict[str, Any]]) -> None:
    if not 1 <= len(elements) <= ACTIONS_ELEMENTS_MAX:
        raise BlockKitError(f"block {i}: actions hold 1 to {ACTIONS_ELEMENTS_MAX} elements")
    seen: set[str] = set()
    for element in elements:
        action_id = element.get("action_id") or ""
        if action_id in seen:
            raise BlockKitError(f"block {i}: action_id {action_id!r} twice")
        seen.add(action_id)
        _length(action_id, ID_MAX, f"block {i} action_id")
        _length((element.get("text") or {}).get("text"), BUTTON_TEXT_MAX, f"block {i} button text")
        _length(element.get("value"), BUTTON_VALUE_MAX, f"block {i} button value")
        _length(element.get("url"), URL_MAX, f"block {i} button url")


def _length(value: str | None, limit: int, what: str) -> None:
    if value is not None and len(value) > limit:
        raise BlockKitError(f"{what}: {len(value)} characters; at most {limit}")
