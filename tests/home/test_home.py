"""The personal dashboard: /pm home in the console (and so on Lark, which draws the same card), and
Slack's Home tab published on app_home_opened, for an approver and for a plain member, with buttons that
work from the tab, in both languages and inside its 100 blocks."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import time_machine
from sqlmodel import Session, select

from bot.render.block_kit import BlockKitError
from bot.render.slack import SlackRenderer
from bot.render.viewer import Viewer
from handlers.core.card import Section, card
from handlers.core.reply import Reply
from models.approvals.approval import Approval
from tests.fakes.slack_api import FakeSlack
from tests.support.console import ConsoleDriver
from tests.support.slack_requests import SlackSender, SlackUser, block_text, buttons

MEI = SlackUser(user="U1", name="mei")  # the first member: the workspace admin
LI = SlackUser(user="U2", name="li")
BO = SlackUser(user="U3", name="bo")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def fill(send: Any) -> None:
    """mei asks li to approve REQ-1, owns a risk due for review on 5 June, runs an experiment."""
    send("/req add Fix DE size labels market=DE due=2026-06-20", MEI)
    send("/req add Translate listings for JP market=JP", MEI)
    send("/req add li's own thing", LI)
    send("/pm role @li approver", MEI)
    send("/req submit REQ-1 @li", MEI)
    send("/risk add Port congestion category=logistics likelihood=4 impact=4 owner=@mei review=2026-06-05", MEI)
    send("/risk add Later review category=fx likelihood=2 impact=2 owner=@mei review=2026-07-01", MEI)
    send("/exp add Title test metric=conversion baseline=3% mde=10% traffic=4000/day", MEI)
    send("/exp start EXP-1", MEI)


def test_pm_home_lists_what_waits_for_each_person_in_the_console(console: ConsoleDriver) -> None:
    def send(line: str, who: SlackUser) -> str:
        return console.as_user(who.name).send(line)

    with time_machine.travel(utc(2026, 6, 1, 8, 0), tick=True) as clock:
        fill(send)
        clock.move_to(utc(2026, 6, 6, 8, 0))
        mine = send("/pm home", MEI)
        assert "My open requirements (2)" in mine and "REQ-1" in mine and "REQ-2" in mine and "REQ-3" not in mine
        assert "Waiting for my approval (0)" in mine  # her own request is not hers to approve
        assert "My risks due for review (1)" in mine and "Port congestion" in mine and "Later review" not in mine
        assert "My running experiments (1)" in mine and "/exp status EXP-1" in mine
        theirs = send("/pm home", LI)
        assert "Waiting for my approval (1)" in theirs and "Fix DE size labels" in theirs
        assert "Approve REQ-1" in theirs and "Reject REQ-1" in theirs
        assert "My open requirements (1)" in theirs and "li's own thing" in theirs
        console.as_user("li").send("1")  # the Approve REQ-1 button
        after = send("/pm home", LI)
        assert "Waiting for my approval (0)" in after
        send("/pm lang zh", LI)
        assert "待我审批（0）" in send("/pm home", LI)


def test_a_long_list_shows_five_and_says_how_many_more(console: ConsoleDriver) -> None:
    for n in range(12):
        console.send(f"/req add item {n}")
    out = console.send("/pm home")
    assert "My open requirements (12)" in out
    assert "…and 7 more /req list mine" in out
    assert sum(f"item {n}" in out for n in range(12)) == 5


def opened(slack: SlackSender, who: SlackUser, n: int) -> httpx.Response:
    event = {"type": "app_home_opened", "user": who.user, "channel": f"D{who.user}", "tab": "home"}
    return slack.event(event, event_id=f"EvHome{who.user}{n}", team=who.team)


def published(fake: FakeSlack, who: SlackUser, count: int = 1) -> dict[str, Any]:
    calls = [c for c in fake.wait_for("views.publish", count) if c.body["user_id"] == who.user]
    assert calls, f"no Home tab published for {who.user}"
    view = calls[-1].body["view"]
    if isinstance(view, str):
        view = json.loads(view)
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    return view


def test_the_home_tab_is_published_on_open_for_an_approver_and_a_member_and_its_buttons_work(
    slack: SlackSender, fake_slack: FakeSlack, engine
) -> None:
    def send(line: str, who: SlackUser) -> None:
        root, _, rest = line[1:].partition(" ")
        rest = rest.replace("@li", "<@U2>").replace("@mei", "<@U1>")
        assert slack.command(rest, command=f"/{root}", who=who).status_code == 200

    with time_machine.travel(utc(2026, 6, 1, 8, 0), tick=True) as clock:
        fill(send)
        send("/req add bo's request market=US", BO)
        slack.settle()
        clock.move_to(utc(2026, 6, 6, 8, 0))

        assert opened(slack, LI, 1).status_code == 200
        slack.settle()
        home = published(fake_slack, LI)
        text = block_text(home)
        assert "Waiting for my approval (1)" in text and "Fix DE size labels" in text
        labels = [b["text"]["text"] for b in buttons(home)]
        assert labels == ["Approve REQ-1", "Reject REQ-1"]
        assert fake_slack.calls_to("views.publish")[-1].token == "xoxb-test-token"

        assert opened(slack, BO, 1).status_code == 200
        slack.settle()
        member = published(fake_slack, BO, 2)
        assert "No approvals are waiting for you." in block_text(member) and buttons(member) == []
        assert "bo's request" in block_text(member)

        assert slack.click(buttons(home)[0], who=LI, home_view="VHOME").status_code == 200
        slack.settle()
        with Session(engine) as db:
            assert db.exec(select(Approval.state)).one() == "approved"
        again = published(fake_slack, LI, 3)  # drawn afresh after the click
        assert "Waiting for my approval (0)" in block_text(again) and buttons(again) == []

        send("/pm lang zh", MEI)
        slack.settle()
        assert opened(slack, MEI, 1).status_code == 200
        slack.settle()
        chinese = block_text(published(fake_slack, MEI, 4))
        assert "我的未完成需求（2）" in chinese and "待我复核的风险（1）" in chinese and "评分 16" in chinese
        assert "我进行中的实验（1）" in chinese


def test_the_messages_tab_opening_publishes_nothing(slack: SlackSender, fake_slack: FakeSlack) -> None:
    event = {"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "messages"}
    assert slack.event(event, event_id="EvMessagesTab").status_code == 200
    slack.settle()
    assert fake_slack.calls_to("views.publish") == []


def test_a_home_tab_that_would_need_more_than_100_blocks_is_refused_not_cut() -> None:
    many = Reply("home", card=card("x", *(Section((f"line {n}",)) for n in range(101))))
    with pytest.raises(BlockKitError):
        SlackRenderer().home(many, Viewer("en"))
    fits = SlackRenderer().home(Reply("home", card=card("x", *(Section((f"line {n}",)) for n in range(100)))), Viewer())
    assert len(fits["blocks"]) == 100
