"""A reply drawn on every front end, in English and Chinese, and checked: within each platform's limits,
and text a person typed shown as typed, never as a ping, a link or formatting."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import Block

from bot.render.block_kit import check_blocks
from bot.render.lark import LarkRenderer
from bot.render.lark_card import MAX_CARD_BYTES, card_bytes, check_card
from bot.render.slack import SlackRenderer
from bot.render.text import TextRenderer
from bot.render.viewer import Viewer
from handlers.core.reply import Reply
from tests.support.slack_requests import block_text

LANGS = ("en", "zh-CN")
PING = "<!channel> <https://evil.example|Approve here>"
MARKUP = "*x* _y_ [a](http://b)"
EVIL = f"{PING} {MARKUP}"
OUR_MENTIONS = re.compile(r"<at id=[\w-]+></at>")


@dataclass(frozen=True)
class Drawn:
    slack: list[dict[str, Any]]  # the messages
    lark: list[dict[str, Any]]  # the cards
    text: str  # the console

    @property
    def slack_rich(self) -> str:
        """Every mrkdwn text of every message (plain_text, the header, is never parsed by Slack)."""
        return "\n".join(block_text(m, ("mrkdwn",)) for m in self.slack)

    @property
    def slack_summary(self) -> str:
        return "\n".join(m["text"] for m in self.slack)

    @property
    def lark_markdown(self) -> str:
        return "\n".join(e["content"] for card in self.lark for e in _walk(card) if e.get("tag") == "markdown")


def draw(reply: Reply, lang: str) -> Drawn:
    """The reply on all three front ends, each message checked against its platform's limits."""
    viewer = Viewer(lang, "Asia/Shanghai")
    messages = SlackRenderer().messages(reply, viewer)
    for message in messages:
        check_blocks(message["blocks"])
        assert [b.to_dict() for b in Block.parse_all(message["blocks"])] == message["blocks"]
    cards = LarkRenderer().cards(reply, viewer)
    for card in cards:
        check_card(card)
        assert card_bytes(card) <= MAX_CARD_BYTES
    return Drawn(messages, cards, TextRenderer().message(reply, viewer))


def assert_inert(reply: Reply, *, typed: str = EVIL, in_markup: bool = True, in_summary: bool = False) -> None:
    """`typed` is nowhere live: escaped in Slack's mrkdwn and its message text, entities in Lark
    markdown, as typed in the console. `in_markup`: the card shows it in rich text (not only in a
    plain-text header or behind a mention); `in_summary`: the notification text shows it too."""
    for lang in LANGS:
        drawn = draw(reply, lang)
        rich, summary, markdown = drawn.slack_rich, drawn.slack_summary, drawn.lark_markdown
        for shown in (rich, summary):
            assert "<!channel>" not in shown and "<https://evil.example" not in shown, shown
        if in_markup:
            assert "&lt;!channel&gt; &lt;https://evil.example|Approve here&gt;" in rich, rich
        if in_summary:
            assert "&lt;!channel&gt;" in summary, summary
        assert "<" not in OUR_MENTIONS.sub("", markdown), markdown  # no tag but the mentions the card made
        assert "[a](http://b)" not in markdown and "*x*" not in markdown, markdown
        if in_markup:
            assert "&#60;!channel&#62; &#60;https://evil.example|Approve here&#62;" in markdown, markdown
            assert "&#42;x&#42; _y_ &#91;a&#93;(http://b)" in markdown, markdown
        assert typed in drawn.text, drawn.text


def _walk(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for key, value in node.items():
            if key != "behaviors":
                found += _walk(value)
    elif isinstance(node, list):
        for value in node:
            found += _walk(value)
    return found
