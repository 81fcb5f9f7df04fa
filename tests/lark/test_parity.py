"""One command script through the Slack front end and through the Lark front end: both store the same
data (requirements, markets, audit trail, people's settings) and show the same facts after each step."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from bot.i18n import catalog
from models.audit import AuditEntry
from models.requirement import Requirement, RequirementMarket
from models.workspace import Member, Workspace
from tests.fakes.lark_api import FakeLark
from tests.support.lark_requests import LarkSender, card_text
from tests.support.slack_requests import SlackSender, block_text

# (the command as typed, what the reply must show: a key's facts, "list" or "list:<status>", or nothing)
SCRIPT: tuple[tuple[str, str | None], ...] = (
    ("/pm lang en", None),
    ('/req add "DE A+ page" market=DE,AT platform=amazon metric="DE conv +8%" due=2026-12-01 owner=@li', "REQ-1"),
    ("/req add Shopee 9.9 bundle market=SG,MY platform=shopee", "REQ-2"),
    ("/req list", "list"),
    ("/req show REQ-1", "REQ-1"),
    ("/req status REQ-1 triaged", "REQ-1"),
    ('/req edit REQ-2 due=2026-09-01 ac="bundle SKU live" owner=@li', "REQ-2"),
    ("/req status REQ-2 rejected", "REQ-2"),
    ("/pm lang zh", None),
    ("/req show REQ-2", "REQ-2"),
    ("/req list status=triaged", "list:triaged"),
)
PEOPLE = {"slack": {"U1": "ana", "U_LI": "li"}, "lark": {"ou_ana": "ana", "ou_li": "li"}}
CHANNELS = {"C1": "#product", "oc_product": "#product"}


def run_slack(slack: SlackSender, line: str) -> str:
    command, _, text = line.partition(" ")
    body = slack.command(text.replace("@li", "<@U_LI|li>"), command=command).json()
    return block_text(body)


def run_lark(lark: LarkSender, fake_lark: FakeLark, line: str, step: int) -> str:
    assert lark.message(line, people={"li": "ou_li"}).status_code == 200
    return card_text(fake_lark.sent(count=step)[-1].card)


def facts(engine, platform: str, which: str | None, lang: str) -> list[str]:
    """What a reply about `which` must show, read from the database, in the reader's language."""
    if which is None:
        return []
    t = catalog().t
    with Session(engine) as db:
        workspace = db.exec(select(Workspace).where(Workspace.platform == platform)).one()
        query = select(Requirement).where(Requirement.workspace_id == workspace.id)
        items = db.exec(query).all()
        markets = {
            i.id: sorted(db.exec(select(RequirementMarket.market).where(RequirementMarket.requirement_id == i.id)))
            for i in items
        }
    listing, _, status = which.partition(":")
    if listing == "list":
        shown = [i for i in items if not status or i.status == status]
    else:
        shown = [i for i in items if i.key == which]
    found: list[str] = []
    for item in shown:
        found += [item.key, item.title, t(lang, f"status.{item.status}"), ", ".join(markets[item.id])]
        found += [v for v in (item.platform,) if v]
        if listing != "list":
            found += [v for v in (item.metric, item.acceptance, item.due and item.due.isoformat()) if v]
    return found


def stored(engine, platform: str) -> dict[str, Any]:
    """Everything the script stored for one workspace, with platform ids replaced by people's names."""
    with Session(engine) as db:
        workspace = db.exec(select(Workspace).where(Workspace.platform == platform)).one()
        members = {m.id: m for m in db.exec(select(Member).where(Member.workspace_id == workspace.id))}
        name = {i: PEOPLE[platform][m.external_id] for i, m in members.items()}
        items = db.exec(
            select(Requirement).where(Requirement.workspace_id == workspace.id).order_by(Requirement.number)
        ).all()
        return {
            "requirements": [
                (
                    i.key,
                    i.title,
                    i.status,
                    i.platform,
                    i.metric,
                    i.acceptance,
                    i.description,
                    i.due,
                    CHANNELS.get(i.channel_ref or ""),
                    name[i.requester_id],
                    name.get(i.owner_id) if i.owner_id else None,
                    sorted(db.exec(select(RequirementMarket.market).where(RequirementMarket.requirement_id == i.id))),
                )
                for i in items
            ],
            "audit": [
                (
                    e.entity,
                    e.action,
                    _named(e.changes, name) if e.entity == "requirement" else sorted(e.changes),
                    name.get(e.actor_id),
                )
                for e in db.exec(
                    select(AuditEntry).where(AuditEntry.workspace_id == workspace.id).order_by(AuditEntry.id)
                )
            ],
            "people": sorted((name[i], m.role, m.lang) for i, m in members.items()),
        }


def _named(changes: dict[str, Any], name: dict[int | None, str]) -> dict[str, Any]:
    if "owner_id" in changes:
        changes = {**changes, "owner_id": [name.get(v) for v in changes["owner_id"]]}
    if "channel_ref" in changes:
        changes = {**changes, "channel_ref": [CHANNELS.get(v) for v in changes["channel_ref"]]}
    return changes


def test_the_same_script_stores_the_same_data_and_shows_the_same_facts(
    slack: SlackSender, lark: LarkSender, fake_lark: FakeLark, engine
) -> None:
    lang = "en"
    for step, (line, which) in enumerate(SCRIPT, start=1):
        slack_text = run_slack(slack, line)
        lark_text = run_lark(lark, fake_lark, line, step)
        if line.startswith("/pm lang"):
            lang = "zh-CN" if line.endswith("zh") else "en"
        expected = facts(engine, "slack", which, lang)
        assert expected == facts(engine, "lark", which, lang)
        for fact in expected:
            assert fact in slack_text, (line, fact, slack_text)
            assert fact in lark_text.replace("&#38;", "&"), (line, fact, lark_text)
        assert ("REQ-" in slack_text) == ("REQ-" in lark_text), line
    slack_data, lark_data = stored(engine, "slack"), stored(engine, "lark")
    assert slack_data == lark_data
    assert [r[:3] for r in slack_data["requirements"]] == [
        ("REQ-1", "DE A+ page", "triaged"),
        ("REQ-2", "Shopee 9.9 bundle", "rejected"),
    ]
    assert slack_data["people"] == [("ana", "admin", "zh-CN"), ("li", "member", None)]
