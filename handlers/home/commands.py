"""/pm home: the person's own dashboard, on every platform; Slack also shows it in the Home tab."""

from __future__ import annotations

from sqlmodel import Session

from handlers.core import fields
from handlers.core.command import CommandInput, CommandSpec
from handlers.core.reply import Reply
from handlers.core.roles import can_decide
from handlers.home.cards import home_reply
from models.home.queries import dashboard
from models.workspace import names_of

SHOWN = 5  # of each kind; the Home tab holds 100 blocks and a message 50, and this stays far inside both


def home(cmd: CommandInput, db: Session) -> Reply:
    actor = cmd.actor
    board = dashboard(
        db=db,
        workspace_id=actor.workspace_id,
        member_id=actor.member_id,
        decides=can_decide(actor),
        on=fields.local_today(actor.tz),
        limit=SHOWN,
    )
    people = names_of(db=db, member_ids=[w.requester_id for w in board.approvals.shown])
    return home_reply(board, people)


COMMANDS = (CommandSpec("pm home", home, "pm.home.usage", "pm.home.summary"),)
ACTIONS = ()
JOBS = ()
