"""/market: market profiles, each market's launch checklist, and launch checks of requirements.

Approving a launch is refused while a required checklist item is open. Other features that approve
launches call `launch_refusal` (or models.markets.launch_check.open_required_items) before approving.
"""

from __future__ import annotations

from sqlmodel import Session

from handlers.core import fields
from handlers.core.args import normalise_word, split_list
from handlers.core.command import ActionInput, ActionSpec, CommandInput, CommandSpec
from handlers.core.money import currency as parse_currency
from handlers.core.reply import FieldError, Reply, Text, UsageError
from handlers.core.roles import can_decide
from handlers.core.views import help_reply
from handlers.markets import cards as view_of
from handlers.requirements.input import find as find_requirement
from models.markets import launch_check as launch_model
from models.markets import profile as profile_model
from models.markets import queries as market_queries
from models.markets.defaults import PROFILE_FIELDS
from models.markets.profile import LABEL_MAX, TEXT_MAX
from models.requirements import requirement as req_model

EDIT_KEYS = frozenset({"currency", "platforms", *PROFILE_FIELDS})
OPTIONAL_WORDS = frozenset({"optional", "可选", "选填"})
MAX_ITEMS = 20
MAX_PLATFORMS = 12


def root(cmd: CommandInput, db: Session) -> Reply:
    if not cmd.args.words and not cmd.args.options:
        return help_(cmd, db)
    raise UsageError("args.unknown_subcommand", "market.usage", command="/market", value=cmd.args.words[0])


def add(cmd: CommandInput, db: Session) -> Reply:
    market = _market_word(cmd, "market.add.usage")
    profile, created = profile_model.ensure_profile(
        db=db, workspace_id=cmd.actor.workspace_id, actor_id=cmd.actor.member_id, market=market
    )
    notice = Text("market.added" if created else "market.exists", {"market": market})
    return _card(db, profile.workspace_id, market, notice=notice)


def show(cmd: CommandInput, db: Session) -> Reply:
    return _card(db, cmd.actor.workspace_id, _market_word(cmd, "market.show.usage"))


def list_(cmd: CommandInput, db: Session) -> Reply:
    return view_of.list_reply(db, cmd.actor.workspace_id)


def edit(cmd: CommandInput, db: Session) -> Reply:
    usage = "market.edit.usage"
    market = _market_word(cmd, usage)
    if not cmd.args.options:
        raise UsageError("market.edit.nothing", usage)
    values = {}
    for key, raw in cmd.args.options.items():
        values[key] = _profile_value(key, raw, usage)
    profile, _ = profile_model.ensure_profile(
        db=db, workspace_id=cmd.actor.workspace_id, actor_id=cmd.actor.member_id, market=market
    )
    changes = profile_model.update_profile(db=db, profile=profile, actor_id=cmd.actor.member_id, values=values)
    notice = (
        Text("market.edited", {"market": market, "fields": ", ".join(changes)})
        if changes
        else Text("market.unchanged", {"market": market})
    )
    return _card(db, profile.workspace_id, market, notice=notice)


def item_add(cmd: CommandInput, db: Session) -> Reply:
    usage = "market.item.usage"
    words = cmd.args.words
    if len(words) < 2:
        raise UsageError("market.item.need_label", usage)
    market = _market(words[0], usage)
    optional = normalise_word(words[-1]) in OPTIONAL_WORDS and len(words) > 2
    label = " ".join(words[1:-1] if optional else words[1:])
    try:
        label = fields.text("label", label, max_length=LABEL_MAX, required=True) or ""
    except FieldError as err:
        raise UsageError("field.invalid", usage, field=err.field, reason=err.text) from err
    profile, _ = profile_model.ensure_profile(
        db=db, workspace_id=cmd.actor.workspace_id, actor_id=cmd.actor.member_id, market=market
    )
    if len(profile_model.checklist(db=db, workspace_id=profile.workspace_id, market=market)) >= MAX_ITEMS:
        raise UsageError("market.item.too_many", usage, max=MAX_ITEMS)
    profile_model.add_item(db=db, profile=profile, actor_id=cmd.actor.member_id, label=label, required=not optional)
    return _card(db, profile.workspace_id, market, notice=Text("market.item.added", {"market": market}))


def item_drop(cmd: CommandInput, db: Session) -> Reply:
    usage = "market.item.drop_usage"
    words = cmd.args.words
    if len(words) != 2 or not normalise_word(words[1]).isdigit():
        raise UsageError("market.item.need_number", usage)
    market = _market(words[0], usage)
    profile = profile_model.get_profile(db=db, workspace_id=cmd.actor.workspace_id, market=market)
    items = profile_model.checklist(db=db, workspace_id=cmd.actor.workspace_id, market=market)
    number = int(normalise_word(words[1]))
    if profile is None or not 1 <= number <= len(items):
        raise UsageError("market.item.no_such", usage, market=market, number=number)
    profile_model.drop_item(db=db, profile=profile, actor_id=cmd.actor.member_id, key=items[number - 1].key)
    return _card(db, profile.workspace_id, market, notice=Text("market.item.dropped", {"market": market, "n": number}))


def check(cmd: CommandInput, db: Session) -> Reply:
    found, market = _requirement_and_market(cmd, db, "market.check.usage")
    profile_model.ensure_profile(
        db=db, workspace_id=cmd.actor.workspace_id, actor_id=cmd.actor.member_id, market=market
    )
    return _checklist(db, found, market)


def launch(cmd: CommandInput, db: Session) -> Reply:
    usage = "market.launch.usage"
    found, market = _requirement_and_market(cmd, db, usage)
    refused = _approve(db, found, market, cmd.actor.member_id, can_decide(cmd.actor))
    if refused is not None:
        raise UsageError(refused.key, usage, **refused.params)
    return _launched(db, found, market)


def on_tick(action: ActionInput, db: Session) -> Reply:
    found, market = _from_payload(action, db)
    if found is None or market is None:
        return Reply.message("market.check.gone")
    assert found.item.id is not None
    key, done = str(action.payload.get("k")), bool(action.payload.get("d"))
    items = {i.key for i in profile_model.checklist(db=db, workspace_id=found.item.workspace_id, market=market)}
    if key not in items:
        return _checklist(db, found, market, notice=Text("market.check.item_gone"), replace_original=True)
    changed = launch_model.tick(
        db=db,
        workspace_id=found.item.workspace_id,
        requirement_id=found.item.id,
        market=market,
        key=key,
        actor_id=action.actor.member_id,
        done=done,
    )
    notice = None if changed else Text("market.check.stale")
    return _checklist(db, found, market, notice=notice, replace_original=True)


def on_launch(action: ActionInput, db: Session) -> Reply:
    found, market = _from_payload(action, db)
    if found is None or market is None:
        return Reply.message("market.check.gone")
    refused = _approve(db, found, market, action.actor.member_id, can_decide(action.actor))
    if refused is not None:
        return _checklist(db, found, market, notice=refused, replace_original=True)
    return _launched(db, found, market, replace_original=True)


def launch_refusal(db: Session, requirement_id: int, market: str) -> Text | None:
    """Why a launch of this requirement in this market cannot be approved yet (the open required items,
    by name), or None when nothing blocks it."""
    blockers = market_queries.launch_blockers(db=db, requirement_id=requirement_id, market=market)
    if blockers is None:
        return None
    items = view_of.open_items_text(blockers.items, market)
    return Text("market.launch.blocked", {"key": blockers.key, "market": market, "items": items})


def help_(cmd: CommandInput, db: Session) -> Reply:
    return help_reply(Text("market.help.title"), [Text(k) for k in HELP_LINES])


def _approve(db: Session, found: req_model.RequirementView, market: str, actor_id: int, allowed: bool) -> Text | None:
    assert found.item.id is not None
    if not allowed:
        return Text("market.launch.not_allowed")
    if launch_model.launch_of(db=db, requirement_id=found.item.id, market=market) is not None:
        return Text("market.launch.already", {"key": found.item.key, "market": market})
    refusal = launch_refusal(db, found.item.id, market)
    if refusal is not None:
        return refusal
    launch_model.approve_launch(
        db=db, workspace_id=found.item.workspace_id, requirement_id=found.item.id, market=market, actor_id=actor_id
    )
    return None


def _launched(db: Session, found: req_model.RequirementView, market: str, *, replace_original: bool = False) -> Reply:
    notice = Text("market.launch.approved", {"key": found.item.key, "market": market})
    return _checklist(db, found, market, notice=notice, replace_original=replace_original)


def _checklist(
    db: Session,
    found: req_model.RequirementView,
    market: str,
    *,
    notice: Text | None = None,
    replace_original: bool = False,
) -> Reply:
    assert found.item.id is not None
    return view_of.checklist(
        db,
        workspace_id=found.item.workspace_id,
        requirement_id=found.item.id,
        requirement_key=found.item.key,
        title=found.item.title,
        market=market,
        notice=notice,
        replace_original=replace_original,
    )


def _card(db: Session, workspace_id: int, market: str, *, notice: Text | None = None) -> Reply:
    return view_of.profile_reply(db, workspace_id, market, notice=notice)


def _market(word: str, usage: str) -> str:
    try:
        return fields.markets("market", word, limit=1)[0]
    except FieldError as err:
        raise UsageError(err.text.key, usage, **err.text.params) from err


def _market_word(cmd: CommandInput, usage: str) -> str:
    if len(cmd.args.words) != 1:
        raise UsageError("market.need_market", usage)
    return _market(cmd.args.words[0], usage)


def _profile_value(key: str, raw: str, usage: str) -> object:
    try:
        if fields.is_clear(raw):
            return None
        if key == "currency":
            return parse_currency("currency", raw)
        if key == "platforms":
            platforms = [fields.platform("platforms", p, max_length=40) for p in split_list(raw)]
            if len(platforms) > MAX_PLATFORMS:
                raise FieldError("platforms", "field.too_many", max=MAX_PLATFORMS)
            return [p for p in platforms if p]
        return fields.text(key, raw, max_length=TEXT_MAX)
    except FieldError as err:
        raise UsageError("field.invalid", usage, field=err.field, reason=err.text) from err


def _requirement_and_market(cmd: CommandInput, db: Session, usage: str) -> tuple[req_model.RequirementView, str]:
    words = cmd.args.words
    if not 1 <= len(words) <= 2:
        raise UsageError("market.check.need_both", usage)
    found = find_requirement(db, cmd.actor, words[0], usage)
    if len(words) == 2:
        market = _market(words[1], usage)
    elif len(found.markets) == 1:
        market = found.markets[0]
    else:
        raise UsageError("market.check.which_market", usage, key=found.item.key, markets=list(found.markets) or "—")
    if market not in found.markets:
        raise UsageError("market.check.not_tagged", usage, key=found.item.key, market=market)
    return found, market


def _from_payload(action: ActionInput, db: Session) -> tuple[req_model.RequirementView | None, str | None]:
    requirement_id = action.payload.get("r")
    market = action.payload.get("m")
    if not isinstance(requirement_id, int) or not isinstance(market, str):
        return None, None
    found = req_model.get_by_id(db=db, workspace_id=action.actor.workspace_id, requirement_id=requirement_id)
    if found is None or market not in found.markets:
        return None, None
    return found, market


HELP_LINES = (
    "market.add.usage",
    "market.show.usage",
    "market.edit.usage",
    "market.list.usage",
    "market.item.usage",
    "market.item.drop_usage",
    "market.check.usage",
    "market.launch.usage",
    "market.help.gate",
)

COMMANDS = (
    CommandSpec("market", root, "market.usage"),
    CommandSpec("market add", add, "market.add.usage", "market.add.summary"),
    CommandSpec("market show", show, "market.show.usage", "market.show.summary"),
    CommandSpec("market list", list_, "market.list.usage", "market.list.summary", aliases=("market ls",)),
    CommandSpec("market edit", edit, "market.edit.usage", "market.edit.summary", keys=EDIT_KEYS),
    CommandSpec("market item add", item_add, "market.item.usage", "market.item.summary"),
    CommandSpec("market item drop", item_drop, "market.item.drop_usage", None, aliases=("market item remove",)),
    CommandSpec("market check", check, "market.check.usage", "market.check.summary"),
    CommandSpec("market launch", launch, "market.launch.usage", "market.launch.summary"),
    CommandSpec("market help", help_, "market.usage"),
)
ACTIONS = (
    ActionSpec(view_of.TICK_ACTION, on_tick),
    ActionSpec(view_of.LAUNCH_ACTION, on_launch),
)
JOBS = ()
