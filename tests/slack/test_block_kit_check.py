"""The request-path Block Kit check refuses what Slack would refuse, like slack_sdk's own models do."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block

from bot.render.block_kit import BlockKitError, check_blocks


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(i: int, text: str = "Go", value: str = "{}") -> dict:
    return {"type": "button", "action_id": f"a:{i}", "text": {"type": "plain_text", "text": text}, "value": value}


OVER_LIMIT = {
    "51 blocks": [section("x")] * 51,
    "section text 3001": [section("x" * 3001)],
    "header 151": [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
    "11 fields": [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}],
    "field 2001": [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]}],
    "button text 76": [{"type": "actions", "elements": [button(0, text="b" * 76)]}],
    "button value 2001": [{"type": "actions", "elements": [button(0, value="v" * 2001)]}],
    "26 buttons": [{"type": "actions", "elements": [button(i) for i in range(26)]}],
    "context of 11": [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}],
    "block_id 256": [{"type": "divider", "block_id": "b" * 256}],
    "12,001 characters in all": [section("x" * 3000)] * 4 + [section("x")],
}
SDK_SILENT = ("51 blocks", "field 2001", "12,001 characters in all")  # limits slack_sdk does not check


@pytest.mark.parametrize("case", sorted(OVER_LIMIT))
def test_over_limit_messages_are_refused_by_both(case: str) -> None:
    blocks = OVER_LIMIT[case]
    with pytest.raises(BlockKitError):
        check_blocks(blocks)
    if case not in SDK_SILENT:
        with pytest.raises(SlackObjectFormationError):
            [b.to_dict() for b in Block.parse_all(blocks)]


AT_LIMIT = {
    "every block at its own limit": [
        {"type": "header", "text": {"type": "plain_text", "text": "h" * 150}},
        section("x" * 3000),
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2000}] + [{"type": "mrkdwn", "text": "f"}] * 9},
        {"type": "actions", "elements": [button(i, text="b" * 75, value="v" * 2000) for i in range(25)]},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 10},
        *[{"type": "divider"}] * 45,
    ],
    "12,000 characters in all": [section("x" * 3000)] * 4,
}


@pytest.mark.parametrize("case", sorted(AT_LIMIT))
def test_messages_at_the_limits_pass_both(case: str) -> None:
    blocks = AT_LIMIT[case]
    check_blocks(blocks)
    assert [b.to_dict() for b in Block.parse_all(blocks)] == blocks
