"""/pm role: who may approve. Workspace admins (the first person to use the bot is one) and the
chat platform's own workspace admins grant roles; every change is in the audit log."""

from __future__ import annotations

from sqlmodel import Session

from handlers.approvals import cards as approval_view
from handlers.core.args import normalise_word, parse_mention
from handlers.core.command import CommandInput, CommandSpec
from handlers.core.reply import Reply, Text, UsageError
from handlers.workspace import cards
from models import audit
from models.workspace import Role, admin_count, ensure_member, member_by_id, names_of, role_holders

ROLE_WORDS = {
    "admin": Role.ADMIN,
    "管理员": Role.ADMIN,
    "approver": Role.APPROVER,
    "审批人": Role.APPROVER,
    "审批": Role.APPROVER,
    "member": Role.MEMBER,
    "成员": Role.MEMBER,
    "普通成员": Role.MEMBER,
}


def role(cmd: CommandInput, db: Session) -> Reply:
    """`/pm role` lists admins and approvers; `/pm role @someone approver|member|admin` sets a role."""
    usage = "pm.role.usage"
    words = cmd.args.words
    if not words:
        return _roles(db, cmd.actor.workspace_id)
    if len(words) != 2:
        raise UsageError("args.bad_arguments", usage)
    mention = parse_mention(words[0])
    if mention is None:
        raise UsageError("field.invalid", usage, field="@", reason=Text("field.bad_person", {"value": words[0]}))
    new = ROLE_WORDS.get(normalise_word(words[1]))
    if new is None:
        raise UsageError("pm.role.unknown", usage, value=words[1])
    granter = member_by_id(db=db, member_id=cmd.actor.member_id)
    assert granter is not None
    if granter.role != Role.ADMIN and not granter.platform_admin:
        raise UsageError("pm.role.not_allowed", None)
    member, _ = ensure_member(
        db=db, workspace_id=cmd.actor.workspace_id, external_id=mention.user_ref, display_name=mention.name
    )
    assert member.id is not None
    old = member.role
    if old == new:
        return approval_view.notice(db, Text("pm.role.unchanged", {"role": Text(f"role.{new}")}), who=member.id)
    if old == Role.ADMIN and admin_count(db=db, workspace_id=cmd.actor.workspace_id) <= 1:
        raise UsageError("pm.role.last_admin", usage)
    member.role = new
    db.add(member)
    audit.record(
        db=db,
        workspace_id=cmd.actor.workspace_id,
        actor_id=cmd.actor.member_id,
        entity="member",
        entity_id=member.id,
        action="role",
        changes={"role": [old, new.value]},
    )
    return approval_view.notice(db, Text("pm.role.set", {"role": Text(f"role.{new}")}), who=member.id)


def _roles(db: Session, workspace_id: int) -> Reply:
    held = role_holders(db=db, workspace_id=workspace_id)
    people = names_of(db=db, member_ids=[*held[Role.ADMIN], *held[Role.APPROVER]])
    return Reply("roles", card=cards.roles_card(held, people))


COMMANDS = (CommandSpec("pm role", role, "pm.role.usage", "pm.role.summary", changes_people=True),)
ACTIONS = ()
JOBS = ()
