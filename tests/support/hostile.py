"""A reply drawn by all three renderers, checked against each platform's limits, and the check that text
a person typed comes out inert everywhere: no ping, no disguised link, no formatting."""

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
from tests.support.lark_requests import card_text
from tests.support.slack_requests import block_text

# What a person might type to ping everyone, plant a link or format text.
PING = "<!channel> <https://evil.example|Approve here>"
MARKUP = "*x* _y_ [a](http://b)"
HOSTILE = f"{PING} {MARKUP}"
EVIL = HOSTILE
LANGS = ("en", "zh-CN")
BROKEN = ("Something went wrong", "出了点问题")
MENTION = re.compile(r"<at id=[\w-]+></at>")  # a mention the card itself makes
SLACK_ESCAPED = "&lt;!channel&gt; &lt;https://evil.example|Approve here&gt;"
LARK_ESCAPED = "&#60;!channel&#62; &#60;https://evil.example|Approve here&#62; &#42;x&#42; _y_ &#91;a&#93;(http://b)"


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
    def summary(self) -> str:
        """The top-level text of every Slack message, which notifications show."""
        return "\n".join(m["text"] for m in self.slack)

    @property
    def markdown(self) -> str:
        """The markdown of every Lark card (its header and summary are plain text)."""
        return "\n".join(_lark_markdown(card) for card in self.lark)

    @property
    def lark_text(self) -> str:
        return "\n".join(card_text(c) for c in self.lark)


def draw(reply: Reply, lang: str) -> Drawn:
    """The reply on Slack, Lark and the console, each message inside its platform's limits."""
    viewer = Viewer(lang, "Asia/Shanghai")
    slack = SlackRenderer().messages(reply, viewer)
    for message in slack:
        check_blocks(message["blocks"])
        assert [b.to_dict() for b in Block.parse_all(message["blocks"])] == message["blocks"]
        assert message["text"].strip() and len(message["text"]) <= 3000
    lark = LarkRenderer().cards(reply, viewer)
    for card in lark:
        check_card(card)
        assert card_bytes(card) <= MAX_CARD_BYTES
        assert card["config"]["summary"]["content"].strip()
    drawn = Drawn(slack, lark, TextRenderer().message(reply, viewer))
    for shown in (drawn.mrkdwn, drawn.lark_text, drawn.text):
        assert shown.strip() and not any(b in shown for b in BROKEN), shown
    return drawn


def assert_inert(
    shown: Reply | Drawn,
    *,
    typed: str = HOSTILE,
    in_markup: bool = True,
    in_summary: bool = True,
    people: tuple[str, ...] = (),
) -> None:
    """`typed` is shown as typed and is live nowhere: escaped in Slack's mrkdwn and in the top-level text
    Slack notifies with, as entities in Lark markdown, as it is in the console. A reply is checked in
    English and Chinese, a drawing as it is.

    `in_markup`: the card shows it in rich text (not only in a plain-text header or behind a mention);
    `in_summary`: the notification text shows it too; `people`: ids of people the card mentions itself."""
    for drawn in [draw(shown, lang) for lang in LANGS] if isinstance(shown, Reply) else [shown]:
        slack = "\n".join([drawn.mrkdwn, drawn.summary])
        assert "<!channel>" not in slack and "<https://" not in slack, slack
        if in_markup:
            assert SLACK_ESCAPED in slack, slack
        if in_summary:
            assert "&lt;!channel&gt;" in drawn.summary, drawn.summary
        lark = drawn.markdown
        for ref in people:
            lark = lark.replace(f"<at id={ref}></at>", "")
        assert "<" not in MENTION.sub("", lark) and "](http://b)" not in lark and "*x*" not in lark, lark
        if in_markup:
            headers = [c["header"]["title"]["content"] for c in drawn.lark if "header" in c]
            assert LARK_ESCAPED in lark or any(typed in h for h in headers), lark
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
