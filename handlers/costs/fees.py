"""/cost fees: a marketplace's fee schedule as shipped (source and date), and the workspace's own
figures laid over it: `/cost fees US referral.clothing=12% fba.large_standard-16=4.60`."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session

from handlers.core import fields
from handlers.core import money as parse
from handlers.core.command import CommandInput, CommandSpec
from handlers.core.reply import FieldError, InvalidFields, Reply, Text, UsageError
from handlers.core.roles import is_admin
from handlers.costs.cards import fees_card
from models.costs import fee_override
from models.costs.fee_schedule import Schedule, schedule_for, schedules

USAGE = "cost.fees.usage"
DEFAULT_WORDS = frozenset({"default", "shipped", "默认"})
KEYS = frozenset({"referral.*", "fba.*", "storage.*"})


def fees(cmd: CommandInput, db: Session) -> Reply:
    if len(cmd.args.words) != 1:
        raise UsageError("cost.fees.need_market", USAGE, markets=", ".join(sorted(schedules())))
    try:
        market = fields.markets("market", cmd.args.words[0], limit=1)[0]
    except FieldError as err:
        raise UsageError("field.invalid", USAGE, field=err.field, reason=err.text) from err
    shipped = schedule_for(market)
    if shipped is None:
        raise UsageError("cost.fees.none", USAGE, market=market, markets=", ".join(sorted(schedules())))
    ws = cmd.actor.workspace_id
    notice = None
    if cmd.args.options:
        values = _values(cmd.args.options, shipped)
        if not is_admin(cmd.actor):
            raise UsageError("pm.admin_only", None)
        for key, value in values.items():
            fee_override.set_override(
                db=db, workspace_id=ws, actor_id=cmd.actor.member_id, market=market, key=key, value=value
            )
        notice = Text("cost.fees.changed", {"keys": ", ".join(values)})
    own = fee_override.overrides(db=db, workspace_id=ws).get(market, {})
    return Reply("cost_fees", card=fees_card(shipped, own, notice=notice))


def _values(options: dict[str, str], shipped: Schedule) -> dict[str, Decimal | None]:
    errors: list[FieldError] = []
    values: dict[str, Decimal | None] = {}
    for key, raw in options.items():
        kind = fee_override.known_key(shipped, key)
        if kind is None:
            errors.append(FieldError(key, "cost.fees.unknown_key", key=key))
            continue
        if raw.strip().lower() in DEFAULT_WORDS:
            values[key] = None
            continue
        try:
            values[key] = (
                parse.percent(key, raw, maximum=parse.HUNDRED - 1) if kind == "pct" else parse.amount(key, raw)
            )
        except FieldError as err:
            errors.append(err)
    if errors:
        raise InvalidFields(errors).usage_error(USAGE)
    return values


COMMANDS = (CommandSpec("cost fees", fees, USAGE, "cost.fees.summary", keys=KEYS),)
ACTIONS = ()
JOBS = ()
