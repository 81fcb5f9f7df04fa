"""Workspaces never see or touch each other's data."""

from __future__ import annotations

from sqlmodel import Session, select

from models.requirements.requirement import Requirement
from tests.support.slack_requests import SlackSender, SlackUser, block_text

ACME = SlackUser(user="U1", team="T_ACME")
ORBIT = SlackUser(user="U1", team="T_ORBIT")  # the same user id in another team is another person


def test_each_team_has_its_own_keys_and_backlog(slack: SlackSender, engine) -> None:
    slack.command("add acme one", who=ACME)
    slack.command("add acme two", who=ACME)
    assert "REQ-1 logged." in block_text(slack.command("add orbit one", who=ORBIT).json())
    orbit_list = block_text(slack.command("list", who=ORBIT).json())
    assert "orbit one" in orbit_list and "acme" not in orbit_list
    assert "REQ-2 does not exist in this workspace." in block_text(slack.command("show REQ-2", who=ORBIT).json())
    assert "REQ-2 does not exist" in block_text(slack.command("status REQ-2 triaged", who=ORBIT).json())
    assert "REQ-2 does not exist" in block_text(slack.command("edit REQ-2 platform=temu", who=ORBIT).json())
    with Session(engine) as db:
        acme_two = db.exec(select(Requirement).where(Requirement.title == "acme two")).one()
    assert (acme_two.status, acme_two.platform) == ("new", None)


def test_a_button_from_another_team_cannot_move_its_requirement(slack: SlackSender, fake_slack, engine) -> None:
    card = slack.command("add acme secret", who=ACME).json()
    triage = next(e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"])
    slack.click(triage, who=ORBIT)
    [answer] = fake_slack.wait_for("response_url")
    assert "That requirement no longer exists." in block_text(answer.body)
    with Session(engine) as db:
        assert db.exec(select(Requirement.status)).one() == "new"
