"""Who may decide: workspace admins and approvers (roles are granted with `/pm role`)."""

from __future__ import annotations

from handlers.core.command import Actor
from models.workspace import DECIDING, Role


def can_decide(actor: Actor, *, named: frozenset[int] = frozenset()) -> bool:
    """Approvers and admins may decide anything; others only what names them (a named approver)."""
    return actor.role in DECIDING or actor.member_id in named


def is_admin(actor: Actor) -> bool:
    return actor.role == Role.ADMIN
