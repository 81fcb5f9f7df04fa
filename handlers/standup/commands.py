"""/standup: what you did yesterday, what you do today, what blocks you — one answer per person per
channel per day, as a form or typed as `/standup y: … t: … b: …`."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from handlers.core import fields
from handlers.core.args import normalise_word, unescape
from handlers.core.command import ActionInput, ActionSpec, Actor, CommandInput, CommandSpec
from handlers.core.reply import DirectMessage, FieldError, Form, FormField, OpenForm, Reply, Text, UsageError
from handlers.core.views import help_reply
from handlers.standup import cards
from models.digest import schedule as digest_model
from models.digest.schedule import DigestChannel
from models.standup import answer as standup_model
from models.standup import queries
from models.standup import questions as questions_model
from models.standup.answer import ANSWER_MAX, FIELDS
from models.workspace import member_by_id

FORM_ACTION = "standup.form"
AWAY_MAX = timedelta(days=366)
ROSTER_WINDOW = timedelta(days=30)  # who answered within this long is on the channel's standup roster
MARKERS = {
    "y": "yesterday",
    "yesterday": "yesterday",
    "昨天": "yesterday",
    "昨日": "yesterday",
    "t": "today",
    "today": "today",
    "今天": "today",
    "今日": "today",
    "b": "blockers",
    "blocker": "blockers",
    "blockers": "blockers",
    "blocked": "blockers",
    "阻塞": "blockers",
    "卡点": "blockers",
    "障碍": "blockers",
    "困难": "blockers",
}
# A marker starts the text or follows a space or a separator: "y: a, t: b" and "昨天：a；今天：b".
MARKER = re.compile(
    r"(?:^|(?<=[\s,，。;；]))(" + "|".join(re.escape(k) for k in sorted(MARKERS, key=len, reverse=True)) + r")\s*[:：]",
    re.IGNORECASE,
)
NUMBER = re.compile(r"(?:^|(?<=[\s,，。;；]))(\d{1,2})\s*[:：]")
MENTION = re.compile(r"<@([^<>|]+)(?:\|([^<>]*))?>")
NO_BLOCKERS = frozenset({"none", "no", "nothing", "nope", "n/a", "na", "-", "无", "没有", "暂无", "没"})
SEPARATORS = " \t\n,，;；"


def standup(cmd: CommandInput, db: Session) -> Reply:
    channel = _channel(cmd.channel_ref)
    day = answer_day(db, cmd.actor, channel)
    asked, version = questions_model.channel_questions(db=db, workspace_id=cmd.actor.workspace_id, channel_ref=channel)
    if not cmd.text.strip():
        before = standup_model.get_answer(
            db=db, workspace_id=cmd.actor.workspace_id, channel_ref=channel, member_id=cmd.actor.member_id, day=day
        )
        form = custom_form(asked, version, before) if asked else answer_form(before, version)
        return Reply("silent", effects=[OpenForm(form)])
    if asked:
        return _save_custom(db, cmd.actor, channel, day, asked, parse_numbered(cmd.text, len(asked)))
    values = parse_answer(cmd.text)
    return _save(db, cmd.actor, channel, day, values, usage="standup.usage")


def on_form(action: ActionInput, db: Session) -> Reply:
    channel = _channel(action.channel_ref)
    form = action.form or {}
    asked, version = questions_model.channel_questions(
        db=db, workspace_id=action.actor.workspace_id, channel_ref=channel
    )
    names = tuple(_question_field(i) for i in range(len(asked))) if asked else FIELDS
    if action.payload.get("v", 0) != version:  # the questions changed after the form was opened
        shown = next(iter(form), names[0])  # a field of the form as it was opened
        return Reply("silent", form_errors={shown: Text("standup.questions.changed")})
    values: dict[str, str | None] = {}
    errors: dict[str, Text] = {}
    for name in names:
        raw = form.get(name)
        value = raw.strip() if isinstance(raw, str) else ""
        if len(value) > ANSWER_MAX:
            errors[name] = Text("field.too_long", {"max": ANSWER_MAX, "length": len(value)})
        values[name] = _clean(name, value)
    if not errors and not any(values.values()):
        errors[names[0] if asked else "today"] = Text("standup.empty")
    if errors:
        return Reply("silent", form_errors=errors)
    day = answer_day(db, action.actor, channel)
    if asked:
        return _save_custom(db, action.actor, channel, day, asked, dict(enumerate(values.values())))
    return _save(db, action.actor, channel, day, values, usage="standup.usage")


def parse_numbered(raw: str, count: int) -> dict[int, str | None]:
    """`1: … 2: …` → the answers to a channel's own questions, by position (0-based)."""
    text = MENTION.sub(lambda m: "@" + (m.group(2) or m.group(1)), unescape(raw)).strip()
    found = list(NUMBER.finditer(text))
    if not found or text[: found[0].start()].strip(SEPARATORS):
        raise UsageError("standup.custom_need_numbers", "standup.usage")
    values: dict[int, str | None] = {}
    for i, match in enumerate(found):
        n = int(match.group(1))
        if not 1 <= n <= count:
            raise UsageError("standup.custom_bad_number", "standup.usage", n=count, value=match.group(1))
        if n - 1 in values:
            raise UsageError("args.duplicate_key", "standup.usage", name=match.group(1))
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        value = text[match.end() : end].strip(SEPARATORS)
        if len(value) > ANSWER_MAX:
            raise UsageError("field.too_long", "standup.usage", max=ANSWER_MAX, length=len(value))
        values[n - 1] = value or None
    return values


def parse_answer(raw: str) -> dict[str, str | None]:
    """`y: … t: … b: …` (or yesterday:/today:/blockers:, 昨天：/今天：/阻塞：) → the fields given."""
    text = MENTION.sub(lambda m: "@" + (m.group(2) or m.group(1)), unescape(raw)).strip()
    found = list(MARKER.finditer(text))
    if not found:
        raise UsageError("standup.need_markers", "standup.usage")
    lead = text[: found[0].start()].strip(SEPARATORS)
    if lead:
        raise UsageError("standup.text_before", "standup.usage", value=_clip(lead))
    values: dict[str, str | None] = {}
    for i, match in enumerate(found):
        name = MARKERS[match.group(1).lower()]
        if name in values:
            raise UsageError("args.duplicate_key", "standup.usage", name=match.group(1))
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        value = text[match.end() : end].strip(SEPARATORS)
        if len(value) > ANSWER_MAX:
            raise UsageError("field.too_long", "standup.usage", max=ANSWER_MAX, length=len(value))
        values[name] = _clean(name, value)
    return values


def answer_day(db: Session, actor: Actor, channel_ref: str) -> date:
    """Today in the channel's digest time zone, else in the person's own."""
    settings = digest_model.channel_settings(db=db, workspace_id=actor.workspace_id, channel_ref=channel_ref)
    return fields.local_today((settings.tz if settings else None) or actor.tz)


def answer_form(before: standup_model.StandupAnswer | None, version: int = 0) -> Form:
    return Form(
        action=FORM_ACTION,
        title=Text("standup.form.title"),
        metadata={"v": version},
        fields=tuple(
            FormField(
                name,
                Text(f"standup.field.{name}"),
                kind="textarea",
                max_length=ANSWER_MAX,
                initial=getattr(before, name) if before else None,
                hint=Text("standup.form.blockers_hint") if name == "blockers" else None,
            )
            for name in FIELDS
        ),
    )


def custom_form(asked: tuple[str, ...], version: int, before: standup_model.StandupAnswer | None) -> Form:
    """The form for a channel's own questions, each labelled as typed; an answer given earlier that day
    to the same question fills it."""
    earlier = dict(standup_model.custom_pairs(before.custom if before else None))
    return Form(
        action=FORM_ACTION,
        title=Text("standup.form.title"),
        metadata={"v": version},
        fields=tuple(
            FormField(
                _question_field(i),
                cards.question_label(question),
                kind="textarea",
                max_length=ANSWER_MAX,
                initial=earlier.get(question),
            )
            for i, question in enumerate(asked)
        ),
    )


def _question_field(i: int) -> str:
    return f"q{i + 1}"


def reminders(db: Session, settings: DigestChannel, slot: datetime, now: datetime) -> list[DirectMessage]:
    """A DM for everyone on the channel's roster who has not answered since the last digest."""
    tz = settings.tz or "UTC"
    waiting = queries.not_answered(
        db=db,
        workspace_id=settings.workspace_id,
        channel_ref=settings.channel_ref,
        now=now,
        roster_since=now - ROSTER_WINDOW,
        today=slot.astimezone(ZoneInfo(tz)).date(),
    )
    local = slot.astimezone(ZoneInfo(tz)).strftime("%H:%M")
    reply = cards.reminder_reply(settings.channel_ref, local, tz, settings.remind_minutes)
    return [DirectMessage(member_id, reply) for member_id in waiting]


def help_(cmd: CommandInput, db: Session) -> Reply:
    return help_reply(Text("standup.help.title"), [Text(k) for k in HELP_LINES])


def away(cmd: CommandInput, db: Session) -> Reply:
    """`/standup away until=2026-12-20`: not asked nor reminded through that day, shown as away."""
    if cmd.args.words or "until" not in cmd.args.options:
        raise UsageError("standup.away.need_until", "standup.away.usage")
    today = fields.local_today(cmd.actor.tz)
    try:
        until = fields.due_date("until", cmd.args.options["until"], today=today)
    except FieldError as err:
        raise UsageError("field.invalid", "standup.away.usage", field=err.field, reason=err.text) from err
    if until < today:
        raise UsageError("standup.away.past", "standup.away.usage", date=until.isoformat())
    if until > today + AWAY_MAX:
        raise UsageError("standup.away.too_far", "standup.away.usage", days=AWAY_MAX.days)
    _set_away(db, cmd.actor, until)
    return Reply.message("standup.away.saved", date=until.isoformat())


def back(cmd: CommandInput, db: Session) -> Reply:
    if cmd.args.words or cmd.args.options:
        raise UsageError("args.unexpected_word", "standup.away.usage", value=(cmd.args.words or ["…"])[0])
    _set_away(db, cmd.actor, None)
    return Reply.message("standup.back.saved")


def _set_away(db: Session, actor: Actor, until: date | None) -> None:
    member = member_by_id(db=db, member_id=actor.member_id)
    assert member is not None  # the actor, resolved in this transaction
    member.away_until = until
    db.add(member)


def _save(db: Session, actor: Actor, channel: str, day: date, values: dict[str, str | None], *, usage: str) -> Reply:
    before = standup_model.get_answer(
        db=db, workspace_id=actor.workspace_id, channel_ref=channel, member_id=actor.member_id, day=day
    )
    if before is None and not any(values.values()):
        raise UsageError("standup.empty", usage)
    saved, updated = standup_model.save_answer(
        db=db, workspace_id=actor.workspace_id, channel_ref=channel, member_id=actor.member_id, day=day, values=values
    )
    return cards.saved_reply(day, updated, {name: getattr(saved, name) for name in FIELDS})


def _save_custom(
    db: Session, actor: Actor, channel: str, day: date, asked: tuple[str, ...], values: dict[int, str | None]
) -> Reply:
    before = standup_model.get_answer(
        db=db, workspace_id=actor.workspace_id, channel_ref=channel, member_id=actor.member_id, day=day
    )
    if before is None and not any(values.values()):
        raise UsageError("standup.empty", "standup.usage")
    saved, updated = standup_model.save_custom(
        db=db,
        workspace_id=actor.workspace_id,
        channel_ref=channel,
        member_id=actor.member_id,
        day=day,
        questions=asked,
        values=values,
    )
    return cards.custom_saved_reply(day, updated, standup_model.custom_pairs(saved.custom), asked)


def _clip(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _clean(name: str, value: str) -> str | None:
    if not value:
        return None
    if name == "blockers" and normalise_word(value).rstrip(".。!！") in NO_BLOCKERS:
        return None
    return value


def _channel(channel_ref: str | None) -> str:
    if not channel_ref:
        raise UsageError("digest.no_channel", "standup.usage")
    return channel_ref


HELP_LINES = (
    "standup.usage",
    "standup.away.usage",
    "standup.form.usage",
    "standup.questions.usage",
    "standup.help.grammar",
    "standup.help.digest",
)

COMMANDS = (
    CommandSpec("standup", standup, "standup.usage", "standup.summary", free_text=True),
    CommandSpec("standup help", help_, "standup.usage"),
    CommandSpec("standup away", away, "standup.away.usage", "standup.away.summary", keys=frozenset({"until"})),
    CommandSpec("standup back", back, "standup.away.usage", "standup.back.summary"),
)
ACTIONS = (ActionSpec(FORM_ACTION, on_form),)
JOBS = ()
