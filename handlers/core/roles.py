"""Who may decide and who may change what: workspace admins and approvers (roles are granted with
`/pm role`); which roles may change digest settings and FX rates is the workspace's (`/pm settings`)."""

from __future__ import annotations

from enum import StrEnum

from sqlmodel import Session

from handlers.core.command import Actor
from handlers.core.reply import Text, UsageError
from models.workspace import DECIDING, Role, Workspace, roles_in, workspace_by_id


class Guarded(StrEnum):
    """What only some roles may change; the value names the workspace's setting."""

    DIGEST = "digest_editors"
    FX = "fx_editors"


def can_decide(actor: Actor, *, named: frozenset[int] = frozenset()) -> bool:
    """Approvers and admins may decide anything; others only what names them (a named approver)."""
    return actor.role in DECIDING or actor.member_id in named


def is_admin(actor: Actor) -> bool:
    return actor.role == Role.ADMIN


def workspace_of(db: Session, actor: Actor) -> Workspace:
    workspace = workspace_by_id(db=db, workspace_id=actor.workspace_id)
    assert workspace is not None  # the actor's own, resolved in this transaction
    return workspace


def editors(workspace: Workspace, what: Guarded) -> tuple[Role, ...]:
    return roles_in(getattr(workspace, what.value))


def require_editor(db: Session, actor: Actor, what: Guarded, refusal: str, usage: str | None = None) -> None:
    """Refuse (a UsageError naming the roles that may) unless the actor holds one of them."""
    allowed = editors(workspace_of(db, actor), what)
    if actor.role not in allowed:
        raise UsageError(refusal, usage, roles=[Text(f"role.{r.value}") for r in allowed])


def may_be_named_approver(db: Session, actor: Actor, role: str) -> bool:
    """A person may be named to decide when they hold a deciding role, or the workspace allows anyone."""
    return role in DECIDING or workspace_of(db, actor).adhoc_approvers
