"""/digest: a channel's scheduled standup digest — when, in which language, for which markets, and
a digest on demand (posted, or previewed privately)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from handlers.core import fields
from handlers.core.command import CommandInput, CommandSpec
from handlers.core.digest import DigestScope
from handlers.core.reply import FieldError, PostToChannel, Reply, Text, Track, UsageError
from handlers.core.roles import Guarded, require_editor
from handlers.core.views import help_reply
from handlers.digest import cards
from handlers.digest import input as parse
from handlers.digest.build import Digest, build, scope_for
from handlers.requirements import digest as digest_sections
from models import audit
from models.base import utcnow
from models.digest import queries
from models.digest import run as run_model
from models.digest import schedule as digest_model
from models.digest.run import RUN_ENTITY, RunKind, RunState
from models.digest.schedule import WEEKDAYS, DigestChannel

ENTITY = "digest_channel"
SCHEDULE_KEYS = frozenset({"market", "markets"})


def show(cmd: CommandInput, db: Session) -> Reply:
    if cmd.args.words:
        raise UsageError("args.unknown_subcommand", "digest.usage", command="/digest", value=cmd.args.words[0])
    return settings_reply(db, cmd, _settings(cmd, db, create=False))


def schedule(cmd: CommandInput, db: Session) -> Reply:
    usage = "digest.schedule.usage"
    at_time = tz = days = None
    for word in cmd.args.words:
        if (found := parse.time_of_day(word)) is not None:
            at_time = _once(at_time, found, word, usage)
        elif (found := parse.days_of_week(word)) is not None:
            days = _once(days, found, word, usage)
        else:
            tz = _once(tz, parse.time_zone(word, usage), word, usage)
    if at_time is None:
        raise UsageError("digest.schedule.need_time", usage)
    markets = cmd.args.options.get("market", cmd.args.options.get("markets"))
    settings = _settings(cmd, db, create=True)
    assert settings is not None
    changes = _change(
        settings,
        enabled=True,
        at_time=at_time,
        tz=tz or settings.tz or cmd.actor.tz,
        days=days or settings.days or ",".join(WEEKDAYS),
        **({"markets": ",".join(parse.markets(markets, usage))} if markets is not None else {}),
    )
    if {"enabled", "at_time", "tz", "days"} & set(changes):
        settings.effective_from = utcnow()  # slots before this change are not owed
    _save(cmd, db, settings, changes)
    return settings_reply(db, cmd, settings, notice=Text("digest.schedule.set"))


def off(cmd: CommandInput, db: Session) -> Reply:
    settings = _settings(cmd, db, create=False)
    if settings is None or not settings.enabled:
        return Reply.message("digest.off.already")
    _save(cmd, db, settings, _change(settings, enabled=False))
    return Reply.message("digest.off.done")


def now(cmd: CommandInput, db: Session) -> Reply:
    channel = _channel(cmd)
    settings = _settings(cmd, db, create=False)
    digest, scope = _build(cmd, db, settings)
    run_id = run_model.claim_run(
        db=db,
        workspace_id=cmd.actor.workspace_id,
        channel_ref=channel,
        kind=RunKind.NOW,
        day=None,
        slot_at=scope.until,
        state=RunState.POSTED,
        note=f"by member {cmd.actor.member_id}",
    )
    assert run_id is not None
    run_model.set_window(
        db=db,
        run_id=run_id,
        since=scope.since,
        until=scope.until,
        audit_after=scope.audit_after,
        audit_upto=scope.audit_upto,
        parts=len(digest.parts),
        done=len(digest.parts),
    )
    post = PostToChannel(digest.summary, channel, track=Track(RUN_ENTITY, run_id), thread=tuple(digest.pages))
    return Reply("silent", effects=[post])


def preview(cmd: CommandInput, db: Session) -> Reply:
    digest, _ = _build(cmd, db, _settings(cmd, db, create=False))
    return digest.preview(cmd.actor.lang)


def skip(cmd: CommandInput, db: Session) -> Reply:
    usage = "digest.skip.usage"
    settings = _settings(cmd, db, create=True)
    assert settings is not None
    today = fields.local_today(settings.tz or cmd.actor.tz)
    if not cmd.args.words:
        return settings_reply(db, cmd, settings)
    day = _day(" ".join(cmd.args.words), today, usage)
    if digest_model.add_skip(db=db, workspace_id=settings.workspace_id, channel_ref=settings.channel_ref, day=day):
        _save(cmd, db, settings, {"skip": [None, day.isoformat()]})
    return settings_reply(db, cmd, settings, notice=Text("digest.skip.added", {"date": day.isoformat()}))


def unskip(cmd: CommandInput, db: Session) -> Reply:
    usage = "digest.unskip.usage"
    settings = _settings(cmd, db, create=True)
    assert settings is not None
    if not cmd.args.words:
        raise UsageError("digest.skip.need_date", usage)
    day = _day(" ".join(cmd.args.words), fields.local_today(settings.tz or cmd.actor.tz), usage, past_ok=True)
    if not digest_model.remove_skip(
        db=db, workspace_id=settings.workspace_id, channel_ref=settings.channel_ref, day=day
    ):
        raise UsageError("digest.unskip.not_skipped", usage, date=day.isoformat())
    _save(cmd, db, settings, {"skip": [day.isoformat(), None]})
    return settings_reply(db, cmd, settings, notice=Text("digest.unskip.done", {"date": day.isoformat()}))


def lang(cmd: CommandInput, db: Session) -> Reply:
    return _set_one(cmd, db, lang=parse.language(cmd.args.words, "digest.lang.usage"))


def remind(cmd: CommandInput, db: Session) -> Reply:
    return _set_one(cmd, db, remind_minutes=parse.minutes(cmd.args.words, "digest.remind.usage"))


def always(cmd: CommandInput, db: Session) -> Reply:
    return _set_one(cmd, db, always=parse.switch(cmd.args.words, "digest.always.usage"))


def market(cmd: CommandInput, db: Session) -> Reply:
    if not cmd.args.words:
        raise UsageError("args.bad_arguments", "digest.market.usage")
    chosen = parse.markets(",".join(cmd.args.words), "digest.market.usage")
    return _set_one(cmd, db, markets=",".join(chosen))


def help_(cmd: CommandInput, db: Session) -> Reply:
    return help_reply(Text("digest.help.title"), [Text(k) for k in HELP_LINES])


def settings_reply(db: Session, cmd: CommandInput, settings: DigestChannel | None, notice: Text | None = None) -> Reply:
    view = queries.settings_view(
        db=db,
        workspace_id=cmd.actor.workspace_id,
        channel_ref=_channel(cmd),
        settings=settings,
        today=fields.local_today((settings.tz if settings else None) or cmd.actor.tz),
        now=utcnow(),
    )
    return cards.settings_reply(view, notice=notice)


def _build(cmd: CommandInput, db: Session, settings: DigestChannel | None) -> tuple[Digest, DigestScope]:
    channel = _channel(cmd)
    workspace_id = cmd.actor.workspace_id
    tz = (settings.tz if settings else None) or cmd.actor.tz
    scope = scope_for(db, workspace_id=workspace_id, channel_ref=channel, settings=settings, until=utcnow(), tz=tz)
    digest_lang = (settings.lang if settings else None) or queries.workspace_lang(db=db, workspace_id=workspace_id)
    return build(db, scope, lang=digest_lang), scope


def _set_one(cmd: CommandInput, db: Session, **values: Any) -> Reply:
    settings = _settings(cmd, db, create=True)
    assert settings is not None
    changes = _change(settings, **values)
    _save(cmd, db, settings, changes)
    return settings_reply(db, cmd, settings, notice=Text("digest.saved" if changes else "digest.unchanged"))


def _change(settings: DigestChannel, **values: Any) -> dict[str, list[Any]]:
    changes = {}
    for name, value in values.items():
        if getattr(settings, name) != value:
            changes[name] = [getattr(settings, name), value]
            setattr(settings, name, value)
    return changes


def _save(cmd: CommandInput, db: Session, settings: DigestChannel, changes: dict[str, list[Any]]) -> None:
    if not changes:
        return
    require_editor(db, cmd.actor, Guarded.DIGEST, "digest.not_allowed")  # rolls back all the command did
    digest_model.save_channel(db=db, settings=settings, by=cmd.actor.member_id)
    audit.record(
        db=db,
        workspace_id=settings.workspace_id,
        actor_id=cmd.actor.member_id,
        entity=ENTITY,
        entity_id=settings.id or 0,
        action="settings",
        changes=changes,
    )


def _settings(cmd: CommandInput, db: Session, *, create: bool) -> DigestChannel | None:
    channel = _channel(cmd)
    if create:
        return digest_model.ensure_channel(db=db, workspace_id=cmd.actor.workspace_id, channel_ref=channel)
    return digest_model.channel_settings(db=db, workspace_id=cmd.actor.workspace_id, channel_ref=channel)


def _channel(cmd: CommandInput) -> str:
    if not cmd.channel_ref:
        raise UsageError("digest.no_channel", "digest.usage")
    return cmd.channel_ref


def _once(current: str | None, found: str, word: str, usage: str) -> str:
    if current is not None:
        raise UsageError("args.unexpected_word", usage, value=word)
    return found


def _day(text: str, today: date, usage: str, *, past_ok: bool = False) -> date:
    try:
        day = fields.due_date("date", text, today=today)
    except FieldError as err:
        raise UsageError(err.text.key, usage, **err.text.params) from err
    if day < today and not past_ok:
        raise UsageError("digest.skip.past", usage, date=day.isoformat())
    return day


HELP_LINES = (
    "digest.schedule.usage",
    "digest.show.usage",
    "digest.off.usage",
    "digest.now.usage",
    "digest.preview.usage",
    "digest.skip.usage",
    "digest.unskip.usage",
    "digest.lang.usage",
    "digest.remind.usage",
    "digest.always.usage",
    "digest.market.usage",
    "digest.help.window",
)

COMMANDS = (
    CommandSpec("digest", show, "digest.usage"),
    CommandSpec("digest show", show, "digest.show.usage", "digest.show.summary"),
    CommandSpec("digest schedule", schedule, "digest.schedule.usage", "digest.schedule.summary", keys=SCHEDULE_KEYS),
    CommandSpec("digest off", off, "digest.off.usage"),
    CommandSpec("digest now", now, "digest.now.usage", "digest.now.summary"),
    CommandSpec("digest preview", preview, "digest.preview.usage", "digest.preview.summary"),
    CommandSpec("digest skip", skip, "digest.skip.usage", "digest.skip.summary"),
    CommandSpec("digest unskip", unskip, "digest.unskip.usage"),
    CommandSpec("digest lang", lang, "digest.lang.usage"),
    CommandSpec("digest remind", remind, "digest.remind.usage", "digest.remind.summary"),
    CommandSpec("digest always", always, "digest.always.usage"),
    CommandSpec("digest market", market, "digest.market.usage", aliases=("digest markets",)),
    CommandSpec("digest help", help_, "digest.usage", "digest.help.summary"),
)
ACTIONS = ()
JOBS = ()
DIGEST_SECTIONS = digest_sections.SECTIONS
