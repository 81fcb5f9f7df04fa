"""Block Kit limits, checked on every message before it is sent.

A plain walk over the dicts (tens of microseconds), so it can run on every request; the tests also
pass every drawn message through slack_sdk's own Block models, which check the per-block limits.
Slack also refuses a message whose blocks hold more than about 12,000 characters of text in all
(`msg_blocks_too_long`; undocumented, slackapi/bolt-js #2509 and #2867), which slack_sdk does not
check: `text_size` counts it, and the renderer keeps every message under MESSAGE_TEXT_BUDGET.
"""

from __future__ import annotations

from typing import Any


class BlockKitError(ValueError):
    pass


MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = 100  # a modal or the Home tab
SECTION_MAX, HEADER_MAX = 3000, 150
TEXT_LIMITS = {"section": SECTION_MAX, "header": HEADER_MAX, "context": SECTION_MAX}
MESSAGE_TEXT_LIMIT = 12_000  # where Slack starts refusing (msg_blocks_too_long)
MESSAGE_TEXT_BUDGET = 11_000  # what the renderer fills a message to, to stay clear of it
FIELD_MAX, FIELDS_MAX = 2000, 10
CONTEXT_ELEMENTS_MAX, ACTIONS_ELEMENTS_MAX = 10, 25
BUTTON_TEXT_MAX, BUTTON_VALUE_MAX, ID_MAX, URL_MAX = 75, 2000, 255, 3000
KNOWN = {"section", "header", "context", "divider", "actions", "image"}


def text_size(blocks: list[dict[str, Any]]) -> int:
    """Characters of text in all the blocks: what Slack's whole-message limit counts."""
    total = 0
    for block in blocks:
        text = block.get("text")
        if isinstance(text, dict):
            total += len(text.get("text") or "")
        for field in block.get("fields") or ():
            total += len(field.get("text") or "")
        for element in block.get("elements") or ():
            inner = element.get("text")
            total += len(inner.get("text") or "") if isinstance(inner, dict) else len(inner or "")
        total += len(block.get("alt_text") or "")
    return total


def check_blocks(blocks: list[dict[str, Any]], *, limit: int = MAX_BLOCKS) -> None:
    """A message's blocks; with limit=VIEW_MAX_BLOCKS a view's (the whole-text limit is a message's)."""
    if len(blocks) > limit:
        raise BlockKitError(f"{len(blocks)} blocks; {'a message' if limit == MAX_BLOCKS else 'a view'} holds {limit}")
    size = text_size(blocks)
    if limit == MAX_BLOCKS and size > MESSAGE_TEXT_LIMIT:
        raise BlockKitError(f"{size} characters of text in the blocks; Slack refuses more than {MESSAGE_TEXT_LIMIT}")
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
