"""Approvals in the console: the card's buttons are numbered choices, the reason and transfer forms are prompts."""

from __future__ import annotations

from sqlmodel import Session, select

from models.approvals.approval import Approval
from models.requirements.requirement import Requirement
from tests.support.console import ConsoleDriver


def state(engine) -> tuple[str, str]:
    with Session(engine) as db:
        return db.exec(select(Approval.state)).one(), db.exec(select(Requirement.status)).one()


def test_submit_reject_with_a_reason_in_the_console(console: ConsoleDriver, engine) -> None:
    console.as_user("mei").send("/pm settings adhoc_approvers=on")  # mei, the first, is the admin
    console.send("/req add 德国站 A+ 页面 market=DE")
    console.send("/score REQ-1 reach=4000 impact=2 confidence=80 effort=1.5")
    out = console.send("/req submit REQ-1 @li")
    assert "== Approval · REQ-1 · 德国站 A+ 页面 ==" in out and "RICE 4,266.7" in out
    assert "[1] Approve  [2] Reject  [3] Request changes  [4] Transfer  [5] Remind" in out
    assert "(private message to @li)" in out
    assert "can't approve" in console.as_user("sam").send("1")
    out = console.as_user("li").send("2", "Q4 的预算已经用完")
    assert "Reason*: Q4 的预算已经用完" in out
    assert "(message m1 updated)" in out and "Rejected by @li" in out
    assert "(private message to @mei)" in out and "REQ-1 was rejected by @li." in out
    assert state(engine) == ("rejected", "rejected")


def test_cancelling_the_reason_form_records_nothing(console: ConsoleDriver, engine) -> None:
    console.as_user("mei").send("/pm settings adhoc_approvers=on")  # mei, the first, is the admin
    console.send("/req add thing")
    console.send("/req submit REQ-1 @li")
    assert "Form cancelled; nothing was saved." in console.as_user("li").send("3", "-")
    assert state(engine) == ("pending", "triaged")


def test_transfer_and_approve_in_chinese(console: ConsoleDriver, engine) -> None:
    console.as_user("mei").send("/pm settings adhoc_approvers=on")  # mei, the first, is the admin
    console.send("/req add 日本站包邮门槛 market=JP")
    console.send("/req submit REQ-1 @li 会签")
    console.as_user("li").send("/pm lang zh")
    out = console.send("4", "@zed", "我下周休假")
    assert "@li: 已转交给 @zed" in out and "@zed: 待审批" in out
    out = console.as_user("zed").send("1")
    assert "Approved by @zed" in out and state(engine) == ("approved", "approved")
    trail = console.as_user("li").send("/pm audit REQ-1")
    assert "@zed 批准" in trail and "@li 把审批转交给 @zed" in trail and "提交审批（会签：1 位须全部同意）" in trail
