"""/pm settings: who may change each channel's digest and the team's FX rates (by role), and whether
a requester may name any member to decide an approval. Admins change them; anyone may look."""

from __future__ import annotations

from sqlmodel import Session

from handlers.core.args import LIST_SEPARATORS, normalise_word
from handlers.core.command import CommandInput, CommandSpec
from handlers.core.reply import Reply, Text, UsageError
from handlers.core.roles import Guarded, editors, is_admin, workspace_of
from handlers.workspace.settings_card import settings_reply
from models import audit
from models.workspace import ROLE_ORDER, Role, Workspace

USAGE = "pm.settings.usage"
ADHOC = "adhoc_approvers"
KEYS = frozenset({Guarded.DIGEST.value, Guarded.FX.value, ADHOC})
ROLE_WORDS = {
    "admin": Role.ADMIN,
    "admins": Role.ADMIN,
    "管理员": Role.ADMIN,
    "approver": Role.APPROVER,
    "approvers": Role.APPROVER,
    "审批人": Role.APPROVER,
    "member": Role.MEMBER,
    "members": Role.MEMBER,
    "everyone": Role.MEMBER,
    "成员": Role.MEMBER,
    "所有人": Role.MEMBER,
}
ON_WORDS = frozenset({"on", "yes", "true", "allow", "开", "开启", "允许", "是"})
OFF_WORDS = frozenset({"off", "no", "false", "deny", "关", "关闭", "不允许", "否"})


def settings(cmd: CommandInput, db: Session) -> Reply:
    """`/pm settings` shows them; `/pm settings digest_editors=admins,approvers fx_editors=admins
    adhoc_approvers=off` changes them (admins only)."""
    if cmd.args.words:
        raise UsageError("args.unexpected_word", USAGE, value=cmd.args.words[0])
    workspace = workspace_of(db, cmd.actor)
    if not cmd.args.options:
        return _reply(workspace)
    if not is_admin(cmd.actor):
        raise UsageError("pm.settings.admin_only", None)
    wanted: dict[str, str | bool] = {}
    for key, value in cmd.args.options.items():
        wanted[key] = _switch(value) if key == ADHOC else _roles(value)
    changes = {k: [getattr(workspace, k), v] for k, v in wanted.items() if getattr(workspace, k) != v}
    for key, (_, new) in changes.items():
        setattr(workspace, key, new)
    if not changes:
        return _reply(workspace, Text("pm.settings.unchanged"))
    db.add(workspace)
    audit.setting_changed(db=db, workspace_id=cmd.actor.workspace_id, actor_id=cmd.actor.member_id, changes=changes)
    return _reply(workspace, Text("pm.settings.saved"))


def _reply(workspace: Workspace, notice: Text | None = None) -> Reply:
    return settings_reply(
        editors(workspace, Guarded.DIGEST), editors(workspace, Guarded.FX), workspace.adhoc_approvers, notice=notice
    )


def _roles(value: str) -> str:
    """'admins,approvers' → 'admin,approver'; admins may always, so naming them is optional."""
    chosen = {Role.ADMIN}
    for word in LIST_SEPARATORS.split(value.strip()):
        if not word:
            continue
        role = ROLE_WORDS.get(normalise_word(word))
        if role is None:
            raise UsageError("pm.settings.unknown_role", USAGE, value=word)
        chosen.add(role)
        if role == Role.MEMBER:  # everyone: approvers are members too
            chosen.add(Role.APPROVER)
    return ",".join(r.value for r in ROLE_ORDER if r in chosen)


def _switch(value: str) -> bool:
    word = normalise_word(value)
    if word not in ON_WORDS | OFF_WORDS:
        raise UsageError("pm.settings.need_on_off", USAGE, value=value)
    return word in ON_WORDS


COMMANDS = (CommandSpec("pm settings", settings, USAGE, "pm.settings.summary", keys=KEYS),)
ACTIONS = ()
JOBS = ()
