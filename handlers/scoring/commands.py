"""/score: RICE, ICE and MoSCoW for a requirement, typed as options or filled in a form; every re-score kept."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from handlers.core import fields
from handlers.core.command import ActionInput, ActionSpec, Actor, CommandInput, CommandSpec
from handlers.core.reply import (
    Choice,
    Form,
    FormField,
    InvalidFields,
    OpenForm,
    PostToChannel,
    Reply,
    Text,
    UsageError,
)
from handlers.core.views import help_reply
from handlers.requirements.input import find
from handlers.scoring import cards as scoring_view
from handlers.scoring import digest as scoring_digest
from handlers.scoring.input import RICE_KEYS, SCORE_KEYS, Scored, scored
from models.requirements import requirement as req_model
from models.requirements.requirement import RequirementView
from models.scoring import queries as score_queries
from models.scoring import rice as math
from models.scoring import score as score_model
from models.scoring.rice import Moscow, RiceInputs
from models.scoring.score import UNCHANGED, Change

FORM_ACTION = "score.form"
FORM_KEYS = (*RICE_KEYS, "moscow")


def score(cmd: CommandInput, db: Session) -> Reply:
    """`/score REQ-12 key=value …` stores a score; `/score REQ-12` alone opens the form."""
    words = cmd.args.words
    if not words:
        if cmd.args.options:
            raise UsageError("req.show.need_key", "score.usage")
        return help_(cmd, db)
    if len(words) > 1:
        raise UsageError("args.unexpected_word", "score.usage", value=words[1])
    found = find(db, cmd.actor, words[0], "score.usage")
    if not cmd.args.options:
        return Reply("silent", effects=[OpenForm(score_form(db, found))])
    try:
        parsed = scored(cmd.args.options)
    except InvalidFields as err:
        raise err.usage_error("score.usage") from err
    change = apply(db, cmd.actor, found, parsed, usage="score.usage")
    notice = Text("score.scored", {"key": found.item.key})
    return scoring_view.card(db, found, change.current, notice=notice, moved=change.moved)


def history(cmd: CommandInput, db: Session) -> Reply:
    """`/score history REQ-12`: every re-score, newest first, a page at a time."""
    if len(cmd.args.words) != 1:
        raise UsageError("req.show.need_key", "score.history.usage")
    found = find(db, cmd.actor, cmd.args.words[0], "score.history.usage")
    return _history_page(db, found, 0, replace_original=False)


def on_history_page(action: ActionInput, db: Session) -> Reply:
    found = req_model.get_by_id(
        db=db, workspace_id=action.actor.workspace_id, requirement_id=_int(action.payload.get("id"))
    )
    if found is None:
        return Reply.message("req.gone")
    offset = action.payload.get("o")
    return _history_page(db, found, offset if isinstance(offset, int) and offset >= 0 else 0, replace_original=True)


def _history_page(db: Session, found: RequirementView, offset: int, *, replace_original: bool) -> Reply:
    page = score_queries.history_page(
        db=db, requirement_id=found.item.id or 0, offset=offset, limit=scoring_view.HISTORY_PAGE_SIZE
    )
    return scoring_view.history_reply(found, page, replace_original=replace_original)


def help_(cmd: CommandInput, db: Session) -> Reply:
    return help_reply(Text("score.help.title"), [Text(k) for k in HELP_LINES])


def on_form(action: ActionInput, db: Session) -> Reply:
    found = req_model.get_by_id(
        db=db, workspace_id=action.actor.workspace_id, requirement_id=_int(action.payload.get("id"))
    )
    if found is None:
        return Reply.message("req.gone")
    form = action.form or {}
    raw = {k: str(form[k]).strip() for k in FORM_KEYS if form.get(k) not in (None, "", [])}
    try:
        parsed = scored(raw)
    except InvalidFields as err:
        return Reply("silent", form_errors=err.by_field())
    existing = score_model.current(db=db, requirement_id=found.item.id or 0)
    if existing and existing.rice and existing.rice.reach_by_market and parsed.rice.get("reach") == existing.rice.reach:
        del parsed.rice["reach"]  # the form shows the total; unchanged, the split by market stays
    try:
        change = apply(db, action.actor, found, parsed, usage="score.usage")
    except UsageError as err:
        return Reply("silent", form_errors={"reach": err.text})
    notice = Text("score.scored", {"key": found.item.key})
    posted = scoring_view.card(db, found, change.current, notice=notice, moved=change.moved)
    return Reply("silent", effects=[PostToChannel(posted, action.channel_ref)])


def apply(db: Session, actor: Actor, found: RequirementView, parsed: Scored, *, usage: str) -> Change:
    """Store the parsed score; RICE parts not given are kept from the current score."""
    item = found.item
    assert item.id is not None
    rice = None
    if parsed.rice:
        existing = score_model.current(db=db, requirement_id=item.id)
        values: dict[str, Any] = {}
        if existing and existing.rice:
            base = existing.rice
            values = {
                "reach": base.reach,
                "impact": base.impact,
                "confidence": base.confidence,
                "effort": base.effort,
                "reach_by_market": dict(base.reach_by_market),
            }
        given = dict(parsed.rice)
        if "reach_by_market" in given:  # reach.US=… changes those markets and keeps the others
            split = {**values.get("reach_by_market", {}), **given["reach_by_market"]}
            given["reach_by_market"], given["reach"] = split, sum(split.values())
        elif "reach" in given:
            values["reach_by_market"] = {}
        values.update(given)
        missing = [k for k in RICE_KEYS if k not in values]
        if missing:
            raise UsageError("score.rice_incomplete", usage, missing=", ".join(missing))
        outside = sorted(set(parsed.rice.get("reach_by_market", {})) - set(found.markets))
        if outside:
            raise UsageError("score.market_not_on_req", usage, key=item.key, markets=", ".join(outside))
        rice = RiceInputs(
            values["reach"], values["impact"], values["confidence"], values["effort"], values["reach_by_market"]
        )
    return score_model.save(
        db=db,
        workspace_id=actor.workspace_id,
        requirement_id=item.id,
        actor_id=actor.member_id,
        markets=found.markets,
        rice=rice,
        ice=parsed.ice,
        moscow=parsed.moscow if parsed.has_moscow else UNCHANGED,
    )


def score_form(db: Session, found: RequirementView) -> Form:
    existing = score_model.current(db=db, requirement_id=found.item.id or 0)
    rice = existing.rice if existing else None
    impacts = tuple(Choice(math.plain(v), Text(f"score.impact.{n}")) for v, n in math.IMPACT_NAMES.items())
    confidences = tuple(Choice(str(v), Text(f"score.confidence.{n}")) for v, n in math.CONFIDENCE_NAMES.items())
    moscows = tuple(Choice(m.value, Text(f"moscow.{m.value}")) for m in Moscow)
    return Form(
        action=FORM_ACTION,
        title=Text("score.form.title", {"key": found.item.key}),
        fields=(
            FormField(
                "reach",
                Text("score.field.reach"),
                required=True,
                max_length=20,
                initial=str(rice.reach) if rice else None,
                hint=Text("score.field.reach_hint"),
            ),
            FormField(
                "impact",
                Text("score.field.impact"),
                kind="select",
                required=True,
                options=impacts,
                initial=math.plain(rice.impact) if rice else None,
            ),
            FormField(
                "confidence",
                Text("score.field.confidence"),
                kind="select",
                required=True,
                options=confidences,
                initial=str(rice.confidence) if rice else None,
            ),
            FormField(
                "effort",
                Text("score.field.effort"),
                required=True,
                max_length=12,
                initial=math.plain(rice.effort) if rice else None,
                hint=Text("score.field.effort_hint"),
            ),
            FormField(
                "moscow",
                Text("score.field.moscow"),
                kind="select",
                options=moscows,
                initial=existing.moscow if existing else None,
            ),
        ),
        metadata={"id": found.item.id},
    )


def _int(value: Any) -> int:
    return fields.row_id(value) or 0


HELP_LINES = (
    "score.usage",
    "score.help.rice",
    "score.help.ice",
    "score.help.moscow",
    "score.help.markets",
    "score.top.usage",
    "score.history.usage",
)

COMMANDS = (
    CommandSpec("score", score, "score.usage", "score.summary", keys=SCORE_KEYS),
    CommandSpec("score history", history, "score.history.usage", "score.history.summary"),
    CommandSpec("score help", help_, "score.usage"),
)
ACTIONS = (ActionSpec(FORM_ACTION, on_form), ActionSpec(scoring_view.HISTORY_ACTION, on_history_page))
JOBS = ()
DIGEST_SECTIONS = scoring_digest.SECTIONS
