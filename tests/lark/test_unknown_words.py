"""Unknown words on Lark: the nearest real command, in Chinese (Lark's default), as code in markdown."""

from __future__ import annotations

from tests.fakes.lark_api import FakeLark
from tests.support.lark_requests import LarkSender, card_text


def test_did_you_mean_on_lark(lark: LarkSender, fake_lark: FakeLark) -> None:
    lark.message("/pm reqq list")
    [reply] = fake_lark.sent()
    assert "不认识 `/pm reqq list` 这个命令。你是想输入 `/req list` 吗？" in card_text(reply.card)


def test_help_by_task_on_lark(lark: LarkSender, fake_lark: FakeLark) -> None:
    lark.message("/pm help")
    [reply] = fake_lark.sent()
    text = card_text(reply.card)
    assert "审批" in text and "`/req submit REQ-1 @sam` — 提交审批" in text and "/as @sam" not in text
