"""Racing clicks record exactly one decision, on SQLite and PostgreSQL.

The clicks go over HTTP to several copies of the app (each its own uvicorn thread, engine and
connection pool, as several workers would be), released together by a barrier, so that their
transactions really overlap.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.db import make_engine
from bot.runtime import Runtime
from bot.web import create_app
from handlers import REGISTRY
from models.approvals.approval import ApprovalStep
from tests.conftest import slack_settings
from tests.fakes.slack_api import FakeSlack
from tests.scoring.approval_flow import (
    ANA,
    approval,
    audit_actions,
    mention,
    posted_to,
    requirement_status,
    settle,
    submit,
)
from tests.support.server import ServerThread
from tests.support.slack_requests import SlackSender, SlackUser, block_text, button

COPIES = 4
APPROVERS = [SlackUser(user=f"UA{n}", name=f"approver{n}") for n in range(8)]


@pytest.fixture(scope="module")
def copies(migrated_engine: Engine, database_url: str, fake_slack: FakeSlack) -> Iterator[list[ServerThread]]:
    url = migrated_engine.url.render_as_string(hide_password=False)
    started = []
    for _ in range(COPIES):
        runtime = Runtime(make_engine(url), REGISTRY)
        server = ServerThread(create_app(slack_settings(database_url, fake_slack), runtime)).start()
        server.runtime = runtime
        started.append(server)
    yield started
    for server in started:
        server.stop()
        server.runtime.engine.dispose()


@pytest.fixture
def senders(copies: list[ServerThread], slack: SlackSender, fake_slack: FakeSlack) -> Iterator[list[SlackSender]]:
    for server in copies:
        server.runtime.forget_people()  # the tables were just emptied
    made = [SlackSender(server.url, slack.response_base) for server in copies]
    yield made
    settle(fake_slack)
    for sender in made:
        sender.close()


def together(senders: list[SlackSender], clicks: list[tuple[dict, SlackUser]]) -> list[int]:
    """Press every (button, who) at the same moment, spread over the app's copies."""
    barrier = threading.Barrier(len(clicks))

    def press(n: int) -> int:
        element, who = clicks[n]
        barrier.wait()
        return senders[n % len(senders)].click(element, who=who).status_code

    with ThreadPoolExecutor(max_workers=len(clicks)) as pool:
        return list(pool.map(press, range(len(clicks))))


def answers(fake_slack: FakeSlack, count: int) -> list[str]:
    return [block_text(c.body) for c in fake_slack.wait_for("response_url", count)]


def test_eight_approvers_clicking_at_once(slack, senders, fake_slack: FakeSlack, engine: Engine) -> None:
    card = submit(slack, fake_slack, engine, " ".join(mention(a) for a in APPROVERS))
    approve = button(card, "Approve")
    assert together(senders, [(approve, who) for who in APPROVERS]) == [200] * len(APPROVERS)
    settle(fake_slack)
    decided = approval(engine)
    assert decided.state == "approved" and requirement_status(engine) == "approved"
    with Session(engine) as db:
        votes = [s.vote for s in db.exec(select(ApprovalStep)).all()]
    assert votes.count("approved") == 1 and votes.count("pending") == len(APPROVERS) - 1
    actions = audit_actions(engine)
    assert actions.count("decide") == 1 and actions.count("status") == 2  # new → triaged, triaged → approved
    assert len(fake_slack.calls_to("chat.update")) == 1
    assert len(posted_to(fake_slack, "U1")) == 1  # the requester is told once
    told = answers(fake_slack, len(APPROVERS) - 1)
    assert len(told) == len(APPROVERS) - 1 and all(t.startswith("Already approved by <@UA") for t in told)


def test_a_double_click_is_one_decision(slack, senders, fake_slack: FakeSlack, engine: Engine) -> None:
    approver = APPROVERS[0]
    card = submit(slack, fake_slack, engine, mention(approver))
    approve = button(card, "Approve")
    together(senders, [(approve, approver)] * 6)
    settle(fake_slack)
    assert approval(engine).state == "approved"
    assert audit_actions(engine).count("decide") == 1 and len(fake_slack.calls_to("chat.update")) == 1
    assert len(answers(fake_slack, 5)) == 5


def test_approve_and_reject_at_once(slack, senders, fake_slack: FakeSlack, engine: Engine) -> None:
    yes, no = APPROVERS[0], APPROVERS[1]
    card = submit(slack, fake_slack, engine, f"{mention(yes)} {mention(no)}")
    slack.click(button(card, "Reject"), who=no)
    [opened] = fake_slack.wait_for("views.open")
    barrier = threading.Barrier(2)

    def approve() -> None:
        barrier.wait()
        senders[0].click(button(card, "Approve"), who=yes)

    def reject() -> None:
        barrier.wait()
        reason = {"reason": {"reason": {"type": "plain_text_input", "value": "too risky"}}}
        senders[1].submit_view(opened.body["view"], reason, who=no)

    with ThreadPoolExecutor(max_workers=2) as pool:
        for done in [pool.submit(approve), pool.submit(reject)]:
            done.result()
    settle(fake_slack)
    found = approval(engine)
    assert found.state in ("approved", "rejected")
    assert requirement_status(engine) == found.state
    assert audit_actions(engine).count("decide") == 1 and len(fake_slack.calls_to("chat.update")) == 1


def test_the_last_two_of_all_must_approve_clicking_at_once(slack, senders, fake_slack: FakeSlack, engine) -> None:
    # 会签: each vote reads the others' under the approval's lock, so the last two votes, cast at the
    # same moment, still see each other and the approval does not stay pending for ever.
    first, second = APPROVERS[0], APPROVERS[1]
    card = submit(slack, fake_slack, engine, f"{mention(first)} {mention(second)} mode=all", who=ANA)
    approve = button(card, "Approve")
    together(senders, [(approve, first), (approve, second)])
    settle(fake_slack)
    assert approval(engine).state == "approved" and requirement_status(engine) == "approved"
    actions = audit_actions(engine)
    assert actions.count("vote") == 1 and actions.count("decide") == 1
