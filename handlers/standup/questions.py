"""/standup questions: a channel's own standup questions — shown, set as `"q1" | "q2" | …` (at most
five, each at most 150 characters) by who may change the channel's digest, or reset to the defaults."""

from __future__ import annotations

from sqlmodel import Session

from handlers.core.args import unescape
from handlers.core.command import CommandInput, CommandSpec
from handlers.core.reply import Reply, UsageError
from handlers.core.roles import Guarded, require_editor
from handlers.standup import cards
from handlers.standup.commands import MENTION
from models.standup import questions as questions_model
from models.standup.questions import QUESTION_MAX, QUESTIONS_MAX

USAGE = "standup.questions.usage"
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
)
ACTIONS = ()
JOBS = ()
