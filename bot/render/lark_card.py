"""Lark card (JSON 2.0) structure and size, checked on every card before it is sent or returned.

A plain walk over the dicts, like block_kit.py: Lark refuses a card over 30 KB or one it cannot parse,
and a refused card is a reply the user never sees, so the checks run before anything leaves.
"""

from __future__ import annotations

import json
from typing import Any


class LarkCardError(ValueError):
    pass


MAX_CARD_BYTES = 30 * 1024
MAX_ELEMENTS = 200
MAX_BUTTON_TEXT = 100
MAX_INPUT_LENGTH = 1000  # Lark's ceiling for an input's max_length
FIELD_TAGS = {"input", "select_static", "multi_select_static", "date_picker", "select_person"}
KNOWN = {"markdown", "div", "hr", "column_set", "column", "form", "button", "img", *FIELD_TAGS}


def card_bytes(card: dict[str, Any]) -> int:
    return len(json.dumps(card, ensure_ascii=False, separators=(",", ":")).encode())


def check_card(card: dict[str, Any]) -> None:
    if card.get("schema") != "2.0":
        raise LarkCardError("a card declares schema 2.0")
    header = card.get("header")
    if header is not None:
        title = header.get("title") or {}
        if title.get("tag") != "plain_text" or not _text(title.get("content")):
            raise LarkCardError("header title is plain_text with content")
    elements = (card.get("body") or {}).get("elements")
    if not isinstance(elements, list) or not elements:
        raise LarkCardError("body.elements is a non-empty list")
    counter = _Counter()
    for i, element in enumerate(elements):
        _element(element, f"element {i}", counter, in_form=None)
    size = card_bytes(card)
    if size > MAX_CARD_BYTES:
        raise LarkCardError(f"card is {size} bytes; Lark takes at most {MAX_CARD_BYTES}")


class _Counter:
    def __init__(self) -> None:
        self.count = 0
        self.names: set[str] = set()

    def add(self, where: str) -> None:
        self.count += 1
        if self.count > MAX_ELEMENTS:
            raise LarkCardError(f"{where}: more than {MAX_ELEMENTS} elements")


def _element(element: Any, where: str, counter: _Counter, *, in_form: list[int] | None) -> None:
    if not isinstance(element, dict):
        raise LarkCardError(f"{where}: not an object")
    tag = element.get("tag")
    if tag not in KNOWN:
        raise LarkCardError(f"{where}: unknown tag {tag!r}")
    counter.add(where)
    if tag == "markdown" and not _text(element.get("content")):
        raise LarkCardError(f"{where}: markdown without content")
    elif tag == "div" and not _text((element.get("text") or {}).get("content")):
        raise LarkCardError(f"{where}: div without text")
    elif tag == "column_set":
        for j, column in enumerate(element.get("columns") or []):
            if not isinstance(column, dict) or column.get("tag") != "column":
                raise LarkCardError(f"{where} column {j}: not a column")
            for k, child in enumerate(column.get("elements") or []):
                _element(child, f"{where} column {j} element {k}", counter, in_form=in_form)
    elif tag == "form":
        _form(element, where, counter, in_form)
    elif tag == "button":
        _button(element, where, in_form)
    elif tag in FIELD_TAGS:
        _field(element, where, counter, in_form)


def _form(element: dict[str, Any], where: str, counter: _Counter, in_form: list[int] | None) -> None:
    if in_form is not None:
        raise LarkCardError(f"{where}: a form inside a form")
    if not _text(element.get("name")):
        raise LarkCardError(f"{where}: a form needs a name")
    submits = [0]
    for k, child in enumerate(element.get("elements") or []):
        _element(child, f"{where} element {k}", counter, in_form=submits)
    if submits[0] != 1:
        raise LarkCardError(f"{where}: a form needs exactly one submit button, has {submits[0]}")


def _button(element: dict[str, Any], where: str, in_form: list[int] | None) -> None:
    label = (element.get("text") or {}).get("content")
    if not _text(label) or len(label) > MAX_BUTTON_TEXT:
        raise LarkCardError(f"{where}: button text is 1 to {MAX_BUTTON_TEXT} characters")
    callbacks = [b for b in element.get("behaviors") or [] if b.get("type") == "callback"]
    if callbacks and not isinstance(callbacks[0].get("value"), dict):
        raise LarkCardError(f"{where}: a callback value is an object")
    if element.get("form_action_type") == "submit":
        if in_form is None:
            raise LarkCardError(f"{where}: a submit button outside a form")
        in_form[0] += 1
    elif not callbacks:
        raise LarkCardError(f"{where}: a button without a callback does nothing")


def _field(element: dict[str, Any], where: str, counter: _Counter, in_form: list[int] | None) -> None:
    name = element.get("name")
    if in_form is not None:
        if not _text(name):
            raise LarkCardError(f"{where}: a form field needs a name")
        if name in counter.names:
            raise LarkCardError(f"{where}: field name {name!r} twice")
        counter.names.add(name)
    limit = element.get("max_length")
    if limit is not None and not 1 <= int(limit) <= MAX_INPUT_LENGTH:
        raise LarkCardError(f"{where}: max_length {limit} outside 1..{MAX_INPUT_LENGTH}")
    if element.get("tag") in ("select_static", "multi_select_static") and not element.get("options"):
        raise LarkCardError(f"{where}: a select without options")


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())
