"""Who may change what, on Slack: digest settings and FX rates need a role the admin grants (admins and
approvers unless `/pm settings` says otherwise), and only approvers may be named to decide an approval
unless the workspace allows ad-hoc approvers."""

from __future__ import annotations

from sqlmodel import Session, select

from models.approvals.approval import Approval
from models.costs.fx import FxRate
from models.digest.schedule import DigestChannel
from models.requirements.requirement import Requirement
from tests.fakes.slack_api import FakeSlack
from tests.scoring.approval_flow import ANA, LI, SAM, ZED, mention, posted_to, tracked
from tests.scoring.test_approvals import reason_state
from tests.support.slack_requests import SlackSender, SlackUser, block_text, button

DIGEST_REFUSED = "Only admin, approver can change this channel's digest settings."
FX_REFUSED = "Only admin, approver can set the team's exchange rates: every margin is worked out with them."


def pm(slack: SlackSender, text: str, who: SlackUser) -> str:
    return block_text(slack.command(text, command="/pm", who=who).json())


def digest(slack: SlackSender, text: str, who: SlackUser) -> str:
    return block_text(slack.command(text, command="/digest", who=who).json())


def digest_rows(engine) -> list[tuple[bool, str | None]]:
    with Session(engine) as db:
        return [(d.enabled, d.lang) for d in db.exec(select(DigestChannel))]


def rates(engine) -> list[str]:
    with Session(engine) as db:
        return [f"{r.base}{r.quote} {r.rate}" for r in db.exec(select(FxRate).order_by(FxRate.id))]


def test_a_plain_member_may_not_change_the_digest_until_granted_a_role(slack: SlackSender, engine) -> None:
    pm(slack, "me", ANA)  # the first person: the workspace's admin
    assert DIGEST_REFUSED in digest(slack, "schedule 09:30 Asia/Shanghai", LI)
    assert DIGEST_REFUSED in digest(slack, "lang zh", LI)
    assert digest_rows(engine) == []  # nothing half-written, not even the channel's row
    assert "No schedule." in digest(slack, "show", LI)  # looking is for everyone
    assert "09:30" in digest(slack, "schedule 09:30 Asia/Shanghai", ANA)
    assert DIGEST_REFUSED in digest(slack, "off", LI)
    assert digest_rows(engine) == [(True, None)]
    assert "role is now approver" in pm(slack, f"role {mention(LI)} approver", ANA)
    assert "Saved." in digest(slack, "lang zh", LI)
    assert "The digest for this channel is switched off." in digest(slack, "off", LI)
    assert digest_rows(engine) == [(False, "zh-CN")]


def test_the_refusal_is_in_the_persons_language(slack: SlackSender) -> None:
    pm(slack, "me", ANA)
    pm(slack, "lang zh", LI)
    assert "只有管理员、审批人可以修改本频道的日报设置。" in digest(slack, "schedule 09:30", LI)
    assert "只有管理员、审批人可以设置团队汇率" in pm(slack, "fx EURCNY 7.82", LI)


def test_the_admin_chooses_who_may_change_digests_and_rates(slack: SlackSender, engine) -> None:
    pm(slack, "me", ANA)
    pm(slack, f"role {mention(LI)} approver", ANA)
    shown = pm(slack, "settings digest_editors=admins fx_editors=admins,approvers,members", ANA)
    assert "Settings saved." in shown and "admin, approver, member" in shown
    assert "Only admin can change this channel's digest settings." in digest(slack, "schedule 10:00", LI)
    assert "EURCNY set to 7.82" in pm(slack, "fx EURCNY 7.82", SAM)  # members: everyone
    pm(slack, "settings fx_editors=admins", ANA)
    assert "Only admin can set the team's exchange rates" in pm(slack, "fx USDCNY 7.1", LI)
    assert rates(engine) == ["EURCNY 7.82"]
    assert "Exchange rates" in pm(slack, "fx", LI)  # reading them is for everyone


def test_a_plain_member_may_not_set_fx_rates(slack: SlackSender, engine) -> None:
    pm(slack, "me", ANA)
    assert FX_REFUSED in pm(slack, "fx EURCNY 7.82", LI)
    assert rates(engine) == []
    assert "EURCNY set to 7.8" in pm(slack, "fx EURCNY 7.8", ANA)
    pm(slack, f"role {mention(LI)} approver", ANA)
    assert "EURCNY set to 7.82" in pm(slack, "fx EURCNY 7.82", LI)
    assert rates(engine) == ["EURCNY 7.8", "EURCNY 7.82"]


def test_only_an_admin_changes_the_settings_and_anyone_may_read_them(slack: SlackSender, engine) -> None:
    pm(slack, "me", ANA)
    shown = pm(slack, "settings", LI)
    assert "May change digest settings (digest_editors)" in shown and "admin, approver" in shown
    assert "approvers and admins only (off)" in shown
    assert "Only a workspace admin can change these settings." in pm(slack, "settings adhoc_approvers=on", LI)
    assert "`everybody` is not a role" in pm(slack, "settings digest_editors=everybody", ANA)
    assert "say on or off" in pm(slack, "settings adhoc_approvers=maybe", ANA)
    assert "approvers and admins only (off)" in pm(slack, "settings", ANA)


def test_only_an_approver_may_be_named_unless_the_workspace_allows_anyone(
    slack: SlackSender, fake_slack: FakeSlack, engine
) -> None:
    slack.command("add DE A+ page market=DE", who=ANA)
    refused = block_text(slack.command(f"submit REQ-1 {mention(LI)}", who=ANA).json())
    assert "li is not an approver, so can't be named to decide." in refused
    with Session(engine) as db:
        assert db.exec(select(Approval)).all() == []
        assert db.exec(select(Requirement.status)).one() == "new"
    pm(slack, f"role {mention(LI)} approver", ANA)
    assert "sent for approval" in block_text(slack.command(f"submit REQ-1 {mention(LI)}", who=ANA).json())
    [card] = posted_to(fake_slack, "C1")
    assert "Approvers" in block_text(card.body) and "<@U2>: waiting" in block_text(card.body)  # who may decide
    assert "any workspace approver" in block_text(card.body)


def test_with_ad_hoc_approvers_allowed_a_plain_member_may_be_named(
    slack: SlackSender, fake_slack: FakeSlack, engine
) -> None:
    slack.command("add DE A+ page market=DE", who=ANA)
    assert "anyone (on)" in pm(slack, "settings adhoc_approvers=on", ANA)
    assert "sent for approval" in block_text(slack.command(f"submit REQ-1 {mention(SAM)}", who=ANA).json())
    [card] = posted_to(fake_slack, "C1")
    assert "<@U3>: waiting" in block_text(card.body)


def test_a_decision_may_be_handed_only_to_an_approver(slack: SlackSender, fake_slack: FakeSlack, engine) -> None:
    slack.command("add DE A+ page market=DE", who=ANA)
    pm(slack, f"role {mention(LI)} approver", ANA)
    slack.command(f"submit REQ-1 {mention(LI)}", who=ANA)
    [card] = posted_to(fake_slack, "C1")
    tracked(engine)
    slack.click(button(card.body, "Transfer"), who=LI)
    [opened] = fake_slack.wait_for("views.open")
    to_zed = {"to": {"to": {"type": "users_select", "selected_user": ZED.user}}, **reason_state(None)}
    errors = slack.submit_view(opened.body["view"], to_zed, who=LI).json()["errors"]
    assert errors == {
        "to": "Only an approver can be handed this decision. An admin can make them one: /pm role @someone approver."
    }
    pm(slack, f"role {mention(ZED)} approver", ANA)
    assert slack.submit_view(opened.body["view"], to_zed, who=LI).text == ""
    [updated] = fake_slack.wait_for("chat.update")
    assert "<@U2>: handed to <@U4>" in block_text(updated.body)
