"""/exp: plan, start, stop, list and read A/B experiments; results and decisions live beside it."""

from __future__ import annotations

import math
from typing import Any

from sqlmodel import Session

from handlers.core import fields
from handlers.core.args import normalise_word
from handlers.core.command import ActionInput, ActionSpec, CommandInput, CommandSpec
from handlers.core.reply import (
    FieldError,
    InvalidFields,
    PostToChannel,
    Reply,
    Text,
    UsageError,
    Visibility,
)
from handlers.core.views import help_reply
from handlers.experiments import cards as view_of
from handlers.experiments import decisions as experiment_decisions
from handlers.experiments import digest as experiment_digest
from handlers.experiments import results as experiment_results
from handlers.experiments.input import PLAN_KEYS, find, invalid, mde, plan_values, status_from_word
from models.experiments import experiment as exp_model
from models.experiments import guardrails, means, sequential
from models.experiments import stats as ab_stats
from models.experiments.experiment import Experiment, ExpStatus
from models.experiments.stats import StatsError
from models.requirements.requirement import Status

LIST_KEYS = frozenset({"status", "market", "page"})
STATUS_KEYS = frozenset({"market"})


def root(cmd: CommandInput, db: Session) -> Reply:
    """`/exp` alone is help; `/exp EXP-4` is its status."""
    if not cmd.args.words and not cmd.args.options:
        return help_(cmd, db)
    if len(cmd.args.words) == 1 and not cmd.args.options:
        return status(cmd, db)
    raise UsageError(
        "args.unknown_subcommand", "exp.usage", command="/exp", value=cmd.args.words[0] if cmd.args.words else ""
    )


def add(cmd: CommandInput, db: Session) -> Reply:
    raw: dict[str, str] = dict(cmd.args.options)
    if cmd.args.words:
        if "name" in raw:
            raise UsageError("args.duplicate_key", "exp.add.usage", name="name")
        raw["name"] = cmd.args.text()
    try:
        values = plan_values(raw, db=db, actor=cmd.actor)
    except InvalidFields as err:
        raise invalid(err, "exp.add.usage") from err
    try:
        planned = (
            _plan(values)
            if values["kind"] == "mean"
            else ab_stats.plan(
                baseline=values["baseline"],
                mde=-values["mde"] if values["direction"] == "lower" else values["mde"],  # a fall is the change sought
                relative=values["mde_relative"],
                alpha=values["alpha"],
                power=values["power"],
                weights=values["split"],
                sequential=values["method"] == "sequential",
            )
        )
    except StatsError as err:
        raise UsageError("exp.add.impossible", "exp.add.usage") from err
    item = exp_model.create(
        db=db,
        workspace_id=cmd.actor.workspace_id,
        requester_id=cmd.actor.member_id,
        values={**values, "needed": list(planned.needed), "channel_ref": cmd.channel_ref},
    )
    posted = view_of.card(
        view_of.reading(db, item), notice=Text("exp.added", {"key": item.key}), visibility=Visibility.CHANNEL
    )
    return Reply("silent", effects=[PostToChannel(posted, track=view_of.track(item))])


def _plan(values: dict[str, Any]) -> ab_stats.Plan:
    """Users per arm for a mean metric, from its baseline mean and SD."""
    sign = -1.0 if values["direction"] == "lower" else 1.0
    delta = values["mde"] * (values["baseline"] if values["mde_relative"] else 1.0)
    weights = values["split"]
    comparisons = len(weights) - 1
    each = values["alpha"] / comparisons
    sd = values["baseline_sd"]
    whole = sum(weights)
    traffic = 0.0
    for weight in weights[1:]:
        ratio = weight / weights[0]
        if values["method"] == "sequential":
            control_n = sequential.sample_size(delta, sd * sd, sd * sd, alpha=each, target_power=values["power"],
                                               ratio=ratio)  # fmt: skip
        else:
            control_n = means.sample_size(sd, delta, alpha=each, power=values["power"], ratio=ratio)
        traffic = max(traffic, control_n * whole / weights[0])
    needed = tuple(math.ceil(traffic * w / whole - 1e-9) for w in weights)
    return ab_stats.Plan(needed, sum(needed), comparisons, each, values["baseline"] + sign * delta)


def guard(cmd: CommandInput, db: Session) -> Reply:
    """`/exp guard EXP-4 refund_rate max=0.5pp`: a rate that must not rise by more than the limit."""
    usage = "exp.guard.usage"
    if len(cmd.args.words) != 2 or "max" not in cmd.args.options:
        raise UsageError("exp.guard.need", usage)
    item = find(db, cmd.actor, cmd.args.words[0], usage)
    if item.decision is not None:
        raise UsageError("exp.decided_already", usage, key=item.key)
    metric = _field(lambda: fields.text("metric", cmd.args.words[1], max_length=guardrails.NAME_MAX, required=True),
                    usage)  # fmt: skip
    names = [g["metric"] for g in item.guardrails]
    if metric not in names and len(names) >= guardrails.MAX_GUARDRAILS:
        raise UsageError("exp.guard.too_many", usage, max=guardrails.MAX_GUARDRAILS)
    limit, _ = _field(lambda: mde(cmd.args.options["max"], "absolute"), usage)
    exp_model.set_guardrail(db, item, cmd.actor.member_id, metric, limit)
    notice = Text("exp.guard.set", {"key": item.key, "metric": metric, "limit": f"{limit * 100:.2f}"})
    return view_of.changed(db, item, [notice])


def start(cmd: CommandInput, db: Session) -> Reply:
    item = _one(cmd, db, "exp.start.usage")
    if item.status == ExpStatus.RUNNING:
        raise UsageError("exp.start.already", "exp.start.usage", key=item.key)
    if item.decision is not None or item.status == ExpStatus.SHIPPED:
        raise UsageError("exp.decided_already", "exp.start.usage", key=item.key)
    exp_model.set_status(db=db, item=item, actor_id=cmd.actor.member_id, target=ExpStatus.RUNNING)
    notices = [Text("exp.started", {"key": item.key})]
    moved = experiment_decisions.move_requirement(
        db, item, cmd.actor.member_id, Status.IN_PROGRESS, only_from=Status.APPROVED
    )
    if moved:
        notices.append(moved)
    return view_of.changed(db, item, notices)


def stop(cmd: CommandInput, db: Session) -> Reply:
    item = _one(cmd, db, "exp.stop.usage")
    if item.status == ExpStatus.STOPPED:
        raise UsageError("exp.stop.already", "exp.stop.usage", key=item.key)
    if item.decision is not None or item.status == ExpStatus.SHIPPED:
        raise UsageError("exp.decided_already", "exp.stop.usage", key=item.key)
    exp_model.set_status(db=db, item=item, actor_id=cmd.actor.member_id, target=ExpStatus.STOPPED)
    return view_of.changed(db, item, [Text("exp.stopped", {"key": item.key})])


def status(cmd: CommandInput, db: Session) -> Reply:
    if not cmd.args.words:
        raise UsageError("exp.need_key", "exp.status.usage")
    if len(cmd.args.words) > 1:
        raise UsageError("args.unexpected_word", "exp.status.usage", value=cmd.args.words[1])
    item = find(db, cmd.actor, cmd.args.words[0], "exp.status.usage")
    market = None
    if "market" in cmd.args.options:
        market = _field(lambda: fields.markets("market", cmd.args.options["market"], limit=1)[0], "exp.status.usage")
    seen = view_of.reading(db, item, market=market)
    reply = view_of.card(seen, visibility=Visibility.CHANNEL)
    reply.effects.extend(view_of.chart_effect(db, seen))
    return reply


def list_(cmd: CommandInput, db: Session) -> Reply:
    if cmd.args.words:
        raise UsageError("args.unexpected_word", "exp.list.usage", value=cmd.args.words[0])
    options, filters = cmd.args.options, {}
    if "status" in options:
        filters["status"] = status_from_word(options["status"], "exp.list.usage").value
    if "market" in options:
        filters["market"] = _field(lambda: fields.markets("market", options["market"], limit=1)[0], "exp.list.usage")
    page = 1
    if "page" in options:
        folded = normalise_word(options["page"])
        if not folded.isdigit() or int(folded) < 1:
            raise UsageError("field.bad_number", "exp.list.usage", value=options["page"])
        page = int(folded)
    return _list_reply(db, cmd.actor.workspace_id, filters, page, replace_original=False)


def help_(cmd: CommandInput, db: Session) -> Reply:
    return help_reply(Text("exp.help.title"), [Text(k) for k in HELP_LINES])


def on_page(action: ActionInput, db: Session) -> Reply:
    raw = action.payload.get("f")
    filters = {
        k: v
        for k, v in (raw if isinstance(raw, dict) else {}).items()
        if k in ("status", "market") and isinstance(v, str)
    }
    page = action.payload.get("p")
    page = page if isinstance(page, int) and page > 0 else 1
    return _list_reply(db, action.actor.workspace_id, filters, page, replace_original=True)


def _list_reply(db: Session, workspace_id: int, filters: dict[str, Any], page: int, *, replace_original: bool) -> Reply:
    offset = (page - 1) * view_of.PAGE_SIZE
    found = exp_model.page(
        db=db,
        workspace_id=workspace_id,
        status=filters.get("status"),
        market=filters.get("market"),
        offset=offset,
        limit=view_of.PAGE_SIZE,
    )
    if not found.items and found.total and page > 1 and not found.capped:
        last = -(-found.total // view_of.PAGE_SIZE)
        return _list_reply(db, workspace_id, filters, last, replace_original=replace_original)
    readouts = {e.id: view_of.reading(db, e).readout for e in found.items if e.status != ExpStatus.DRAFT}
    return view_of.list_page(found, page=page, filters=filters, readouts=readouts, replace_original=replace_original)


def _one(cmd: CommandInput, db: Session, usage: str) -> Experiment:
    if not cmd.args.words:
        raise UsageError("exp.need_key", usage)
    if len(cmd.args.words) > 1:
        raise UsageError("args.unexpected_word", usage, value=cmd.args.words[1])
    return find(db, cmd.actor, cmd.args.words[0], usage)


def _field(compute: Any, usage: str) -> Any:
    try:
        return compute()
    except FieldError as err:
        raise UsageError("field.invalid", usage, field=err.field, reason=err.text) from err


HELP_LINES = (
    "exp.add.usage",
    "exp.result.usage",
    "exp.guard.usage",
    "exp.status.usage",
    "exp.start.usage",
    "exp.stop.usage",
    "exp.list.usage",
    "exp.help.reading",
    "exp.help.csv",
)

COMMANDS = (
    CommandSpec("exp", root, "exp.usage"),
    CommandSpec("exp add", add, "exp.add.usage", "exp.add.summary", keys=PLAN_KEYS),
    CommandSpec("exp guard", guard, "exp.guard.usage", "exp.guard.summary", keys=frozenset({"max"})),
    CommandSpec("exp start", start, "exp.start.usage", "exp.start.summary"),
    CommandSpec("exp stop", stop, "exp.stop.usage", "exp.stop.summary"),
    CommandSpec("exp list", list_, "exp.list.usage", "exp.list.summary", keys=LIST_KEYS, aliases=("exp ls",)),
    CommandSpec(
        "exp status", status, "exp.status.usage", "exp.status.summary", keys=STATUS_KEYS, aliases=("exp show",)
    ),
    CommandSpec(
        "exp result",
        experiment_results.result,
        "exp.result.usage",
        "exp.result.summary",
        keys=experiment_results.RESULT_KEYS,
        aliases=("exp results",),
    ),
    CommandSpec("exp help", help_, "exp.usage"),
)

ACTIONS = (
    ActionSpec(view_of.PAGE_ACTION, on_page),
    ActionSpec(view_of.DECIDE_ACTION, experiment_decisions.on_decide),
    ActionSpec(experiment_results.FILE_ACTION, experiment_results.on_file),
)
JOBS = ()
DIGEST_SECTIONS = experiment_digest.SECTIONS
