"""/standup questions: a channel's own standup questions — shown, set as `"q1" | "q2" | …` (at most
five, each at most 150 characters) by who may change the channel's digest, or reset to the defaults."""

from __future__ import annotations

from sqlmodel import Session

from handlers.core.args import unescape
from handlers.core.command import ActionInput, ActionSpec, CommandInput, CommandSpec
from handlers.core.reply import Form, FormField, OpenForm, Reply, Text, UsageError
from handlers.core.roles import Guarded, require_editor
from handlers.standup import cards
from handlers.standup.commands import MENTION
from models.standup import questions as questions_model
from models.standup.questions import QUESTION_MAX, QUESTIONS_MAX

USAGE = "standup.questions.usage"
FORM_ACTION = "standup.questions.form"
QUOTES = {'"': '"', "“": "”", "「": "」", "'": "'", "‘": "’"}
BARS = "|｜"


def show(cmd: CommandInput, db: Session) -> Reply:
    channel = _channel(cmd)
    if cmd.text.strip():
        return set_(cmd, db)
    asked, _ = questions_model.channel_questions(db=db, workspace_id=cmd.actor.workspace_id, channel_ref=channel)
    note = "standup.questions.custom_note" if asked else "standup.questions.default_note"
    return cards.questions_reply(channel, asked, note)


def set_(cmd: CommandInput, db: Session) -> Reply:
    channel = _channel(cmd)
    asked = parse_questions(cmd.text)
    require_editor(db, cmd.actor, Guarded.DIGEST, "standup.questions.not_allowed", USAGE)
    questions_model.set_questions(
        db=db, workspace_id=cmd.actor.workspace_id, channel_ref=channel, member_id=cmd.actor.member_id, questions=asked
    )
    return cards.questions_reply(channel, asked, "standup.questions.saved")


def reset(cmd: CommandInput, db: Session) -> Reply:
    channel = _channel(cmd)
    if cmd.args.words or cmd.args.options:
        raise UsageError("args.unexpected_word", USAGE, value=(cmd.args.words or ["…"])[0])
    require_editor(db, cmd.actor, Guarded.DIGEST, "standup.questions.not_allowed", USAGE)
    questions_model.set_questions(
        db=db, workspace_id=cmd.actor.workspace_id, channel_ref=channel, member_id=cmd.actor.member_id, questions=()
    )
    return cards.questions_reply(channel, (), "standup.questions.reset")


def edit(cmd: CommandInput, db: Session) -> Reply:
    """`/standup questions edit`: the questions as a form of five lines, filled with those asked now."""
    channel = _channel(cmd)
    require_editor(db, cmd.actor, Guarded.DIGEST, "standup.questions.not_allowed", USAGE)
    asked, _ = questions_model.channel_questions(db=db, workspace_id=cmd.actor.workspace_id, channel_ref=channel)
    fields = tuple(
        FormField(
            f"q{n}",
            Text("standup.questions.field", {"n": n}),
            max_length=QUESTION_MAX,
            initial=asked[n - 1] if n <= len(asked) else None,
            hint=Text("standup.questions.form_hint") if n == 1 else None,
        )
        for n in range(1, QUESTIONS_MAX + 1)
    )
    return Reply("silent", effects=[OpenForm(Form(FORM_ACTION, Text("standup.questions.form_title"), fields))])


def on_form(action: ActionInput, db: Session) -> Reply:
    """The questions form: the lines filled in, in order; all empty returns the channel to the defaults."""
    if not action.channel_ref:
        raise UsageError("digest.no_channel", USAGE)
    require_editor(db, action.actor, Guarded.DIGEST, "standup.questions.not_allowed", USAGE)
    form = action.form or {}
    given = {n: str(form.get(f"q{n}") or "").strip() for n in range(1, QUESTIONS_MAX + 1)}
    errors = {
        f"q{n}": Text("field.too_long", {"max": QUESTION_MAX, "length": len(q)})
        for n, q in given.items()
        if len(q) > QUESTION_MAX
    }
    if errors:
        return Reply("silent", form_errors=errors)
    asked = tuple(" ".join(q.split()) for q in given.values() if q)
    questions_model.set_questions(
        db=db,
        workspace_id=action.actor.workspace_id,
        channel_ref=action.channel_ref,
        member_id=action.actor.member_id,
        questions=asked,
    )
    note = "standup.questions.saved" if asked else "standup.questions.reset"
    return cards.questions_reply(action.channel_ref, asked, note)


def parse_questions(raw: str) -> tuple[str, ...]:
    """`"Yesterday?" | "Today?" | Blockers?` → the questions; a bar inside quotes is part of its question."""
    text = MENTION.sub(lambda m: "@" + (m.group(2) or m.group(1)), unescape(raw)).strip()
    if not text:
        raise UsageError("standup.questions.none_given", USAGE)
    pieces: list[str] = []
    current: list[str] = []
    closing: str | None = None
    for ch in text:
        if closing is not None:
            if ch == closing:
                closing = None
            else:
                current.append(ch)
        elif ch in BARS:
            pieces.append("".join(current))
            current = []
        elif ch in QUOTES and not "".join(current).strip():
            closing = QUOTES[ch]
        else:
            current.append(ch)
    pieces.append("".join(current))
    asked = tuple(" ".join(p.split()) for p in pieces)
    if len(asked) > QUESTIONS_MAX:
        raise UsageError("standup.questions.too_many", USAGE, max=QUESTIONS_MAX, n=len(asked))
    for n, question in enumerate(asked, start=1):
        if not question:
            raise UsageError("standup.questions.empty", USAGE, n=n)
        if len(question) > QUESTION_MAX:
            raise UsageError("standup.questions.too_long", USAGE, n=n, length=len(question), max=QUESTION_MAX)
    return asked


def _channel(cmd: CommandInput) -> str:
    if not cmd.channel_ref:
        raise UsageError("digest.no_channel", USAGE)
    return cmd.channel_ref


COMMANDS = (
    CommandSpec("standup questions", show, USAGE, "standup.questions.summary", free_text=True),
    CommandSpec("standup questions reset", reset, USAGE),
    CommandSpec("standup questions edit", edit, USAGE),
)
ACTIONS = (ActionSpec(FORM_ACTION, on_form),)
JOBS = ()
