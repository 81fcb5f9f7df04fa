"""Forged, unsigned and stale requests are refused before any work is done."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from sqlmodel import Session, select

from models.requirements.requirement import Requirement
from models.workspace import Workspace
from tests.support.slack_requests import SlackSender, sign


def command_body(text: str) -> str:
    return urlencode(
        {"team_id": "T1", "user_id": "U1", "channel_id": "C1", "command": "/req", "text": text, "trigger_id": "t"}
    )


def nothing_stored(engine) -> bool:
    with Session(engine) as db:
        return not db.exec(select(Requirement)).all() and not db.exec(select(Workspace)).all()


def test_missing_wrong_and_stale_signatures_get_401_and_change_nothing(slack: SlackSender, engine) -> None:
    body = command_body("add forged")
    attempts = {
        "missing": {},
        "wrong secret": sign(body, secret="not-the-secret"),
        "six minutes old": sign(body, timestamp=int(time.time()) - 360),
        "from the future": sign(body, timestamp=int(time.time()) + 360),
        "body changed after signing": sign(command_body("add other")),
    }
    for name, headers in attempts.items():
        response = slack.post_form(body, headers)
        assert response.status_code == 401, name
    assert nothing_stored(engine)


def test_a_request_signed_four_minutes_ago_is_still_accepted(slack: SlackSender, engine) -> None:
    body = command_body("add late but fine")
    response = slack.post_form(body, sign(body, timestamp=int(time.time()) - 240))
    assert response.status_code == 200
    with Session(engine) as db:
        assert db.exec(select(Requirement.title)).all() == ["late but fine"]
