"""Playbooks: the steps a team takes when a risk of a category bites. Built-in ones per category (their
text in the message catalogue, so each reader sees them in their own language), which a workspace can
replace with its own; starting one turns its steps into mitigation actions with owners and due dates."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session

from handlers.core.args import normalise_word
from handlers.core.command import ActionInput, CommandInput
from handlers.core.fields import local_today
from handlers.core.reply import FieldError, Form, FormField, OpenForm, Reply, Text, UsageError, Visibility
from handlers.core.roles import can_decide
from handlers.risks import cards as view_of
from handlers.risks.input import category, field_usage, find
from handlers.risks.steps import BUILTIN, Step, steps_of
from models.base import utcnow
from models.risks import mitigation as mit_model
from models.risks import risk as risk_model
from models.risks.risk import RiskStatus, RiskView

FORM_ACTION = "risk.playbook_form"
STEPS_MAX = 12
STEP_MAX = 300
FORM_TEXT_MAX = 3000  # Slack's limit for a text input
DUE_SUFFIX = re.compile(r"\s*[(（]?\+(\d{1,3})([dw天周])[)）]?\s*$")


def steps_for(db: Session, workspace_id: int, cat: str) -> tuple[list[Step], bool]:
    """The category's steps, and whether they are the workspace's own."""
    own = mit_model.playbook_override(db=db, workspace_id=workspace_id, category=cat)
    return steps_of(cat, list(own.steps) if own is not None else None)


def show(cmd: CommandInput, db: Session) -> Reply:
    """`/risk playbook <category> [edit|reset]`."""
    words = cmd.args.words
    if not words or len(words) > 2:
        raise UsageError("risk.playbook.need_category", "risk.playbook.usage")
    cat = _category(words[0])
    if len(words) == 2:
        verb = normalise_word(words[1])
        if verb in ("edit", "编辑", "修改"):
            return _edit(cmd, db, cat)
        if verb in ("reset", "重置", "恢复默认"):
            return _reset(cmd, db, cat)
        raise UsageError("args.unexpected_word", "risk.playbook.usage", value=words[1])
    steps, own = steps_for(db, cmd.actor.workspace_id, cat)
    return view_of.playbook_reply(cat, steps, own=own)


def start_command(cmd: CommandInput, db: Session) -> Reply:
    """`/risk playbook start RISK-3`."""
    if len(cmd.args.words) != 1:
        raise UsageError("risk.need_key", "risk.playbook_start.usage")
    view = find(db, cmd.actor, cmd.args.words[0], "risk.playbook_start.usage")
    return started_reply(db, view, cmd.actor.member_id, cmd.actor.tz, usage="risk.playbook_start.usage")


def started_reply(db: Session, view: RiskView, actor_id: int, tz: str, *, usage: str | None) -> Reply:
    item = view.item
    today = local_today(tz)
    if item.status == RiskStatus.CLOSED:
        raise UsageError("risk.closed_already", usage, key=item.key)
    if item.playbook_started_at is not None:
        raise UsageError("risk.playbook.already", usage, key=item.key)
    steps, _ = steps_for(db, item.workspace_id, item.category)
    owner = item.owner_id or item.reporter_id
    try:
        mit_model.add_mitigations(db=db, item=item, actor_id=actor_id, actions=[s.action(owner, today) for s in steps])
    except mit_model.TooManyActions as err:
        raise UsageError("risk.mitigate.too_many", usage, key=item.key, room=err.room) from err
    risk_model.set_state(db=db, item=item, actor_id=actor_id, action="risk_playbook", playbook_started_at=utcnow())
    reply = Reply.message("risk.playbook.started", key=item.key, count=len(steps))
    reply.effects.append(view_of.refreshed(db, view, today=today))
    return reply


def on_form(action: ActionInput, db: Session) -> Reply:
    cat = str(action.payload.get("category", ""))
    if cat not in BUILTIN or not can_decide(action.actor):
        return Reply.message("risk.playbook.not_allowed")
    try:
        steps = parse_steps("steps", str((action.form or {}).get("steps") or ""))
    except FieldError as err:
        return Reply("silent", form_errors={"steps": err.text})
    mit_model.set_playbook(
        db=db, workspace_id=action.actor.workspace_id, category=cat, actor_id=action.actor.member_id, steps=steps
    )
    saved = Reply.message("risk.playbook.saved", category=Text(f"risk.category.{cat}"), count=len(steps))
    saved.visibility = Visibility.CHANNEL  # the team's playbook changed: the channel is told
    return saved


def parse_steps(name: str, text: str) -> list[dict[str, Any]]:
    """One step a line (or separated by |); a trailing `+3d` or `+1w` sets when it is due after the start."""
    lines = [line.strip() for line in text.replace("\r", "").split("\n")]
    if len([line for line in lines if line]) <= 1:
        lines = [part.strip() for part in re.split(r"[|｜]", text)]
    steps = []
    for line in lines:
        line = re.sub(r"^\s*(?:\d{1,2}[.)、]|[-*•])\s*", "", line).strip()
        if not line:
            continue
        days = None
        if match := DUE_SUFFIX.search(line):
            amount, unit = int(match.group(1)), match.group(2)
            days = amount * (7 if unit in "w周" else 1)
            line = line[: match.start()].strip()
        if len(line) > STEP_MAX:
            raise FieldError(name, "field.too_long", max=STEP_MAX, length=len(line))
        steps.append({"text": line, "days": days})
    if not steps:
        raise FieldError(name, "field.required")
    if len(steps) > STEPS_MAX:
        raise FieldError(name, "field.too_many", max=STEPS_MAX)
    return steps


def _edit(cmd: CommandInput, db: Session, cat: str) -> Reply:
    if not can_decide(cmd.actor):
        raise UsageError("risk.playbook.not_allowed", "risk.playbook.usage")
    steps, _ = steps_for(db, cmd.actor.workspace_id, cat)
    initial = [_line(s) for s in steps]
    form = Form(
        action=FORM_ACTION,
        title=Text("risk.playbook.form_title"),
        fields=(
            FormField(
                "steps",
                Text("risk.playbook.steps_label", {"category": Text(f"risk.category.{cat}")}),
                kind="textarea",
                required=True,
                initial=initial,
                max_length=FORM_TEXT_MAX,
                hint=Text("risk.playbook.steps_hint"),
            ),
        ),
        metadata={"category": cat},
    )
    return Reply("silent", effects=[OpenForm(form)])


def _line(step: Step) -> Text | str:
    suffix = f" +{step.days}d" if step.days is not None else ""
    if isinstance(step.text, Text):
        return Text("risk.playbook.line", {"text": step.text, "suffix": suffix})
    return step.text + suffix


def _reset(cmd: CommandInput, db: Session, cat: str) -> Reply:
    if not can_decide(cmd.actor):
        raise UsageError("risk.playbook.not_allowed", "risk.playbook.usage")
    mit_model.set_playbook(
        db=db, workspace_id=cmd.actor.workspace_id, category=cat, actor_id=cmd.actor.member_id, steps=None
    )
    return Reply.message("risk.playbook.reset", category=Text(f"risk.category.{cat}"))


def _category(value: str) -> str:
    try:
        return category("category", value)
    except FieldError as err:
        raise field_usage(err, "risk.playbook.usage") from err
