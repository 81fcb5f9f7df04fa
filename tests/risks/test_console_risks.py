"""/risk through the real console: filing, listing, updating, closing, mitigating, playbooks, reviews."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import Session, select

from models.audit import AuditEntry
from models.requirements.requirement import Requirement
from models.risks.mitigation import RiskMitigation, RiskPlaybook
from models.risks.risk import Risk, RiskMarket, RiskScore
from models.workspace import Member
from tests.support.console import ConsoleDriver


def risks(engine) -> list[Risk]:
    with Session(engine) as db:
        return list(db.exec(select(Risk).order_by(Risk.number)).all())


def member_id(engine, ref: str) -> int:
    with Session(engine) as db:
        return db.exec(select(Member.id).where(Member.external_id == ref)).one()


def test_add_stores_every_field(console: ConsoleDriver, engine) -> None:
    console.send("/req add DE launch")
    out = console.send(
        '/risk add "Forwarder strike in Yantian" category=logistics likelihood=4 impact=3 owner=@li '
        "market=US,de exposure=120,000 currency=usd review=2030-01-15 req=REQ-1"
    )
    assert "RISK-1 filed: score 12 (high)." in out
    [risk] = risks(engine)
    assert (risk.title, risk.category, risk.likelihood, risk.impact, risk.score) == (
        "Forwarder strike in Yantian",
        "logistics",
        4,
        3,
        12,
    )
    assert (risk.exposure_amount, risk.exposure_currency) == (Decimal("120000"), "USD")
    assert (risk.next_review, risk.review_every_days) == (date(2030, 1, 15), None)
    assert risk.owner_id == member_id(engine, "li")
    assert risk.reporter_id == member_id(engine, "mei")
    with Session(engine) as db:
        assert db.get(Requirement, risk.requirement_id).number == 1
        assert sorted(db.exec(select(RiskMarket.market))) == ["DE", "US"]
        assert [(s.likelihood, s.impact, s.score) for s in db.exec(select(RiskScore))] == [(4, 3, 12)]
    assert "Exposure: USD 120,000" in out


def test_amounts_and_cadences_as_people_type_them(console: ConsoleDriver, engine) -> None:
    console.send("/risk add a category=fx likelihood=2 impact=2 exposure=12万 currency=CNY review=weekly")
    console.send("/risk add b category=汇率 likelihood=2 impact=2 exposure=USD1.5m")
    a, b = risks(engine)
    assert (a.exposure_amount, a.exposure_currency, a.review_every_days) == (Decimal("120000"), "CNY", 7)
    assert a.next_review - date.today() in (timedelta(days=6), timedelta(days=7), timedelta(days=8))
    assert (b.category, b.exposure_amount, b.exposure_currency) == ("fx", Decimal("1500000"), "USD")
    # Defaults: a low risk is reviewed monthly, the filer owns it.
    assert b.review_every_days == 30 and b.owner_id == b.reporter_id


def test_bad_input_gets_a_clear_message_and_stores_nothing(console: ConsoleDriver, engine) -> None:
    base = "/risk add thing category=fx likelihood=3 impact=3"
    cases = {
        "/risk add thing category=logistcs likelihood=3 impact=3": "Did you mean logistics?",
        "/risk add thing category=banana likelihood=3 impact=3": "banana is not a category. Categories: fx,",
        "/risk add thing category=fx likelihood=6 impact=3": "6 is not a level from 1 to 5",
        "/risk add thing category=fx likelihood=3 impact=0": "0 is not a level from 1 to 5",
        "/risk add thing category=fx likelihood=3": "Also give: impact.",
        "/risk add category=fx likelihood=3 impact=3": "A risk needs a title.",
        base + " owner=bob": "bob is not a person",
        base + " exposure=1.2.3 currency=USD": "1.2.3 is not an amount I can read",
        base + " exposure=5000": "Which currency is 5000 in?",
        base + " exposure=5000 currency=XYZ": "XYZ is not a currency code",
        base + " review=2020-01-01": "is in the past",
        base + " review=someday": "someday is not a review cadence or date",
        base + " req=REQ-9": "REQ-9 does not exist in this workspace",
        base + " market=XX": "XX is not an ISO country code",
        base + " colour=red": "colour is not an option here",
    }
    for line, expected in cases.items():
        out = console.send(line)
        assert expected in out, (line, out)
        assert "Traceback" not in out and "went wrong" not in out
    assert risks(engine) == []
    console.send(base)  # refused commands spent no key number
    assert [r.number for r in risks(engine)] == [1]


def test_list_is_sorted_by_score_and_filters(console: ConsoleDriver) -> None:
    console.send("/risk add low one category=fx likelihood=1 impact=2 market=US")
    console.send("/risk add critical one category=tariff likelihood=5 impact=4 market=DE")
    console.send("/risk add high one category=fx likelihood=3 impact=4 market=DE")
    console.as_user("li").send("/risk add li's category=quality likelihood=2 impact=3")
    out = console.as_user("mei").send("/risk list")
    order = [out.index(k) for k in ("RISK-2", "RISK-3", "RISK-4", "RISK-1")]
    assert order == sorted(order), out
    assert "1–4 of 4" in out
    fx = console.send("/risk list category=fx")
    assert "RISK-3" in fx and "RISK-1" in fx and "RISK-2" not in fx
    high = console.send("/risk list band=high")
    assert "RISK-3" in high and "RISK-2" not in high
    high_plus = console.send("/risk list band=high+")
    assert "RISK-3" in high_plus and "RISK-2" in high_plus and "RISK-4" not in high_plus
    de = console.send("/risk list market=de")
    assert "RISK-2" in de and "RISK-1" not in de
    mine = console.as_user("li").send("/risk list mine")
    assert "RISK-4" in mine and "RISK-1" not in mine
    assert "huge is not a band" in console.send("/risk list band=huge")


def test_update_keeps_score_history_and_audits_old_and_new(console: ConsoleDriver, engine) -> None:
    console.send("/risk add thing category=fx likelihood=2 impact=3 exposure=100 currency=USD")
    out = console.send("/risk update RISK-1 likelihood=4 exposure=none owner=@li")
    assert "RISK-1 updated:" in out and "Score 12 (high)" in out
    assert "RISK-1 is now high (score 12)." in out  # medium → high: posted as a card
    [risk] = risks(engine)
    assert (risk.likelihood, risk.score, risk.exposure_amount, risk.exposure_currency) == (4, 12, None, None)
    with Session(engine) as db:
        history = [(s.likelihood, s.impact, s.score) for s in db.exec(select(RiskScore).order_by(RiskScore.id))]
        edit = db.exec(select(AuditEntry).where(AuditEntry.entity == "risk", AuditEntry.action == "edit")).one()
    assert history == [(2, 3, 6), (4, 3, 12)]
    assert edit.changes["likelihood"] == [2, 4]
    assert edit.changes["score"] == [6, 12]
    assert edit.changes["exposure_amount"] == ["100.00", None]
    assert edit.changes["owner_id"] == [member_id(engine, "mei"), member_id(engine, "li")]
    assert "nothing changed" in console.send("/risk update RISK-1 likelihood=4")
    assert "Score history: 6 → 12" in console.send("/risk show RISK-1")


def test_close_needs_a_reason_and_is_final(console: ConsoleDriver, engine) -> None:
    console.send("/risk add thing category=fx likelihood=2 impact=3")
    assert "Say why it is closed" in console.send("/risk close RISK-1")
    assert "RISK-1 closed." in console.send("/risk close RISK-1 hedged for Q1")
    [risk] = risks(engine)
    assert (risk.status, risk.close_reason) == ("closed", "hedged for Q1")
    assert "RISK-1 is closed." in console.send("/risk close RISK-1 again")
    assert "RISK-1 is closed." in console.send("/risk update RISK-1 impact=5")
    assert "RISK-1" not in console.send("/risk list")
    assert "RISK-1" in console.send("/risk list status=closed")


def test_mitigations_are_numbered_owned_and_marked_done(console: ConsoleDriver, engine) -> None:
    console.send("/risk add strike category=logistics likelihood=4 impact=4")
    out = console.send("/risk list")
    assert "No mitigation yet for a high risk" in out
    added = console.send('/risk mitigate RISK-1 "book a second forwarder" owner=@li due=2030-02-01')
    assert "Action #1 added to RISK-1." in added
    console.send("/risk mitigate RISK-1 raise safety stock")
    assert "No mitigation yet" not in console.send("/risk list")
    assert "RISK-1: action 1, 2 done." in console.send("/risk done RISK-1 1 2")
    assert "action 2 was already done" in console.send("/risk done RISK-1 2")
    assert "RISK-1 has no action 7." in console.send("/risk done RISK-1 7")
    with Session(engine) as db:
        actions = db.exec(select(RiskMitigation).order_by(RiskMitigation.position)).all()
    assert [(a.position, a.text, a.due, a.done_at is not None) for a in actions] == [
        (1, "book a second forwarder", date(2030, 2, 1), True),
        (2, "raise safety stock", None, True),
    ]
    assert actions[0].owner_id == member_id(engine, "li")
    assert actions[1].owner_id == member_id(engine, "mei")  # the risk's owner by default


def test_starting_a_playbook_turns_its_steps_into_actions(console: ConsoleDriver, engine) -> None:
    console.send("/risk add strike category=supplier likelihood=3 impact=4 owner=@li")
    out = console.send("/risk playbook start RISK-1")
    assert "Playbook started for RISK-1: 5 actions added" in out
    with Session(engine) as db:
        actions = db.exec(select(RiskMitigation).order_by(RiskMitigation.position)).all()
        started = db.exec(select(Risk)).one().playbook_started_at
    today = date.today()
    # The built-in supplier steps are due 1, 2, 10, 14 and 21 days after the start.
    assert [(a.due - today).days for a in actions] in ([1, 2, 10, 14, 21], [0, 1, 9, 13, 20], [2, 3, 11, 15, 22])
    assert {a.owner_id for a in actions} == {member_id(engine, "li")}
    assert next(a.text_key for a in actions) == "risk.playbook.supplier.step1"
    assert started is not None
    assert "#1 Confirm open POs" in out
    assert "already" in console.send("/risk playbook start RISK-1")
    console.send("/pm lang zh")
    assert "#1 与现有供应商确认未交付采购单" in console.send("/risk show RISK-1")


def test_a_workspace_edits_and_resets_its_playbook(console: ConsoleDriver, engine) -> None:
    out = console.send(
        "/risk playbook logistics edit", "Call the backup forwarder +1d | Move stock by rail +1w | Tell CS"
    )
    assert "Playbook for logistics saved: 3 steps." in out
    with Session(engine) as db:
        own = db.exec(select(RiskPlaybook)).one()
    assert own.steps == [
        {"text": "Call the backup forwarder", "days": 1},
        {"text": "Move stock by rail", "days": 7},
        {"text": "Tell CS", "days": None},
    ]
    shown = console.send("/risk playbook logistics")
    assert "1. Call the backup forwarder (+1d)" in shown and "Edited by this workspace" in shown
    console.send("/risk add strike category=logistics likelihood=2 impact=2")
    console.send("/risk playbook start RISK-1")
    with Session(engine) as db:
        assert [a.text for a in db.exec(select(RiskMitigation).order_by(RiskMitigation.position))] == [
            "Call the backup forwarder",
            "Move stock by rail",
            "Tell CS",
        ]
    assert "built-in one again" in console.send("/risk playbook logistics reset")
    assert "Built-in" in console.send("/risk playbook logistics")
    refused = console.as_user("li").send("/risk playbook fx edit")  # li is a plain member
    assert "Only approvers and workspace admins can change playbooks." in refused
    assert "Did you mean logistics?" in console.as_user("mei").send("/risk playbook logstics")


def test_review_schedules_the_next_one(console: ConsoleDriver, engine) -> None:
    console.send("/risk add thing category=fx likelihood=2 impact=2 review=biweekly")
    out = console.send("/risk review RISK-1 rates stable this month")
    assert "RISK-1 reviewed. Next review:" in out
    [risk] = risks(engine)
    assert risk.reviewed_at is not None and (risk.next_review - date.today()).days in (13, 14, 15)
    with Session(engine) as db:
        note = db.exec(select(AuditEntry).where(AuditEntry.action == "risk_note")).one()
    assert note.changes == {"note": [None, "rates stable this month"]}


def test_chinese_user_sees_chinese(console: ConsoleDriver) -> None:
    console.send("/pm lang zh")
    out = console.send("/risk add 深圳港拥堵 category=物流 likelihood=4 impact=5 market=US")
    assert "已登记 RISK-1：评分 20（极高）" in out
    assert "评分: 4 × 5 = 20（极高）" in out
    assert "类别: 物流" in out
    assert "你是不是想写 tariff？" in console.send("/risk add x category=tarif likelihood=1 impact=1")
    assert "风险登记册" in console.send("/risk list")
    assert "风险登记册（/risk）" in console.send("/risk help")


def test_exposure_is_shown_in_the_home_currency_at_the_teams_rate(console: ConsoleDriver) -> None:
    console.send("/risk add port strike category=logistics likelihood=2 impact=2 exposure=120000 currency=USD")
    before = console.send("/risk show RISK-1")
    assert "USD 120,000" in before and "no USD→CNY rate is known yet" in before
    console.send("/pm fx USDCNY 7.2 date=2026-11-01")
    after = console.send("/risk show RISK-1")
    # 120,000 USD × 7.2 CNY/USD = 864,000 CNY
    assert "CNY 864,000" in after
    assert "from USD 120,000 at 7.2 (the team's rate of 2026-11-01)" in after


def test_a_closed_risk_shows_no_next_review(console: ConsoleDriver) -> None:
    console.send("/risk add thing category=fx likelihood=3 impact=3 review=weekly")
    assert "Review: every 7 days, next" in console.send("/risk show RISK-1")
    out = console.send("/risk close RISK-1 hedged")
    assert "Review: —" in out and "next" not in out.split("Review:")[1].splitlines()[0]
