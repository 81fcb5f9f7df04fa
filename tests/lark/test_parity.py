"""One script through the Slack front end and through the Lark front end: both store the same data
(requirements, risks, costs, experiments, scores, approvals, digest settings, standups, audit trail, people's
settings, tracked cards) and show the same facts after each step, whether the step is typed or is a click on a
posted card."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, select

from bot.i18n import catalog
from models.approvals.approval import Approval, ApprovalStep
from models.audit import AuditEntry
from models.chat_message import ChatMessage
from models.costs.cost import CostLane, Sku
from models.digest.schedule import DigestChannel
from models.experiments.experiment import Experiment
from models.experiments.result import ExperimentTotal
from models.requirements.requirement import Requirement, RequirementMarket
from models.risks.risk import Risk, RiskMarket
from models.scoring import rice as math
from models.scoring import score as score_model
from models.scoring.score import ScoreEntry
from models.standup.answer import StandupAnswer
from models.workspace import Member, Workspace
from tests.fakes.lark_api import FakeLark
from tests.fakes.slack_api import FakeSlack
from tests.support.lark_requests import LarkSender, LarkUser, buttons, card_text
from tests.support.lark_requests import button as lark_button
from tests.support.server import ServerThread
from tests.support.slack_requests import SlackSender, SlackUser, block_text
from tests.support.slack_requests import button as slack_button

# (the command as typed, or "click <button key> <entity> [who]"; what the reply must show: "<entity>:<key>"
# read from the database, "list" or "list:<status>" for requirements, or nothing; hand-worked figures it must
# show)
SCRIPT: tuple[tuple[str, str | None, tuple[str, ...]], ...] = (
    ("/pm lang en", None, ()),
    ('/req add "DE A+ page" market=DE,AT platform=amazon metric="DE conv +8%" due=2026-12-01 owner=@li', "REQ-1", ()),
    ("/req add Shopee 9.9 bundle market=SG,MY platform=shopee", "REQ-2", ()),
    ("/req list", "list", ()),
    ("/req show REQ-1", "REQ-1", ()),
    ("/req status REQ-1 triaged", "REQ-1", ()),
    ('/req edit REQ-2 due=2026-09-01 ac="bundle SKU live" owner=@li', "REQ-2", ()),
    ("/req status REQ-2 rejected", "REQ-2", ()),
    ("/pm fx EURCNY 7.82", None, ("EURCNY", "7.82")),
    ("/cost add TEE-01 purchase=23.50 currency=CNY weight=0.42kg dims=30x20x5cm", "cost:TEE-01", ()),
    # The worked example of tests/economics/test_costs.py: contribution 6.77 EUR (52.95 CNY), margin 32.24%.
    (
        "/cost lane TEE-01 market=DE channel=sea freight=1200/cbm duty=12% vat=19% referral=15% fulfilment=3.40 "
        "storage=0.12 ads=8% returns=6% price=24.99",
        "cost:TEE-01",
        ("6.77", "52.95", "32.24%"),
    ),
    ("/cost show TEE-01", "cost:TEE-01", ("6.77", "52.95", "32.24%")),
    (
        "/risk add Yantian port congestion category=logistics likelihood=4 impact=4 market=US owner=@li",
        "risk:RISK-1",
        (),
    ),
    ("click risk.button.accept risk", "risk:RISK-1", ()),
    # Sample size from Cohen's h (tests/experiments): 53,182 per arm at 80% power.
    (
        "/exp add DE title test metric=conversion market=DE baseline=3% mde=10% traffic=4000/day method=fixed",
        "exp:EXP-1",
        ("53,182",),
    ),
    ("/exp result EXP-1 control=10000/330 variant=10000/300", "exp:EXP-1", ("p = 0.225",)),
    ("/exp status EXP-1", "exp:EXP-1", ("-0.30 pp", "p = 0.225")),
    ("/pm lang zh", None, ()),
    ("/req show REQ-2", "REQ-2", ()),
    ("/req list status=triaged", "list:triaged", ()),
    ("/risk show RISK-1", "risk:RISK-1", ()),
    ("/cost show TEE-01", "cost:TEE-01", ("6.77", "52.95", "32.24%")),
    ("/exp status EXP-1", "exp:EXP-1", ("p = 0.225",)),
    # Issue 3's example: 4,000 × 2 × 0.8 ÷ 1.5 = 4,266.7.
    ("/score REQ-1 reach=4000 impact=2 confidence=80 effort=1.5", "score:REQ-1", ("4,266.7", "4,000 × 2 × 80% ÷ 1.5")),
    ("/score top", "top", ("4,266.7",)),
    ("/pm settings adhoc_approvers=on", None, ()),  # li is a plain member, named ad hoc
    ("/req submit REQ-1 @li", "approval:REQ-1", ("4,266.7",)),
    ("li> /pm lang zh", None, ()),  # the card a click redraws is drawn in the clicker's language
    ("click approval.button.approve approval li", "approval:REQ-1", ()),
    ("/digest schedule 09:30 Asia/Shanghai weekdays", "digest", ("09:30", "Asia/Shanghai")),
    ("/standup y: a t: b b: none", "standup", ()),
    ("/digest lang zh", "digest", ()),  # a digest is drawn in its own language (Lark's default is Chinese)
    ("/digest preview", "preview", ()),
)
PEOPLE = {"slack": {"U1": "ana", "U_LI": "li"}, "lark": {"ou_ana": "ana", "ou_li": "li"}}
CHANNELS = {"C1": "#product", "oc_product": "#product"}
KEYS = ("REQ-", "RISK-", "EXP-")


class SlackSide:
    def __init__(self, slack: SlackSender, fake: FakeSlack, server: ServerThread) -> None:
        self.slack, self.fake, self.server = slack, fake, server
        self.seen = 0
        self.cards: dict[str, dict[str, Any]] = {}  # entity → the card posted about it

    def run(self, line: str, lang: str) -> str:
        if line.startswith("click "):
            _, key, entity, *who = line.split()
            label = catalog().t(lang, key)
            user = SlackUser(user="U_LI", name="li") if who == ["li"] else None
            shown = [self.slack.click(slack_button(self.cards[entity], label), who=user).text]
        else:
            user = SlackUser(user="U_LI", name="li") if line.startswith("li> ") else None
            command, _, text = line.removeprefix("li> ").partition(" ")
            body = self.slack.command(text.replace("@li", "<@U_LI|li>"), command=command, who=user).text
            shown = [block_text(json.loads(body) if body else {})]
        assert self.server.runtime.settle()
        for call in self.fake.calls[self.seen :]:
            if call.method in ("chat.postMessage", "chat.update", "response_url"):
                shown.append(block_text(call.body))
                entity = card_entity(block_text(call.body), lang) if call.method == "chat.postMessage" else None
                if entity:
                    self.cards[entity] = call.body
        self.seen = len(self.fake.calls)
        return "\n".join(shown)


class LarkSide:
    def __init__(self, lark: LarkSender, fake: FakeLark, server: ServerThread) -> None:
        self.lark, self.fake, self.server = lark, fake, server
        self.seen = 0
        self.cards: dict[str, dict[str, Any]] = {}

    def run(self, line: str, lang: str) -> str:
        shown: list[str] = []
        if line.startswith("click "):
            _, key, entity, *who = line.split()
            card, message_id = self.cards[entity]
            user = LarkUser(open_id="ou_li", name="li") if who == ["li"] else None
            clicked = lark_button(card, catalog().t(lang, key))
            answer = self.lark.click(clicked, who=user, message_id=message_id).json()
            shown += [
                answer.get("toast", {}).get("content", ""),
                card_text((answer.get("card") or {}).get("data") or {}),
            ]
        else:
            user = LarkUser(open_id="ou_li", name="li") if line.startswith("li> ") else None
            typed = line.removeprefix("li> ")
            assert self.lark.message(typed, people={"li": "ou_li"}, who=user).status_code == 200
        assert self.server.runtime.settle()
        for call in self.fake.calls[self.seen :]:
            if call.name in ("im.message.create", "im.message.reply", "im.message.patch"):
                shown.append(card_text(call.card))
                entity = card_entity(card_text(call.card), lang) if buttons(call.card) else None
                if call.name != "im.message.patch" and entity:
                    self.cards[entity] = (call.card, call.answer["data"]["message_id"])
        self.seen = len(self.fake.calls)
        return "\n".join(shown).replace("&#38;", "&")


def card_entity(text: str, lang: str) -> str | None:
    """What a posted card with buttons is about, for a later click on it."""
    if "RISK-" in text:
        return "risk"
    if text.startswith(catalog().t(lang, "approval.card.title") + " · "):
        return "approval"
    return None


def facts(engine, platform: str, which: str | None, lang: str) -> list[str]:
    """What a reply about `which` must show, read from the database, in the reader's language."""
    if which is None:
        return []
    t = catalog().t
    kind, _, key = which.partition(":")
    with Session(engine) as db:
        workspace = db.exec(select(Workspace).where(Workspace.platform == platform)).one()
        if kind == "risk":
            risk = db.exec(select(Risk).where(Risk.workspace_id == workspace.id, Risk.number == int(key[5:]))).one()
            markets = sorted(db.exec(select(RiskMarket.market).where(RiskMarket.risk_id == risk.id)))
            named = [t(lang, f"risk.{group}.{value}") for group, value in
                     (("band", risk.band), ("status", risk.status), ("category", risk.category))]  # fmt: skip
            return [risk.key, risk.title, str(risk.score), *named, *markets]
        if kind == "cost":
            sku = db.exec(select(Sku).where(Sku.workspace_id == workspace.id, Sku.code == key)).one()
            lanes = db.exec(select(CostLane.market).where(CostLane.sku_id == sku.id)).all()
            return [sku.code, f"{sku.purchase_currency} {sku.purchase:,.2f}", *lanes]
        if kind == "exp":
            item = db.exec(select(Experiment).where(Experiment.workspace_id == workspace.id)).one()
            return [item.key, item.name, t(lang, f"exp.state.{item.status}"), item.metric]
        if kind in ("score", "top", "approval"):
            items = db.exec(select(Requirement).where(Requirement.workspace_id == workspace.id)).all()
            shown = [i for i in items if i.key == key or (not key and i.status not in ("shipped", "rejected"))]
            scored = [(i, score_model.current(db=db, requirement_id=i.id)) for i in shown]  # the backlog: open items
            found = [v for i, c in scored for v in (i.key, i.title) + ((math.shown(c.rice_value),) if c else ())]
            if kind == "approval":
                [approval] = db.exec(select(Approval).where(Approval.workspace_id == workspace.id)).all()
                found += [t(lang, f"approval.state.{approval.state}"), t(lang, f"approval.mode.{approval.mode}")]
            return found
        if kind == "digest":
            channel = db.exec(select(DigestChannel).where(DigestChannel.workspace_id == workspace.id)).one()
            assert channel.days == "mon,tue,wed,thu,fri"
            return [channel.at_time, channel.tz, t(lang, "digest.days.weekdays")]
        if kind in ("standup", "preview"):
            answers = db.exec(select(StandupAnswer).where(StandupAnswer.workspace_id == workspace.id)).all()
            if kind == "standup":
                return [t(lang, "standup.saved", date=answers[0].day.isoformat())]
            blocked = sum(1 for a in answers if a.blockers)
            count = len(db.exec(select(Requirement).where(Requirement.workspace_id == workspace.id)).all())
            return [
                t(lang, "digest.preview.note"),
                t(lang, "digest.req.new_count", n=count),  # everything was logged within the last day
                t(lang, "digest.standup.count", n=len(answers), blocked=blocked),
            ]
        items = db.exec(select(Requirement).where(Requirement.workspace_id == workspace.id)).all()
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
        ours = workspace.id
        items = db.exec(select(Requirement).where(Requirement.workspace_id == ours).order_by(Requirement.number)).all()
        risks = db.exec(select(Risk).where(Risk.workspace_id == ours)).all()
        skus = db.exec(select(Sku).where(Sku.workspace_id == ours)).all()
        experiments = db.exec(select(Experiment).where(Experiment.workspace_id == ours)).all()
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
            "risks": [
                (
                    r.key,
                    r.title,
                    r.category,
                    r.likelihood,
                    r.impact,
                    r.status,
                    name.get(r.owner_id),
                    name.get(r.decided_by),
                    CHANNELS.get(r.channel_ref or ""),
                    sorted(db.exec(select(RiskMarket.market).where(RiskMarket.risk_id == r.id))),
                )
                for r in risks
            ],
            "costs": [
                (
                    s.code,
                    s.purchase,
                    s.purchase_currency,
                    s.weight_kg,
                    [
                        (lane.market, lane.channel, lane.price, lane.duty_pct, lane.vat_pct)
                        for lane in db.exec(select(CostLane).where(CostLane.sku_id == s.id))
                    ],
                )
                for s in skus
            ],
            "experiments": [
                (
                    e.key,
                    e.name,
                    e.status,
                    e.metric,
                    e.markets,
                    name.get(e.requester_id),
                    sorted(
                        (r.arm, r.market, r.visitors, r.conversions)
                        for r in db.exec(select(ExperimentTotal).where(ExperimentTotal.experiment_id == e.id))
                    ),
                )
                for e in experiments
            ],
            "scores": [
                (e.method, e.value, e.inputs, name.get(e.actor_id))
                for e in db.exec(
                    select(ScoreEntry).where(ScoreEntry.workspace_id == ours).order_by(ScoreEntry.id)  # type: ignore[arg-type]
                )
            ],
            "approvals": [
                (
                    a.state,
                    a.mode,
                    a.submitted_status,
                    name[a.requester_id],
                    name.get(a.decided_by),
                    CHANNELS.get(a.channel_ref or ""),
                    [
                        (name[step.member_id], step.vote)
                        for step in db.exec(select(ApprovalStep).where(ApprovalStep.approval_id == a.id))
                    ],
                )
                for a in db.exec(select(Approval).where(Approval.workspace_id == ours))
            ],
            "digests": [
                (CHANNELS.get(c.channel_ref), c.enabled, c.at_time, c.tz, c.days, c.lang, name.get(c.updated_by))
                for c in db.exec(select(DigestChannel).where(DigestChannel.workspace_id == ours))
            ],
            "standups": [
                (CHANNELS.get(a.channel_ref), name[a.member_id], a.day, a.yesterday, a.today, a.blockers)
                for a in db.exec(select(StandupAnswer).where(StandupAnswer.workspace_id == ours))
            ],
            "tracked": sorted(
                (m.entity, CHANNELS.get(m.channel_ref))
                for m in db.exec(select(ChatMessage).where(ChatMessage.workspace_id == ours))
            ),
            "audit": [
                (
                    e.entity,
                    e.action,
                    _named(e.changes, name) if e.entity == "requirement" else sorted(e.changes),
                    name.get(e.actor_id),
                )
                for e in db.exec(select(AuditEntry).where(AuditEntry.workspace_id == ours).order_by(AuditEntry.id))
            ],
            "people": sorted((name[i], m.role, m.lang) for i, m in members.items()),
        }


def _named(changes: dict[str, Any], name: dict[int | None, str]) -> dict[str, Any]:
    if "approval" in changes:  # its id differs between the two workspaces; who was asked does not
        changes = {**changes, "approval": "·"}
    if "approvers" in changes:
        changes = {**changes, "approvers": [name.get(v) for v in changes["approvers"]]}
    if "owner_id" in changes:
        changes = {**changes, "owner_id": [name.get(v) for v in changes["owner_id"]]}
    if "channel_ref" in changes:
        changes = {**changes, "channel_ref": [CHANNELS.get(v) for v in changes["channel_ref"]]}
    return changes


def test_the_same_script_stores_the_same_data_and_shows_the_same_facts(
    slack: SlackSender,
    slack_server: ServerThread,
    fake_slack: FakeSlack,
    lark: LarkSender,
    lark_server: ServerThread,
    fake_lark: FakeLark,
    engine,
) -> None:
    on_slack = SlackSide(slack, fake_slack, slack_server)
    on_lark = LarkSide(lark, fake_lark, lark_server)
    lang = "en"
    for line, which, figures in SCRIPT:
        slack_text = on_slack.run(line, lang)
        lark_text = on_lark.run(line, lang)
        if line.startswith("/pm lang"):  # ana's language
            lang = "zh-CN" if line.endswith("zh") else "en"
        expected = facts(engine, "slack", which, lang)
        assert expected == facts(engine, "lark", which, lang)
        for fact in [*expected, *figures]:
            assert fact in slack_text, (line, fact, slack_text)
            assert fact in lark_text, (line, fact, lark_text)
        for key in KEYS:
            assert (key in slack_text) == (key in lark_text), (line, key)
    slack_data, lark_data = stored(engine, "slack"), stored(engine, "lark")
    for part in slack_data:
        assert slack_data[part] == lark_data[part], part
    assert slack_data == lark_data
    assert [r[:3] for r in slack_data["requirements"]] == [
        ("REQ-1", "DE A+ page", "approved"),
        ("REQ-2", "Shopee 9.9 bundle", "rejected"),
    ]
    assert [s[:2] for s in slack_data["scores"]] == [("rice", "4266.6667")]
    assert slack_data["approvals"] == [("approved", "any", "triaged", "ana", "li", "#product", [("li", "approved")])]
    weekdays = "mon,tue,wed,thu,fri"
    assert slack_data["digests"] == [("#product", True, "09:30", "Asia/Shanghai", weekdays, "zh-CN", "ana")]
    assert [a[:2] + a[3:] for a in slack_data["standups"]] == [("#product", "ana", "a", "b", None)]
    assert [r[:7] for r in slack_data["risks"]] == [
        ("RISK-1", "Yantian port congestion", "logistics", 4, 4, "accepted", "li")
    ]
    assert slack_data["risks"][0][7] == "ana"  # accepted by the admin who clicked
    assert slack_data["experiments"][0][6] == [("control", "", 10000, 330), ("variant", "", 10000, 300)]
    assert slack_data["tracked"] == [("approval", "#product"), ("experiment", "#product"), ("risk", "#product")]
    assert slack_data["people"] == [("ana", "admin", "zh-CN"), ("li", "member", "zh-CN")]
