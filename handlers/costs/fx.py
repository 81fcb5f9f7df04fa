"""/pm fx: the team's own exchange rates (each with the date it is for) and the home currency."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from sqlmodel import Session

from handlers.core import fields
from handlers.core import money as parse
from handlers.core.args import normalise_word
from handlers.core.command import CommandInput, CommandSpec
from handlers.core.reply import FieldError, Reply, Text, UsageError
from handlers.core.roles import Guarded, is_admin, require_editor
from handlers.costs.cards import fx_card
from handlers.risks import indicators
from models.costs import fx as fx_model
from models.costs import queries as cost_queries
from models.risks import indicator as ind_model
from models.risks import queries as risk_queries

USAGE = "fx.usage"
HOME_WORDS = frozenset({"home", "本币", "记账本币", "报表币种"})
LIST_WORDS = frozenset({"list", "ls", "列表"})
PAIR = re.compile(r"([a-z]{3})[/\-]?([a-z]{3})")
MONTH = re.compile(r"(\d{4})[-/.](\d{1,2})")
MAX_RATE = Decimal(1_000_000)


def fx(cmd: CommandInput, db: Session) -> Reply:
    words = [normalise_word(w) for w in cmd.args.words]
    if not words or (len(words) == 1 and words[0] in LIST_WORDS):
        if "date" in cmd.args.options:
            raise UsageError("fx.date_without_rate", USAGE)
        return _rates(cmd, db)
    if words[0] in HOME_WORDS:
        return _home(cmd, db, cmd.args.words[1:])
    base, quote, value = _pair_and_rate(words, cmd.args.words)
    require_editor(db, cmd.actor, Guarded.FX, "fx.not_allowed")
    today = _team_today(db, cmd)
    as_of = _as_of(cmd.args.options.get("date"), today)
    previous = fx_model.rate_book(db=db, workspace_id=cmd.actor.workspace_id).direct.get((base, quote))
    # The same rate `/pm figure fx.USDCNY` sets: one storage, and the risks watching it are told.
    pushed = indicators.push(
        db,
        cmd.actor.workspace_id,
        {ind_model.fx_figure_name(base, quote): value},
        source="command",
        actor_id=cmd.actor.member_id,
        on=as_of,
    )
    notice = Text(
        "fx.set",
        {"pair": f"{base}{quote}", "rate": f"{value.normalize():f}", "date": as_of.isoformat()},
    )
    if previous is not None:
        notice = Text(
            "fx.replaced",
            {**notice.params, "old": f"{previous.value.normalize():f}", "old_date": previous.as_of.isoformat()},
        )
    reply = _rates(cmd, db, notice=notice)
    reply.effects.extend(d.effect for d in pushed.deliveries)
    return reply


def _team_today(db: Session, cmd: CommandInput) -> date:
    """The team's date, whoever types: a rate is the workspace's, and `/pm figure` and the figures API
    date theirs by the workspace's time zone too, so that the same day is one rate whatever the door."""
    return fields.local_today(risk_queries.workspace_tz(db=db, workspace_id=cmd.actor.workspace_id))


def _rates(cmd: CommandInput, db: Session, *, notice: Text | None = None) -> Reply:
    today = _team_today(db, cmd)
    found = cost_queries.fx_rates(db=db, workspace_id=cmd.actor.workspace_id)
    return Reply("fx_rates", card=fx_card(found, today, notice=notice))


def _home(cmd: CommandInput, db: Session, words: list[str]) -> Reply:
    if len(words) != 1:
        raise UsageError("fx.home_need_currency", USAGE)
    try:
        currency = parse.currency("home", words[0])
    except FieldError as err:
        raise UsageError(err.text.key, USAGE, **err.text.params) from err
    if not is_admin(cmd.actor):
        raise UsageError("pm.admin_only", None)
    old = fx_model.set_home_currency(
        db=db, workspace_id=cmd.actor.workspace_id, actor_id=cmd.actor.member_id, currency=currency
    )
    return _rates(cmd, db, notice=Text("fx.home_set", {"currency": currency, "old": old}))


def _pair_and_rate(words: list[str], typed: list[str]) -> tuple[str, str, Decimal]:
    if len(words) == 3:
        pair_text, rate_text = words[0] + words[1], typed[2]
    elif len(words) == 2:
        pair_text, rate_text = words[0], typed[1]
    else:
        raise UsageError("fx.need_pair_and_rate", USAGE)
    match = PAIR.fullmatch(pair_text)
    if match is None:
        raise UsageError("fx.bad_pair", USAGE, value=" ".join(typed[:-1]))
    codes = []
    for code in match.groups():
        try:
            codes.append(parse.currency("pair", code))
        except FieldError as err:
            raise UsageError("money.bad_currency", USAGE, value=code.upper()) from err
    if codes[0] == codes[1]:
        raise UsageError("fx.same_currency", USAGE, currency=codes[0])
    try:
        value = parse.amount("rate", rate_text, positive=True)
    except FieldError as err:
        raise UsageError(err.text.key, USAGE, **err.text.params) from err
    if value >= MAX_RATE:
        raise UsageError("money.too_big", USAGE, value=rate_text)
    return codes[0], codes[1], value


def _as_of(value: str | None, today: date) -> date:
    if value is None:
        return today
    if match := MONTH.fullmatch(normalise_word(value)):
        try:
            return date(int(match.group(1)), int(match.group(2)), 1)
        except ValueError as err:
            raise UsageError("field.bad_date", USAGE, value=value) from err
    try:
        return fields.due_date("date", value, today=today)
    except FieldError as err:
        raise UsageError(err.text.key, USAGE, **err.text.params) from err


COMMANDS = (CommandSpec("pm fx", fx, USAGE, "fx.summary", keys=frozenset({"date"})),)
ACTIONS = ()
JOBS = ()
