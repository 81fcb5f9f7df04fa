"""/risk: the cross-border risk register: file, list, show, update, close, review and mitigate risks,
the 5×5 matrix, playbooks and early-warning indicators. This module holds the command table."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from handlers.core import fields
from handlers.core.args import normalise_word
from handlers.core.charts import RiskHeatMap
from handlers.core.command import ActionInput, ActionSpec, CommandInput, CommandSpec
from handlers.core.reply import FieldError, InvalidFields, OpenForm, Reply, Text, UploadFile, UsageError, Visibility
from handlers.core.views import help_reply
from handlers.risks import actions as risk_actions
from handlers.risks import cards as view_of
from handlers.risks import digest as risk_digest
from handlers.risks import indicators
from handlers.risks import mitigations as risk_mitigations
from handlers.risks import playbooks as risk_playbooks
from handlers.risks import reviews as risk_reviews
from handlers.risks.forms import FORM_ACTION, filed, new_risk_form, on_form
from handlers.risks.input import (
    MAX_COMMAND_TEXT,
    OPTION_KEYS,
    category,
    field_usage,
    find,
    risk_values,
)
from models.base import utcnow
from models.risks import queries
from models.risks import risk as risk_model
from models.risks.grid import BAND_NAMES, escalated
from models.risks.grid import matrix as grid_of
from models.risks.risk import RiskFilter, RiskStatus

LIST_KEYS = frozenset({"category", "market", "band", "status", "page"})
MATRIX_KEYS = frozenset({"category", "market"})
MITIGATE_KEYS = frozenset({"owner", "due"})
REQUIRED = ("category", "likelihood", "impact")
STATUS_WORDS = {
    "open": (RiskStatus.OPEN.value,),
    "accepted": (RiskStatus.ACCEPTED.value,),
    "closed": (RiskStatus.CLOSED.value,),
    "active": risk_model.ACTIVE,
    "all": tuple(s.value for s in RiskStatus),
}


def root(cmd: CommandInput, db: Session) -> Reply:
    """`/risk` alone opens the form; `/risk RISK-3` shows one."""
    if not cmd.args.words and not cmd.args.options:
        return Reply("silent", effects=[OpenForm(new_risk_form(cmd.actor.lang))])
    if len(cmd.args.words) == 1 and not cmd.args.options:
        try:
            return show(cmd, db)
        except UsageError as err:
            if err.text.key != "risk.bad_key":
                raise
    raise UsageError("args.unknown_subcommand", "risk.usage", command="/risk", value=_first(cmd))


def add(cmd: CommandInput, db: Session) -> Reply:
    title = cmd.args.text()
    if title and "title" in cmd.args.options:
        raise UsageError("args.duplicate_key", "risk.add.usage", name="title")
    raw: dict[str, Any] = {"title": title, **cmd.args.options} if title else dict(cmd.args.options)
    if not raw.get("title"):
        raise UsageError("risk.add.no_title", "risk.add.usage")
    if sum(len(str(v)) for v in raw.values()) > MAX_COMMAND_TEXT:
        raise UsageError("field.command_too_long", "risk.add.usage", max=MAX_COMMAND_TEXT)
    missing = [k for k in REQUIRED if k not in raw and not (k == "category" and "cat" in raw)]
    if missing:
        raise UsageError("risk.add.missing", "risk.add.usage", fields=", ".join(missing))
    today = fields.local_today(cmd.actor.tz)
    try:
        values = risk_values(raw, db=db, actor=cmd.actor, today=today, for_edit=False)
    except InvalidFields as err:
        raise err.usage_error("risk.add.usage") from err
    return filed(db, cmd.actor.workspace_id, cmd.actor.member_id, values, cmd.channel_ref, today=today)


def list_(cmd: CommandInput, db: Session) -> Reply:
    filters: dict[str, Any] = {}
    for word in cmd.args.words:
        if normalise_word(word) not in ("mine", "我的"):
            raise UsageError("args.unexpected_word", "risk.list.usage", value=word)
        filters["mine"] = True
    options = cmd.args.options
    try:
        if "category" in options:
            filters["category"] = category("category", options["category"])
        if "market" in options:
            filters["market"] = fields.markets("market", options["market"], limit=1)[0]
    except FieldError as err:
        raise field_usage(err, "risk.list.usage") from err
    if "band" in options:
        filters["band"] = _band(options["band"], "risk.list.usage")
    if "status" in options:
        word = normalise_word(options["status"])
        if word not in STATUS_WORDS:
            raise UsageError(
                "risk.bad_status", "risk.list.usage", value=options["status"], allowed=", ".join(STATUS_WORDS)
            )
        filters["status"] = word
    page = 1
    if "page" in options:
        folded = normalise_word(options["page"])
        if not folded.isdigit() or int(folded) < 1:
            raise UsageError("field.bad_number", "risk.list.usage", value=options["page"])
        page = int(folded)
    return list_reply(db, cmd.actor, filters, page)


def list_reply(db: Session, actor: Any, filters: dict[str, Any], page: int) -> Reply:
    band_word = filters.get("band") or ""
    where = RiskFilter(
        statuses=STATUS_WORDS.get(filters.get("status") or "active", risk_model.ACTIVE),
        category=filters.get("category"),
        market=filters.get("market"),
        band=band_word if band_word in BAND_NAMES else None,
        at_least=band_word.rstrip("+") if band_word.endswith("+") else None,
        member_id=actor.member_id if filters.get("mine") else None,
    )
    offset = (page - 1) * view_of.PAGE_SIZE
    found = queries.risk_page(
        db=db, workspace_id=actor.workspace_id, where=where, offset=offset, limit=view_of.PAGE_SIZE, on=utcnow().date()
    )
    return view_of.list_page(found, page=page, filters=filters, today=fields.local_today(actor.tz))


def on_page(action: ActionInput, db: Session) -> Reply:
    raw = action.payload.get("f")
    filters = {
        k: v
        for k, v in (raw if isinstance(raw, dict) else {}).items()
        if k in ("category", "market", "band", "status", "mine")
    }
    page = action.payload.get("p")
    reply = list_reply(db, action.actor, filters, page if isinstance(page, int) and page > 0 else 1)
    reply.replace_original = True
    return reply


def show(cmd: CommandInput, db: Session) -> Reply:
    if len(cmd.args.words) != 1:
        raise UsageError("risk.need_key", "risk.show.usage")
    view = find(db, cmd.actor, cmd.args.words[0], "risk.show.usage")
    return view_of.card(db, view, today=fields.local_today(cmd.actor.tz), detail=True)


def update(cmd: CommandInput, db: Session) -> Reply:
    usage = "risk.update.usage"
    if len(cmd.args.words) != 1:
        raise (
            UsageError("risk.need_key", usage)
            if not cmd.args.words
            else UsageError("args.unexpected_word", usage, value=cmd.args.words[1])
        )
    if not cmd.args.options:
        raise UsageError("risk.update.nothing", usage)
    view = find(db, cmd.actor, cmd.args.words[0], usage)
    item = view.item
    if item.status == RiskStatus.CLOSED:
        raise UsageError("risk.closed_already", usage, key=item.key)
    today = fields.local_today(cmd.actor.tz)
    try:
        values = risk_values(dict(cmd.args.options), db=db, actor=cmd.actor, today=today, for_edit=True)
    except InvalidFields as err:
        raise err.usage_error(usage) from err
    if values.get("exposure_amount") is not None and not (values.get("exposure_currency") or item.exposure_currency):
        raise UsageError("risk.currency_needed", usage, amount=cmd.args.options.get("exposure", ""))
    changes = risk_model.update(db=db, view=view, actor_id=cmd.actor.member_id, values=values)
    fresh = risk_model.get_by_id(db=db, workspace_id=item.workspace_id, risk_id=item.id or 0)
    assert fresh is not None
    if not changes:
        return view_of.card(db, fresh, today=today, notice=Text("risk.unchanged", {"key": item.key}))
    named = [Text(f"risk.field.{name}") for name in changes if name != "score"]
    params = {"key": item.key, "fields": named, "score": item.score, "band": Text(f"risk.band.{item.band}")}
    reply = view_of.card(db, fresh, today=today, notice=Text("risk.updated", params))
    reply.effects.append(view_of.refreshed(db, fresh, today=today))
    if "score" in changes and escalated(*changes["score"]):
        reply.effects.append(view_of.posted_card(db, fresh, today=today, notice=Text("risk.escalated", params)))
    return reply


def close(cmd: CommandInput, db: Session) -> Reply:
    usage = "risk.close.usage"
    if not cmd.args.words:
        raise UsageError("risk.need_key", usage)
    view = find(db, cmd.actor, cmd.args.words[0], usage)
    reason = " ".join(cmd.args.words[1:]).strip()
    if not reason:
        raise UsageError("risk.close.no_reason", usage)
    if len(reason) > risk_model.TEXT_MAX:
        raise UsageError(
            "field.invalid",
            usage,
            field="reason",
            reason=Text("field.too_long", {"max": risk_model.TEXT_MAX, "length": len(reason)}),
        )
    item = view.item
    if item.status == RiskStatus.CLOSED:
        raise UsageError("risk.closed_already", usage, key=item.key)
    risk_model.set_state(
        db=db,
        item=item,
        actor_id=cmd.actor.member_id,
        action="risk_close",
        status=RiskStatus.CLOSED.value,
        close_reason=reason,
        closed_at=risk_model.utcnow(),
    )
    today = fields.local_today(cmd.actor.tz)
    reply = view_of.card(
        db, view, today=today, notice=Text("risk.closed", {"key": item.key}), visibility=Visibility.CHANNEL
    )
    reply.effects.append(view_of.refreshed(db, view, today=today))
    return reply


def matrix(cmd: CommandInput, db: Session) -> Reply:
    if cmd.args.words:
        raise UsageError("args.unexpected_word", "risk.matrix.usage", value=cmd.args.words[0])
    filters: dict[str, Any] = {}
    try:
        if "category" in cmd.args.options:
            filters["category"] = category("category", cmd.args.options["category"])
        if "market" in cmd.args.options:
            filters["market"] = fields.markets("market", cmd.args.options["market"], limit=1)[0]
    except FieldError as err:
        raise field_usage(err, "risk.matrix.usage") from err
    where = RiskFilter(category=filters.get("category"), market=filters.get("market"))
    cells = risk_model.matrix_cells(db=db, workspace_id=cmd.actor.workspace_id, where=where)
    grid = tuple(tuple(row) for row in grid_of(cells))
    upload = UploadFile("risk-matrix.png", RiskHeatMap(grid), title=Text("risk.matrix.file_title"))
    return view_of.matrix_reply(cells, effects=[upload])


def help_(cmd: CommandInput, db: Session) -> Reply:
    return help_reply(Text("risk.help.title"), [Text(k) for k in HELP_LINES])


def _band(value: str, usage: str) -> str:
    word = normalise_word(value).replace("高", "high")
    base = word.rstrip("+")
    aliases = {"低": "low", "中": "medium", "high": "high", "严重": "critical", "极高": "critical"}
    base = aliases.get(base, base)
    if base not in BAND_NAMES:
        raise UsageError("risk.bad_band", usage, value=value, allowed=", ".join(BAND_NAMES))
    return base + ("+" if word.endswith("+") else "")


def _first(cmd: CommandInput) -> str:
    return cmd.args.words[0] if cmd.args.words else ""


HELP_LINES = (
    "risk.add.usage",
    "risk.form.usage",
    "risk.list.usage",
    "risk.show.usage",
    "risk.update.usage",
    "risk.close.usage",
    "risk.review.usage",
    "risk.mitigate.usage",
    "risk.done.usage",
    "risk.matrix.usage",
    "risk.playbook.usage",
    "risk.playbook_start.usage",
    "risk.watch.usage",
    "risk.unwatch.usage",
    "pm.figure.usage",
    "pm.figure.token_usage",
    "risk.help.scoring",
)

COMMANDS = (
    CommandSpec("risk", root, "risk.usage"),
    CommandSpec("risk add", add, "risk.add.usage", "risk.add.summary", keys=OPTION_KEYS),
    CommandSpec("risk list", list_, "risk.list.usage", "risk.list.summary", keys=LIST_KEYS, aliases=("risk ls",)),
    CommandSpec("risk show", show, "risk.show.usage", "risk.show.summary"),
    CommandSpec(
        "risk update", update, "risk.update.usage", "risk.update.summary", keys=OPTION_KEYS, aliases=("risk edit",)
    ),
    CommandSpec("risk close", close, "risk.close.usage", "risk.close.summary"),
    CommandSpec("risk review", risk_reviews.review, "risk.review.usage", "risk.review.summary"),
    CommandSpec(
        "risk mitigate", risk_mitigations.mitigate, "risk.mitigate.usage", "risk.mitigate.summary", keys=MITIGATE_KEYS
    ),
    CommandSpec("risk done", risk_mitigations.done, "risk.done.usage", "risk.done.summary"),
    CommandSpec("risk matrix", matrix, "risk.matrix.usage", "risk.matrix.summary", keys=MATRIX_KEYS),
    CommandSpec("risk playbook", risk_playbooks.show, "risk.playbook.usage", "risk.playbook.summary"),
    CommandSpec("risk playbook start", risk_playbooks.start_command, "risk.playbook_start.usage"),
    CommandSpec("risk watch", indicators.watch, "risk.watch.usage", "risk.watch.summary"),
    CommandSpec("risk unwatch", indicators.unwatch, "risk.unwatch.usage"),
    CommandSpec("risk help", help_, "risk.usage"),
    CommandSpec("pm figure", indicators.figure, "pm.figure.usage", "pm.figure.summary"),
    CommandSpec("pm figure token", indicators.token, "pm.figure.token_usage"),
)

ACTIONS = (
    ActionSpec(view_of.ACK_ACTION, risk_actions.on_ack),
    ActionSpec(view_of.PLAYBOOK_ACTION, risk_actions.on_playbook),
    ActionSpec(view_of.ACCEPT_ACTION, risk_actions.on_accept),
    ActionSpec(view_of.RAISE_ACTION, risk_actions.on_raise),
    ActionSpec(view_of.REVIEWED_ACTION, risk_actions.on_reviewed),
    ActionSpec(view_of.PAGE_ACTION, on_page),
    ActionSpec(view_of.FIGURE_PAGE_ACTION, indicators.on_page),
    ActionSpec(FORM_ACTION, on_form),
    ActionSpec(risk_playbooks.FORM_ACTION, risk_playbooks.on_form),
)

JOBS = risk_reviews.JOBS
DIGEST_SECTIONS = risk_digest.SECTIONS
