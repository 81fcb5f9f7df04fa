"""Who may change what, in the console: digest settings, FX rates and approvers by role, in English
and Chinese. mei, the first person, is the workspace's admin; the others are plain members."""

from __future__ import annotations

from sqlmodel import Session, select

from models.approvals.approval import Approval
from models.costs.fx import FxRate
from models.digest.schedule import DigestChannel
from tests.support.console import ConsoleDriver


def test_digest_and_fx_changes_need_a_role_and_the_refusal_is_in_english_or_chinese(
    console: ConsoleDriver, engine
) -> None:
    console.as_user("mei").send("/pm me")
    out = console.as_user("li").send("/digest schedule 09:30 Asia/Shanghai")
    assert "Only admin, approver can change this channel's digest settings." in out
    assert "Only admin, approver can set the team's exchange rates" in console.send("/pm fx EURCNY 7.82")
    console.send("/pm lang zh")
    assert "只有管理员、审批人可以修改本频道的日报设置。" in console.send("/digest remind 15")
    assert "只有管理员、审批人可以设置团队汇率" in console.send("/pm fx EURCNY 7.82")
    with Session(engine) as db:
        assert db.exec(select(DigestChannel)).all() == [] and db.exec(select(FxRate)).all() == []
    console.as_user("mei").send("/pm role @li approver")
    assert "已保存。" in console.as_user("li").send("/digest lang en")
    assert "EURCNY" in console.send("/pm fx EURCNY 7.82")
    with Session(engine) as db:
        assert [(d.lang) for d in db.exec(select(DigestChannel))] == ["en"]
        assert [str(r.rate) for r in db.exec(select(FxRate))] == ["7.82"]


def test_settings_choose_who_may_and_only_admins_change_them(console: ConsoleDriver) -> None:
    console.as_user("mei").send("/pm me")
    console.as_user("li").send("/pm lang zh")
    assert "只有工作区管理员可以修改这些设置。" in console.send("/pm settings fx_editors=members")
    shown = console.send("/pm settings")
    assert "可设置汇率（fx_editors）" in shown and "管理员、审批人" in shown
    out = console.as_user("mei").send("/pm settings fx_editors=admins,members")
    assert "Settings saved." in out and "admin, approver, member" in out
    assert "EURCNY" in console.as_user("li").send("/pm fx EURCNY 7.82")


def test_a_plain_member_is_named_approver_only_when_the_workspace_allows_it(console: ConsoleDriver, engine) -> None:
    console.as_user("mei").send("/req add 德国站 A+ 页面 market=DE")
    out = console.send("/req submit REQ-1 @li")
    assert "li is not an approver, so can't be named to decide." in out
    console.as_user("li").send("/pm lang zh")
    console.as_user("mei").send("/pm lang zh")
    assert "li 不是审批人，不能被指定审批。" in console.send("/req submit REQ-1 @li")
    with Session(engine) as db:
        assert db.exec(select(Approval)).all() == []
    assert "任何人（on）" in console.send("/pm settings adhoc_approvers=on")
    out = console.send("/req submit REQ-1 @li")
    assert "审批" in out and "@li" in out
    with Session(engine) as db:
        assert len(db.exec(select(Approval)).all()) == 1
