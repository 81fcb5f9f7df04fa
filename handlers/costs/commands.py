"""/cost: SKUs and their per-market lanes; landed cost, margin, target prices and what-if shocks."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

from sqlmodel import Session

from handlers.core import fields
from handlers.core import money as parse
from handlers.core.command import ActionInput, ActionSpec, CommandInput, CommandSpec
from handlers.core.reply import FieldError, InvalidFields, Reply, Text, UsageError
from handlers.core.views import help_reply
from handlers.costs import cards as view_of
from handlers.costs.input import LANE_KEYS, SKU_KEYS, lane_values, market_of, sku_values
from models.costs import cost as cost_model
from models.costs import queries as cost_queries
from models.costs.fx import home_currency
from models.costs.margin import Shock, evaluate_sku, what_if

SHOW_KEYS = frozenset({"market"})
PRICE_KEYS = frozenset({"market", "margin"})
WHAT_IF_KEYS = frozenset({"fx", "duty", "freight", "price"})
MAX_MARGIN = Decimal(95)
T = TypeVar("T")


def root(cmd: CommandInput, db: Session) -> Reply:
    """`/cost` alone is the help; `/cost TEE-01` shows that SKU."""
    if not cmd.args.words and not cmd.args.options:
        return help_(cmd, db)
    if cmd.args.words and cost_model.get_sku(db=db, workspace_id=cmd.actor.workspace_id, code=cmd.args.text()):
        return show(cmd, db)
    raise UsageError("args.unknown_subcommand", "cost.usage", command="/cost", value=" ".join(cmd.args.words[:1]))


def add(cmd: CommandInput, db: Session) -> Reply:
    code = _code(cmd, "cost.add.usage")
    ws = cmd.actor.workspace_id
    existing = cost_model.get_sku(db=db, workspace_id=ws, code=code)
    if existing is not None and not cmd.args.options:
        raise UsageError("cost.add.nothing", "cost.add.usage", sku=existing.code)
    try:
        values = sku_values(cmd.args.options, creating=existing is None, home=home_currency(db=db, workspace_id=ws))
    except InvalidFields as err:
        raise err.usage_error("cost.add.usage") from err
    sku, saved = cost_model.save_sku(db=db, workspace_id=ws, actor_id=cmd.actor.member_id, code=code, values=values)
    if saved.created:
        notice = Text("cost.added", {"sku": sku.code})
    elif saved.changes:
        notice = Text("cost.edited", {"sku": sku.code, "fields": ", ".join(saved.changes)})
    else:
        notice = Text("cost.unchanged", {"sku": sku.code})
    today = fields.local_today(cmd.actor.tz)
    return view_of.card(sku, evaluate_sku(db=db, sku=sku, on=today), today, notice=notice)


def lane(cmd: CommandInput, db: Session) -> Reply:
    sku = _sku(cmd, db, "cost.lane.usage")
    assert sku.id is not None
    try:
        market = market_of(cmd.args.options)
        existing = next(iter(cost_model.lanes_of(db=db, sku_id=sku.id, market=market)), None)
        values = lane_values(cmd.args.options, market=market, sku=sku, existing=existing)
    except InvalidFields as err:
        raise err.usage_error("cost.lane.usage") from err
    _, saved = cost_model.save_lane(db=db, sku=sku, actor_id=cmd.actor.member_id, market=market, values=values)
    if saved.created:
        notice = Text("cost.lane_added", {"sku": sku.code, "market": market})
    elif saved.changes:
        fields_changed = ", ".join(k for k in saved.changes if k != "market")
        notice = Text("cost.lane_edited", {"sku": sku.code, "market": market, "fields": fields_changed})
    else:
        notice = Text("cost.lane_unchanged", {"sku": sku.code, "market": market})
    today = fields.local_today(cmd.actor.tz)
    return view_of.card(sku, evaluate_sku(db=db, sku=sku, on=today, market=market), today, notice=notice)


def show(cmd: CommandInput, db: Session) -> Reply:
    sku = _sku(cmd, db, "cost.show.usage")
    market = _optional_market(cmd, "cost.show.usage")
    today = fields.local_today(cmd.actor.tz)
    results = evaluate_sku(db=db, sku=sku, on=today, market=market)
    if market and not results:
        raise UsageError("cost.no_lane", "cost.lane.usage", sku=sku.code, market=market)
    return view_of.card(sku, results, today)


def price(cmd: CommandInput, db: Session) -> Reply:
    usage = "cost.price.usage"
    sku = _sku(cmd, db, usage)
    market = _optional_market(cmd, usage)
    if market is None:
        raise UsageError("field.invalid", usage, field="market", reason=Text("field.required"))
    if "margin" not in cmd.args.options:
        raise UsageError("field.invalid", usage, field="margin", reason=Text("field.required"))
    margin = _field(lambda: parse.percent("margin", cmd.args.options["margin"], maximum=MAX_MARGIN), usage)
    today = fields.local_today(cmd.actor.tz)
    results = evaluate_sku(db=db, sku=sku, on=today, market=market)
    if not results:
        raise UsageError("cost.no_lane", "cost.lane.usage", sku=sku.code, market=market)
    return view_of.price_reply(sku, results[0], margin / 100, today)


def what_if_(cmd: CommandInput, db: Session) -> Reply:
    usage = "cost.whatif.usage"
    sku = _sku(cmd, db, usage)
    shock = _shock(cmd.args.options, usage)
    today = fields.local_today(cmd.actor.tz)
    found = what_if(db=db, sku=sku, shock=shock, on=today)
    if not found:
        raise UsageError("cost.no_lanes", "cost.lane.usage", sku=sku.code)
    return view_of.what_if_reply(sku, found, shock)


def list_(cmd: CommandInput, db: Session) -> Reply:
    if cmd.args.words:
        raise UsageError("args.unexpected_word", "cost.list.usage", value=cmd.args.words[0])
    return _list_reply(db, cmd.actor.workspace_id, 1, replace_original=False)


def on_page(action: ActionInput, db: Session) -> Reply:
    page = action.payload.get("p")
    page = page if isinstance(page, int) and not isinstance(page, bool) and page > 0 else 1
    return _list_reply(db, action.actor.workspace_id, page, replace_original=True)


def _list_reply(db: Session, workspace_id: int, page: int, *, replace_original: bool) -> Reply:
    found = cost_queries.sku_page(
        db=db, workspace_id=workspace_id, offset=(page - 1) * view_of.PAGE_SIZE, limit=view_of.PAGE_SIZE
    )
    if not found.items and found.total and page > 1:  # SKUs were removed since the page was drawn
        last = -(-found.total // view_of.PAGE_SIZE)
        return _list_reply(db, workspace_id, last, replace_original=replace_original)
    return view_of.list_page(found, page=page, replace_original=replace_original)


def remove(cmd: CommandInput, db: Session) -> Reply:
    usage = "cost.remove.usage"
    sku = _sku(cmd, db, usage)
    market = _optional_market(cmd, usage)
    assert sku.id is not None
    if market and not cost_model.lanes_of(db=db, sku_id=sku.id, market=market):
        raise UsageError("cost.no_lane", usage, sku=sku.code, market=market)
    cost_model.remove(db=db, sku=sku, actor_id=cmd.actor.member_id, market=market)
    if market:
        return Reply.message("cost.lane_removed", sku=sku.code, market=market)
    return Reply.message("cost.removed", sku=sku.code)


def help_(cmd: CommandInput, db: Session) -> Reply:
    return help_reply(Text("cost.help.title"), [Text(k) for k in HELP_LINES])


def parse_shock(options: dict[str, str]) -> Shock:
    """A Shock from what-if options (fx=-5% duty=+10pt freight=+30% price=-10%); raises InvalidFields."""
    errors: list[FieldError] = []
    values: dict[str, Decimal] = {}
    for key in ("fx", "duty", "freight", "price"):
        if key not in options:
            continue
        try:
            amount, points = parse.change(key, options[key], points=key == "duty")
        except FieldError as err:
            errors.append(err)
            continue
        values["duty_points" if points else f"{key}_pct"] = amount
    if errors:
        raise InvalidFields(errors)
    return Shock(**values)


def _shock(options: dict[str, str], usage: str) -> Shock:
    if not options:
        raise UsageError("cost.whatif.nothing", usage)
    try:
        return parse_shock(options)
    except InvalidFields as err:
        raise err.usage_error(usage) from err


def _code(cmd: CommandInput, usage: str) -> str:
    code = cmd.args.text().strip()
    if not code:
        raise UsageError("cost.need_sku", usage)
    if len(code) > cost_model.CODE_MAX:
        reason = Text("field.too_long", {"length": len(code), "max": cost_model.CODE_MAX})
        raise UsageError("field.invalid", usage, field="sku", reason=reason)
    return code


def _sku(cmd: CommandInput, db: Session, usage: str) -> cost_model.Sku:
    code = _code(cmd, usage)
    found = cost_model.get_sku(db=db, workspace_id=cmd.actor.workspace_id, code=code)
    if found is None:
        raise UsageError("cost.unknown_sku", usage, sku=code)
    return found


def _optional_market(cmd: CommandInput, usage: str) -> str | None:
    if "market" not in cmd.args.options:
        return None
    return _field(lambda: fields.markets("market", cmd.args.options["market"], limit=1)[0], usage)


def _field(compute: Callable[[], T], usage: str) -> T:
    try:
        return compute()
    except FieldError as err:
        raise UsageError("field.invalid", usage, field=err.field, reason=err.text) from err


HELP_LINES = (
    "cost.add.usage",
    "cost.lane.usage",
    "cost.show.usage",
    "cost.price.usage",
    "cost.whatif.usage",
    "cost.list.usage",
    "cost.remove.usage",
    "cost.vat.usage",
    "cost.fees.usage",
    "cost.help.freight",
    "cost.help.vat",
    "cost.help.basis",
    "cost.help.fx",
)

COMMANDS = (
    CommandSpec("cost", root, "cost.usage", keys=SHOW_KEYS),
    CommandSpec("cost add", add, "cost.add.usage", "cost.add.summary", keys=SKU_KEYS),
    CommandSpec("cost lane", lane, "cost.lane.usage", "cost.lane.summary", keys=LANE_KEYS),
    CommandSpec("cost show", show, "cost.show.usage", "cost.show.summary", keys=SHOW_KEYS),
    CommandSpec("cost price", price, "cost.price.usage", "cost.price.summary", keys=PRICE_KEYS),
    CommandSpec(
        "cost what-if",
        what_if_,
        "cost.whatif.usage",
        "cost.whatif.summary",
        keys=WHAT_IF_KEYS,
        aliases=("cost whatif",),
    ),
    CommandSpec("cost list", list_, "cost.list.usage", "cost.list.summary", aliases=("cost ls",)),
    CommandSpec("cost remove", remove, "cost.remove.usage", "cost.remove.summary", keys=SHOW_KEYS),
    CommandSpec("cost help", help_, "cost.usage"),
)
ACTIONS = (ActionSpec(view_of.PAGE_ACTION, on_page),)
JOBS = ()
