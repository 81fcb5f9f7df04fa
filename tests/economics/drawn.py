"""A reply drawn by all three renderers, and the checks that user text in it stays inert."""

from __future__ import annotations

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
from tests.support.lark_requests import card_text
from tests.support.slack_requests import block_text

# What a person might type to ping everyone, plant a link or format text.
PING = "<!channel> <https://evil.example|Approve here>"
MARKUP = "*x* _y_ [a](http://b)"
EVIL = f"{PING} {MARKUP}"
LANGS = ("en", "zh-CN")
BROKEN = ("Something went wrong", "出了点问题")


@dataclass(frozen=True)
class Drawn:
    slack: list[dict[str, Any]]  # each message: {"text", "blocks"}
    lark: list[dict[str, Any]]  # each card
    text: str  # the console's

    @property
    def slack_blocks(self) -> str:
        return "\n".join(block_text(m, ("mrkdwn",)) for m in self.slack)

    @property
    def lark_text(self) -> str:
        return "\n".join(card_text(c) for c in self.lark)

    @property
    def lark_markdown(self) -> str:
        """The markdown of every card (the header and the summary are plain text, shown as they are)."""
        return "\n".join(_markdown(c["body"]) for c in self.lark)


def draw(reply: Reply, lang: str) -> Drawn:
    """The reply on Slack, Lark and the console, each message checked against its platform's limits."""
    viewer = Viewer(lang, "Asia/Shanghai")
    slack = SlackRenderer().messages(reply, viewer)
    for message in slack:
        check_blocks(message["blocks"])
        assert [b.to_dict() for b in Block.parse_all(message["blocks"])] == message["blocks"]
        assert message["text"].strip()
    lark = LarkRenderer().cards(reply, viewer)
    for card in lark:
        check_card(card)
        assert card_bytes(card) <= MAX_CARD_BYTES
        assert card["config"]["summary"]["content"].strip()
    text = TextRenderer().message(reply, viewer)
    drawn = Drawn(slack, lark, text)
    for shown in (drawn.slack_blocks, drawn.lark_text, text):
        assert shown.strip() and not any(b in shown for b in BROKEN), shown
    return drawn


def assert_inert(drawn: Drawn, *, in_summary: bool = True, people: tuple[str, ...] = ()) -> None:
    """EVIL, typed by someone, is shown as typed everywhere and pings, links or formats nothing.

    `in_summary`: the reply's one-line summary (Slack's message `text`) names the user text too;
    `people`: the platform ids of the people the card mentions itself."""
    blocks = drawn.slack_blocks
    assert "&lt;!channel&gt; &lt;https://evil.example|Approve here&gt;" in blocks
    assert "<!channel>" not in blocks and "<https://evil.example" not in blocks
    for message in drawn.slack:
        assert "<!channel>" not in message["text"] and "<https://" not in message["text"]
    if in_summary:
        assert any("&lt;!channel&gt;" in m["text"] for m in drawn.slack)
    lark = drawn.lark_markdown
    for ref in people:
        lark = lark.replace(f"<at id={ref}></at>", "")
    assert "<at" not in lark and "](http://b)" not in lark and "<https://" not in lark
    assert "&#91;a&#93;(http://b)" in lark and "&#42;x&#42;" in lark
    assert PING in drawn.text and MARKUP in drawn.text


def _markdown(node: Any) -> str:
    if isinstance(node, dict):
        own = [node["content"]] if node.get("tag") == "markdown" else []
        return "\n".join(own + [_markdown(v) for k, v in node.items() if k != "behaviors"])
    if isinstance(node, list):
        return "\n".join(_markdown(v) for v in node)
    return ""
