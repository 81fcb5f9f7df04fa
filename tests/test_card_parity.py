"""Every reply the features give is one card, and each renderer shows all of it: every header, field, line,
row and button of the card appears in the Block Kit messages, the Lark cards and the console text drawn
from it (a renderer that dropped a part, or a copy that drifted, fails here)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from bot.i18n import catalog
from bot.render.inline import Drawer
from bot.render.lark import LarkRenderer
from bot.render.slack import SlackRenderer
from bot.render.text import TextRenderer
from bot.render.viewer import Viewer
from bot.runtime import Runtime
from handlers.core.card import Card, Channel, Fields, Image, Link, Mention, Mono, Note, Rows, Section, When
from handlers.core.reply import Reply
from tests.lark.test_feature_cards import every_reply, run

WORD = re.compile(r"[^\W\d_\u2e80-\u9fff]+|\d+|[\u2e80-\u9fff]")  # Latin words, numbers, each CJK character
EXTRA = ("/req list", "/req show REQ-1", "/pm help", "/req help", "/req add", "/risk add x likelihood=9")


# Replies whose Lark wording is its own on purpose (how to add the bot to a group differs there).
WORDED_FOR_LARK = {("digest_unreachable", "lark")}


class Bare(Drawer):
    """A card's words without what each platform draws its own way (people, channels, moments)."""

    def mention(self, who: Mention) -> str:
        return " "

    def channel(self, chat: Channel) -> str:
        return " "

    def when(self, value: When) -> str:
        return " "

    def link(self, url: str, label: str) -> str:
        return label


def atoms(card: Card, reply: Reply) -> Iterator[tuple[str, Any]]:
    """(what it is, a line) for everything the card shows."""
    for line in card.notice:
        yield "notice", line
    if card.header is not None:
        yield "header", card.header.title
    for part in card.parts:
        name = type(part).__name__
        if isinstance(part, Fields):
            for label, value in part.pairs:
                yield f"{name} label", label
                yield f"{name} value", value
        elif isinstance(part, Section | Note):
            if part.title is not None:
                yield f"{name} title", part.title
            for line in part.lines:
                yield f"{name} line", line
        elif isinstance(part, Rows):
            for extra in (part.title, part.more, part.empty if not part.rows else None):
                if extra is not None:
                    yield f"{name} title/more", extra
            for row in part.rows:
                yield "row", row.main
                if row.sub is not None:
                    yield "row sub", row.sub
        elif isinstance(part, Mono):
            yield "mono", part.text
        elif isinstance(part, Image):
            yield "image alt", part.alt
    for button in reply.buttons:
        yield "button", button.label


def words(text: str) -> set[str]:
    return set(WORD.findall(html.unescape(text)))


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, inner in value.items():
            if key not in ("action_id", "block_id", "value", "behaviors", "url", "image_url", "img_key"):
                yield from strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from strings(inner)


def drawings(reply: Reply, viewer: Viewer) -> dict[str, set[str]]:
    slack = SlackRenderer().messages(reply, viewer)
    lark = LarkRenderer().cards(reply, viewer)
    console = TextRenderer().message(reply, viewer)
    return {
        "slack": words(" ".join(strings(slack))),
        "lark": words(" ".join(strings(json.loads(json.dumps(lark))))),
        "console": words(console),
    }


def replies(runtime: Runtime, engine) -> list[Reply]:
    found = every_reply(runtime, engine)
    found += [run(runtime, line) for line in EXTRA]
    return [r for r in found if r.kind != "silent"]


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_every_part_of_every_card_is_shown_on_every_front_end(runtime: Runtime, engine, lang: str) -> None:
    viewer = Viewer(lang, "Asia/Shanghai")
    bare = Bare(catalog(), lang, viewer.tz)
    missing: list[tuple[str, str, str, str]] = []
    kinds: set[str] = set()
    for reply in replies(runtime, engine):
        if reply.card is None:
            continue
        kinds.add(reply.kind)
        shown = drawings(reply, viewer)
        for what, line in atoms(reply.card, reply):
            expected = words(line if isinstance(line, str) else bare.line(line))
            for target, found in shown.items():
                if (reply.kind, target) in WORDED_FOR_LARK:
                    continue
                if not expected <= found:
                    missing.append((reply.kind, target, what, " ".join(sorted(expected - found))))
    assert missing == []
    assert len(kinds) >= 5


def test_every_reply_is_a_card(runtime: Runtime, engine) -> None:
    assert {r.kind for r in replies(runtime, engine) if r.card is None} <= {"silent"}


def test_a_link_label_is_shown_but_a_link_is_ours() -> None:
    card = Card(summary="x", parts=(Section((Link("https://example.com/a", "the label"),)),))
    shown = drawings(Reply("x", card=card), Viewer("en"))
    assert all({"the", "label"} <= found for found in shown.values())
