"""Words Tradewind does not know: a short line that names what was typed and the nearest real command
(from the command table), in the user's language — never a catalogue key, never the whole help."""

from __future__ import annotations

import logging

import pytest

from tests.fakes.slack_api import FakeSlack
from tests.support.console import ConsoleDriver
from tests.support.slack_requests import SlackSender, block_text

EN = {
    "hello": "I don't know /hello. /pm help lists what I can do.",
    "你好": "I don't know /你好. /pm help lists what I can do.",
    "/": "Type a command after the slash, for example /req list. /pm help lists them all.",
    "/foo bar": "I don't know /foo bar. /pm help lists what I can do.",
    "/pm foo": "I don't know /pm foo. /pm help lists what I can do.",
    "/pm reqq list": "I don't know /pm reqq list. Did you mean /req list?",
    "/pm helpp": "I don't know /pm helpp. Did you mean /pm help?",
    "/req lst": "I don't know /req lst. Did you mean /req list?",
    "/risk shwo RISK-1": "I don't know /risk shwo RISK-1. Did you mean /risk show?",
    "/digest shedule 09:30": "I don't know /digest shedule 09:30. Did you mean /digest schedule?",
    "/cost nope": "I don't know /cost nope. /pm help lists what I can do.",
    "/suplier list": "I don't know /suplier list. Did you mean /supplier list?",
}
ZH = {
    "你好": "不认识 /你好 这个命令。/pm help 列出我能做的事。",
    "/": "斜杠后面要跟命令，比如 /req list。/pm help 列出全部命令。",
    "/pm reqq list": "不认识 /pm reqq list 这个命令。你是想输入 /req list 吗？",
    "/pm helpp": "不认识 /pm helpp 这个命令。你是想输入 /pm help 吗？",
}


@pytest.mark.parametrize("lang, cases", [("en", EN), ("zh", ZH)])
def test_unknown_words_in_the_console(
    console: ConsoleDriver, caplog: pytest.LogCaptureFixture, lang: str, cases: dict[str, str]
) -> None:
    console.send(f"/pm lang {lang}")
    with caplog.at_level(logging.WARNING):
        for typed, expected in cases.items():
            out = console.send(typed)
            assert out.splitlines()[0] == f"! {expected}", (typed, out)
            assert ".usage" not in out and "==" not in out, out  # no raw key, no help page
    assert not [r for r in caplog.records if "missing message" in r.getMessage()]


def test_an_unknown_subcommand_without_a_near_one_shows_the_usage(console: ConsoleDriver) -> None:
    out = console.send("/req frobnicate")
    assert (
        "Usage: /req add | list | search | show | edit | status | archive | restore | undo | capture | submit | export"
        " | help" in out
    )


def test_help_is_grouped_by_task_in_both_languages(console: ConsoleDriver) -> None:
    out = console.send("/pm help")
    tasks = ["Log and find requirements:", "Score and rank:", "Get approvals:", "Keep the risk register:"]
    tasks += ["Run A/B tests:", "Landed cost, suppliers, markets:", "Standups and the daily digest:"]
    positions = [out.index(task) for task in tasks]
    assert positions == sorted(positions)
    assert "/req add German A+ page market=DE due=+3w owner=@li — log a requirement" in out
    assert "/as @sam — type as someone else" in out  # the console's own command
    assert "`" not in out and len(out.splitlines()) < 45
    zh = console.send("/pm lang zh") and console.send("/pm help")
    assert "记录和查找需求:" in zh and "/req submit REQ-1 @sam — 提交审批" in zh


def test_every_example_in_the_help_is_a_command_that_parses(console: ConsoleDriver) -> None:
    """Each example runs as typed (some are refused for a missing REQ-1, none as an unknown command)."""
    from bot.i18n import catalog

    messages = catalog().messages["en"]
    examples = [v for k, v in messages.items() if k.startswith("help.") and k.endswith(".usage")]
    assert len(examples) > 20
    console.send("/req add something")
    for example in examples:
        if example.startswith("/as"):
            continue
        out = console.send(example.replace("…", "x"))
        assert "I don't know" not in out and "is not an option here" not in out, (example, out)


def test_slack_says_the_same_with_code_spans(slack: SlackSender, fake_slack: FakeSlack) -> None:
    answer = slack.command("reqq list", command="/pm").json()
    assert "I don't know `/pm reqq list`. Did you mean `/req list`?" in block_text(answer)
    help_card = block_text(slack.command("help", command="/pm").json())
    assert "*Get approvals*" in help_card and "`/req submit REQ-1 @sam` — ask for approval" in help_card
    assert "/as @sam" not in help_card  # the console's own command
