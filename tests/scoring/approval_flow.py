"""Shared steps for the approval tests: people, submitting a requirement, finding what the bot sent."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.approvals.approval import Approval
from models.audit import AuditEntry
from models.chat_message import ChatMessage
from models.requirements.requirement import Requirement
from tests.fakes.slack_api import Call, FakeSlack
from tests.support.slack_requests import SlackSender, SlackUser, block_text

ANA = SlackUser(user="U1", name="ana")  # the first to use the bot: the workspace's admin
LI = SlackUser(user="U2", name="li")
SAM = SlackUser(user="U3", name="sam")
ZED = SlackUser(user="U4", name="zed")


def mention(who: SlackUser) -> str:
    return f"<@{who.user}|{who.name}>"


def wait_calls(fake: FakeSlack, method: str, match: Callable[[Call], bool], count: int = 1) -> list[Call]:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        found = [c for c in fake.calls_to(method) if match(c)]
        if len(found) >= count:
            return found
        time.sleep(0.01)
    raise AssertionError(f"expected {count} {method} call(s); got {[c.body for c in fake.calls_to(method)]}")


def posted_to(fake: FakeSlack, channel: str, count: int = 1) -> list[Call]:
    return wait_calls(fake, "chat.postMessage", lambda c: c.body.get("channel") == channel, count)


def submit(slack: SlackSender, fake: FakeSlack, engine: Engine, text: str, *, who: SlackUser = ANA) -> dict[str, Any]:
    """Log REQ-1 (scored) and submit it with `text`; returns the approval card the bot posted. The people
    named are plain members: the workspace's admin (ana) lets anyone be named (ad-hoc approvers)."""
    slack.command("settings adhoc_approvers=on", command="/pm", who=ANA)
    slack.command("add DE A+ page market=DE", who=who)
    slack.command("REQ-1 reach=4000 impact=2 confidence=80 effort=1.5", command="/score", who=who)
    ack = slack.command(f"submit REQ-1 {text}".strip(), who=who).json()
    assert "sent for approval" in block_text(ack), block_text(ack)
    [card] = posted_to(fake, "C1")
    tracked(engine)
    return card.body


def tracked(engine: Engine, count: int = 1) -> list[ChatMessage]:
    """The cards remembered for later updates (remembered just after they are posted)."""
    deadline = time.monotonic() + 5
    while True:
        with Session(engine) as db:
            found = list(db.exec(select(ChatMessage).order_by(ChatMessage.id)).all())
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.01)


def settle(fake: FakeSlack, quiet: float = 0.15, limit: float = 5.0) -> None:
    """Wait until the bot has stopped calling Slack: effects run after the ack, on a thread pool."""
    deadline = time.monotonic() + limit
    seen, since = len(fake.calls), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.02)
        if len(fake.calls) != seen:
            seen, since = len(fake.calls), time.monotonic()
        elif time.monotonic() - since >= quiet:
            return


def approval(engine) -> Approval:
    with Session(engine) as db:
        return db.exec(select(Approval)).one()


def requirement_status(engine) -> str:
    with Session(engine) as db:
        return db.exec(select(Requirement.status)).one()


def audit_actions(engine) -> list[str]:
    with Session(engine) as db:
        return list(db.exec(select(AuditEntry.action).order_by(AuditEntry.id)).all())


def has_buttons(message: dict[str, Any]) -> bool:
    return any(b.get("type") == "actions" for b in message.get("blocks", []))


__all__ = ["ANA", "LI", "SAM", "ZED", "Decimal"]
