"""A reply drawn by all three renderers, checked against each platform's limits, and checks that text a
person typed comes out inert: no ping, no disguised link, no formatting."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.render.block_kit import check_blocks
from bot.render.lark import LarkRenderer
from bot.render.lark_card import MAX_CARD_BYTES, card_bytes, check_card
from bot.render.slack import SlackRenderer
from bot.render.text import TextRenderer
from bot.render.viewer import Viewer
from handlers.core.reply import Reply
from tests.support.slack_requests import block_text

PING = "<!channel> <https://evil.example|Approve here>"
MARKUP = "*x* _y_ [a](http://b)"
HOSTILE = f"{PING} {MARKUP}"
LANGS = ("en", "zh-CN")
MENTION = re.compile(r"<at id=[\w-]+></at>")  # a mention the card itself makes


@dataclass(frozen=True)
class Drawn:
    slack: list[dict[str, Any]]  # every Slack message ({"text", "blocks"})
    lark: list[dict[str, Any]]  # every Lark card
    text: str  # the console's text

    @property
    def mrkdwn(self) -> str:
        """The mrkdwn of every Slack message (plain_text cannot ping or link, whatever it holds)."""
        return "\n".join(block_text(m, ("mrkdwn",)) for m in self.slack)

    @property
    def markdown(self) -> str:
        """The markdown of every Lark card."""
        return "\n".join(_lark_markdown(card) for card in self.lark)


def draw(reply: Reply, lang: str) -> Drawn:
    """The reply on Slack, Lark and the console, each message inside its platform's limits."""
    viewer = Viewer(lang, "Asia/Shanghai")
    slack = SlackRenderer().messages(reply, viewer)
    for message in slack:
        check_blocks(message["blocks"])
        assert len(message["text"]) <= 3000
    lark = LarkRenderer().cards(reply, viewer)
    for card in lark:
        check_card(card)
        assert card_bytes(card) <= MAX_CARD_BYTES
    return Drawn(slack, lark, TextRenderer().message(reply, viewer))


def assert_inert(reply: Reply, *, typed: str = HOSTILE, in_summary: bool = True) -> None:
    """`typed` (which the reply shows) is shown as typed everywhere, in English and Chinese: escaped in
    Slack's mrkdwn and in the top-level text Slack notifies with (`in_summary`: the text holds it), as
    Lark markdown entities (or in plain text, which cannot link), and as it is in the console."""
    for lang in LANGS:
        drawn = draw(reply, lang)
        slack = "\n".join([drawn.mrkdwn, *(m["text"] for m in drawn.slack)])
        assert "&lt;!channel&gt; &lt;https://evil.example|Approve here&gt;" in slack, slack
        assert "<!channel>" not in slack and "<https://" not in slack
        if in_summary:
            assert "&lt;!channel&gt; &lt;https://evil.example|Approve here&gt;" in drawn.slack[0]["text"]
        lark = drawn.markdown
        escaped = "&#60;!channel&#62; &#60;https://evil.example|Approve here&#62; &#42;x&#42; _y_ &#91;a&#93;(http://b)"
        plain = [c["header"]["title"]["content"] for c in drawn.lark if "header" in c]
        assert escaped in lark or any(typed in p for p in plain), lark
        assert "<at" not in MENTION.sub("", lark) and "](http://b)" not in lark and "<https://" not in lark
        assert typed in drawn.text, drawn.text


def _lark_markdown(node: Any) -> str:
    parts: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("tag") == "markdown" and isinstance(value.get("content"), str):
                parts.append(value["content"])
            for key, inner in value.items():
                if key != "behaviors":
                    walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(node)
    return "\n".join(parts)
