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
from models.team_calendar import CALENDARS
from models.workspace import BLOCKER_DAYS, ROLE_ORDER, Role, Workspace

USAGE = "pm.settings.usage"
ADHOC = "adhoc_approvers"
CALENDAR = "calendar"
BLOCKER_DAYS_KEY = "blocker_days"
BLOCKER_DAYS_MAX = 60
KEYS = frozenset({Guarded.DIGEST.value, Guarded.FX.value, ADHOC, CALENDAR, BLOCKER_DAYS_KEY})
CALENDAR_WORDS = {
    **{c.lower(): c for c in CALENDARS},
    "china": "CN",
    "中国": "CN",
    "uk": "GB",
    "usa": "US",
    "美国": "US",
    "德国": "DE",
    "日本": "JP",
    "英国": "GB",
}
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
    wanted: dict[str, str | bool | int | None] = {}
    for key, value in cmd.args.options.items():
        if key == CALENDAR:
            wanted[key] = _calendar(value)
        elif key == BLOCKER_DAYS_KEY:
            wanted[key] = _days(value)
        else:
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
        editors(workspace, Guarded.DIGEST),
        editors(workspace, Guarded.FX),
        workspace.adhoc_approvers,
        calendar=workspace.calendar,
        blocker_days=workspace.blocker_days or BLOCKER_DAYS,
        notice=notice,
    )


def _days(value: str) -> int:
    word = normalise_word(value)
    if not word.isdigit() or not 1 <= int(word) <= BLOCKER_DAYS_MAX:
        raise UsageError("pm.settings.bad_days", USAGE, value=value, max=BLOCKER_DAYS_MAX)
    return int(word)


def _calendar(value: str) -> str | None:
    """`CN`, `us`, `中国` → the calendar's code; `none` → weekdays only, no holidays."""
    word = normalise_word(value)
    if word in ("none", "off", "无", "不用"):
        return None
    code = CALENDAR_WORDS.get(word)
    if code is None:
        raise UsageError("pm.settings.unknown_calendar", USAGE, value=value, allowed=", ".join(CALENDARS))
    return code


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
