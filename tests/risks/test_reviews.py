"""Overdue reviews: the job DMs the owner once per overdue period, in each workspace's own today; the
query the digest uses names them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, select

from bot.effects import EffectRunner, Where
from bot.render.slack import SlackRenderer
from bot.render.text import TextRenderer
from bot.render.viewer import Viewer
from bot.slack.app import make_client
from bot.slack.notifier import SlackNotifier
from handlers.core.reply import DirectMessage
from handlers.risks.reviews import remind_overdue_reviews
from models.risks import risk as risk_model
from models.risks.risk import Risk
from models.workspace import Member, Workspace
from tests.conftest import slack_settings
from tests.fakes.slack_api import FakeSlack
from tests.support.console import ConsoleDriver
from tests.support.slack_requests import block_text

DUE = date(2030, 3, 10)


def file_risk(console: ConsoleDriver, owner: str = "li") -> None:
    console.send(f"/risk add Customs hold in Rotterdam category=tariff likelihood=3 impact=4 owner=@{owner} "
                 f"review={DUE.isoformat()}")  # fmt: skip


def run_job(engine, now: datetime) -> list:
    with Session(engine, expire_on_commit=False) as db:
        deliveries = remind_overdue_reviews(db, now)
        db.commit()
    return deliveries


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def test_the_owner_is_told_once_per_overdue_period(console: ConsoleDriver, engine) -> None:
    file_risk(console)
    assert run_job(engine, at(DUE)) == []  # due today: not overdue yet
    [delivery] = run_job(engine, at(DUE + timedelta(days=1)))
    with Session(engine) as db:
        li = db.exec(select(Member).where(Member.external_id == "li")).one()
    assert isinstance(delivery.effect, DirectMessage) and delivery.effect.member_id == li.id
    told = TextRenderer().message(delivery.effect.reply, Viewer("en"))
    assert "The review of RISK-1 Customs hold in Rotterdam was due on 2030-03-10 (1 day ago)." in told
    assert run_job(engine, at(DUE + timedelta(days=1), 13)) == []  # the next run: already told
    assert run_job(engine, at(DUE + timedelta(days=9))) == []  # still the same overdue period

    with Session(engine) as db:
        overdue = risk_model.overdue_reviews(db=db, workspace_id=li.workspace_id, today=DUE + timedelta(days=9))
    assert [r.key for r in overdue] == ["RISK-1"]

    console.send("/risk update RISK-1 review=weekly")  # a new review date: a new period
    with Session(engine) as db:
        following = db.exec(select(Risk)).one().next_review
    assert run_job(engine, at(following)) == []
    assert len(run_job(engine, at(following + timedelta(days=1)))) == 1


def test_reviewing_ends_the_period(console: ConsoleDriver, engine) -> None:
    file_risk(console, owner="mei")
    console.send("/risk update RISK-1 review=monthly")
    with Session(engine) as db:
        item = db.exec(select(Risk)).one()
        item.next_review = date.today() - timedelta(days=2)  # as if a month had passed
        db.add(item)
        db.commit()
    assert len(run_job(engine, datetime.now(UTC))) == 1
    assert "RISK-1 reviewed." in console.send("/risk review RISK-1")
    with Session(engine) as db:
        item = db.exec(select(Risk)).one()
        assert item.next_review > date.today() and item.review_reminded_for is None
        assert risk_model.overdue_reviews(db=db, workspace_id=item.workspace_id, today=date.today()) == []
    assert run_job(engine, datetime.now(UTC)) == []


def test_each_workspace_uses_its_own_today(console: ConsoleDriver, engine) -> None:
    file_risk(console)
    # 20:00 UTC on the due date is already the next morning in Shanghai, still the due date in Los Angeles.
    evening = at(DUE + timedelta(days=1), 20) - timedelta(days=1)
    with Session(engine) as db:
        workspace = db.exec(select(Workspace)).one()
        workspace.default_tz = "America/Los_Angeles"
        db.add(workspace)
        db.commit()
    assert run_job(engine, evening) == []
    with Session(engine) as db:
        workspace = db.exec(select(Workspace)).one()
        workspace.default_tz = "Asia/Shanghai"
        db.add(workspace)
        db.commit()
    assert len(run_job(engine, evening)) == 1


def test_a_closed_risk_is_not_chased(console: ConsoleDriver, engine) -> None:
    file_risk(console)
    console.send("/risk close RISK-1 supplier moved to Poland")
    assert run_job(engine, at(DUE + timedelta(days=3))) == []


def test_the_reminder_reaches_slack_in_the_owners_language(
    console: ConsoleDriver, engine, fake_slack: FakeSlack, database_url
) -> None:
    fake_slack.reset()
    file_risk(console)
    console.as_user("li").send("/pm lang zh")
    [delivery] = run_job(engine, at(DUE + timedelta(days=2)))
    runner = EffectRunner(SlackNotifier(make_client(slack_settings(database_url, fake_slack)), SlackRenderer()), engine)
    runner.run(delivery.effect, Viewer("en", "UTC"), Where(workspace_id=delivery.workspace_id, user_ref=""))
    [dm] = fake_slack.calls_to("chat.postMessage")
    assert dm.body["channel"] == "li"
    text = block_text(dm.body)
    assert "RISK-1" in text and "应于 2030-03-10 复盘（已逾期 2 天）" in text
    assert [b["text"]["text"] for b in dm.body["blocks"][-1]["elements"]] == ["已复盘"]
