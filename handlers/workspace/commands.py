"""/pm: the umbrella command: help for everything, and each person's language and time zone."""

from __future__ import annotations

from sqlmodel import Session

from handlers.core import fields
from handlers.core.args import normalise_word
from handlers.core.command import CommandInput, CommandSpec
from handlers.core.reply import FieldError, Reply, Text, UsageError
from handlers.workspace import cards
from handlers.workspace.guide import guide
from models import audit
from models.workspace import Member, Role, Workspace, member_by_id, workspace_by_id

LANGS = {
    "en": "en",
    "english": "en",
    "英文": "en",
    "英语": "en",
    "zh": "zh-CN",
    "zh-cn": "zh-CN",
    "cn": "zh-CN",
    "chinese": "zh-CN",
    "中文": "zh-CN",
    "简体中文": "zh-CN",
}
DEFAULT_WORDS = frozenset({"default", "workspace", "默认", "团队"})


def help_(cmd: CommandInput, db: Session) -> Reply:
    if cmd.args.words or cmd.args.options:  # `/pm foo`: not a command (the runtime suggests the nearest)
        raise UsageError("args.unknown_subcommand", "pm.usage", command="/pm", value=" ".join(cmd.args.words[:1]))
    return guide(cmd.actor.platform)


def lang(cmd: CommandInput, db: Session) -> Reply:
    for_workspace, value = _target(cmd, "pm.lang.usage")
    chosen = LANGS.get(normalise_word(value))
    if chosen is None:
        raise UsageError("pm.lang.unknown", "pm.lang.usage", value=value)
    if for_workspace:
        workspace = _admin_workspace(cmd, db)
        _audit(cmd, db, "workspace", workspace.id or 0, "lang", workspace.default_lang, chosen)
        workspace.default_lang = chosen
        db.add(workspace)
        return Reply.message(Text("pm.lang.workspace_set", {"lang": chosen}), lang=cmd.actor.lang)
    member = _member(cmd, db)
    _audit(cmd, db, "member", cmd.actor.member_id, "lang", member.lang, chosen)
    member.lang = chosen
    db.add(member)
    return Reply.message(Text("pm.lang.set", {"lang": chosen}), lang=chosen)


def tz(cmd: CommandInput, db: Session) -> Reply:
    for_workspace, value = _target(cmd, "pm.tz.usage")
    try:
        zone = fields.time_zone("tz", value)
    except FieldError as err:
        raise UsageError(err.text.key, "pm.tz.usage", **err.text.params) from err
    if for_workspace:
        workspace = _admin_workspace(cmd, db)
        _audit(cmd, db, "workspace", workspace.id or 0, "tz", workspace.default_tz, zone)
        workspace.default_tz = zone
        db.add(workspace)
        return Reply.message("pm.tz.workspace_set", tz=zone)
    member = _member(cmd, db)
    _audit(cmd, db, "member", cmd.actor.member_id, "tz", member.tz, zone)
    member.tz = zone
    db.add(member)
    return Reply.message("pm.tz.set", tz=zone)


def me(cmd: CommandInput, db: Session) -> Reply:
    found = workspace_by_id(db=db, workspace_id=cmd.actor.workspace_id)
    assert found is not None
    return Reply("me", card=cards.me_card(cmd.actor, found))


def _target(cmd: CommandInput, usage: str) -> tuple[bool, str]:
    words = cmd.args.words
    if len(words) == 2 and normalise_word(words[0]) in DEFAULT_WORDS:
        return True, words[1]
    if len(words) == 1:
        return False, words[0]
    raise UsageError("args.bad_arguments", usage)


def _member(cmd: CommandInput, db: Session) -> Member:
    member = member_by_id(db=db, member_id=cmd.actor.member_id)
    assert member is not None
    return member


def _admin_workspace(cmd: CommandInput, db: Session) -> Workspace:
    if cmd.actor.role != Role.ADMIN:
        raise UsageError("pm.admin_only", None)
    workspace = workspace_by_id(db=db, workspace_id=cmd.actor.workspace_id)
    assert workspace is not None
    return workspace


def _audit(cmd: CommandInput, db: Session, entity: str, entity_id: int, name: str, old: str | None, new: str) -> None:
    audit.record(
        db=db,
        workspace_id=cmd.actor.workspace_id,
        actor_id=cmd.actor.member_id,
        entity=entity,
        entity_id=entity_id,
        action="settings",
        changes={name: [old, new]},
    )


COMMANDS = (
    CommandSpec("pm", help_, "pm.usage"),
    CommandSpec("pm help", help_, "pm.usage", "pm.help.summary"),
    CommandSpec("pm lang", lang, "pm.lang.usage", "pm.lang.summary", changes_people=True),
    CommandSpec("pm tz", tz, "pm.tz.usage", "pm.tz.summary", changes_people=True),
    CommandSpec("pm me", me, "pm.usage", "pm.me.summary"),
)
ACTIONS = ()
JOBS = ()
