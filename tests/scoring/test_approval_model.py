"""The approval model's guards, straight against the database: one pending approval per requirement,
decisions only while pending, reminders at most once an hour."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.approvals import approval as approval_model
from models.approvals.approval import Mode, State, Vote
from models.base import utcnow
from models.requirements import requirement as req_model
from models.workspace import ensure_member, ensure_workspace


def setup(db: Session) -> tuple[int, int, int, int]:
    workspace = ensure_workspace(
        db=db, platform="console", external_id="T", name=None, default_lang="en", default_tz="UTC"
    )
    mei, _ = ensure_member(db=db, workspace_id=workspace.id, external_id="mei")
    li, _ = ensure_member(db=db, workspace_id=workspace.id, external_id="li")
    created = req_model.create(db=db, workspace_id=workspace.id, requester_id=mei.id, values={"title": "x"})
    return workspace.id, created.item.id, mei.id, li.id


def submit(db: Session, workspace_id: int, requirement_id: int, requester: int, approver: int) -> int | None:
    return approval_model.submit(
        db=db,
        workspace_id=workspace_id,
        requirement_id=requirement_id,
        requester_id=requester,
        mode=Mode.ANY,
        approvers=[approver],
        submitted_status="triaged",
        channel_ref="C1",
    )


def test_one_pending_approval_per_requirement(engine: Engine) -> None:
    with Session(engine) as db:
        workspace_id, requirement_id, mei, li = setup(db)
        first = submit(db, workspace_id, requirement_id, mei, li)
        assert first is not None
        assert submit(db, workspace_id, requirement_id, mei, li) is None  # the partial unique index
        assert approval_model.lock(db=db, workspace_id=workspace_id, approval_id=first)
        loaded = approval_model.load(db=db, workspace_id=workspace_id, approval_id=first)
        approval_model.finish(db=db, loaded=loaded, state=State.APPROVED, actor_id=li, reason=None)
        assert not approval_model.lock(db=db, workspace_id=workspace_id, approval_id=first)  # decided
        assert not approval_model.lock(db=db, workspace_id=workspace_id + 1, approval_id=first)  # another team
        assert submit(db, workspace_id, requirement_id, mei, li) is not None  # a new round once decided
        db.commit()


def test_reminders_at_most_once_an_hour(engine: Engine) -> None:
    with Session(engine) as db:
        workspace_id, requirement_id, mei, li = setup(db)
        approval_id = submit(db, workspace_id, requirement_id, mei, li)
        now = utcnow()

        def claim(at):
            return approval_model.claim_reminder(db=db, workspace_id=workspace_id, approval_id=approval_id, now=at)

        assert claim(now)
        assert not claim(now + timedelta(minutes=59))
        assert claim(now + timedelta(minutes=60))
        db.commit()


def test_outcomes() -> None:
    step = lambda vote: approval_model.ApprovalStep(approval_id=1, member_id=1, vote=vote)  # noqa: E731
    assert approval_model.outcome("any", [step(Vote.PENDING)], Vote.APPROVED) is State.APPROVED
    both = [step(Vote.APPROVED), step(Vote.PENDING)]
    assert approval_model.outcome("all", both, Vote.APPROVED) is State.PENDING
    done = [step(Vote.APPROVED), step(Vote.TRANSFERRED), step(Vote.APPROVED)]
    assert approval_model.outcome("all", done, Vote.APPROVED) is State.APPROVED
    assert approval_model.outcome("all", both, Vote.REJECTED) is State.REJECTED
    assert approval_model.outcome("all", both, Vote.CHANGES) is State.CHANGES
