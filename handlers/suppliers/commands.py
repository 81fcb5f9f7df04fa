"""/supplier: supplier facts, weighted scorecards, side-by-side comparison and links to work."""

from __future__ import annotations

from sqlmodel import Session

from handlers.core.args import normalise_word
from handlers.core.command import ActionInput, ActionSpec, CommandInput, CommandSpec
from handlers.core.reply import InvalidFields, Reply, Text, UsageError
from handlers.core.roles import can_decide
from handlers.core.views import help_reply
from handlers.requirements.input import find as find_requirement
from handlers.suppliers import cards as view_of
from handlers.suppliers import input as read
from models.costs import cost as cost_model
from models.suppliers import link as link_model
from models.suppliers import supplier as supplier_model
from models.suppliers.link import Role
from models.suppliers.supplier import CRITERIA, Supplier

LINK_KEYS = frozenset({"req", "sku", "role"})
ROLE_WORDS = {"main": Role.MAIN, "primary": Role.MAIN, "主": Role.MAIN, "主供": Role.MAIN}
ROLE_WORDS |= {"backup": Role.BACKUP, "备用": Role.BACKUP, "备选": Role.BACKUP, "backup_supplier": Role.BACKUP}
COMPARE_MAX = 10


def root(cmd: CommandInput, db: Session) -> Reply:
    if not cmd.args.words and not cmd.args.options:
        return help_(cmd, db)
    raise UsageError("args.unknown_subcommand", "supplier.usage", command="/supplier", value=cmd.args.words[0])


def add(cmd: CommandInput, db: Session) -> Reply:
    name = _name(cmd, "supplier.add.usage")
    ws = cmd.actor.workspace_id
    if supplier_model.get(db=db, workspace_id=ws, name=name) is not None:
        raise UsageError("supplier.exists", "supplier.edit.usage", name=name)
    values = _facts(cmd, "supplier.add.usage")
    supplier, _ = supplier_model.save(
        db=db, workspace_id=ws, actor_id=cmd.actor.member_id, name=name, values=values, create=True
    )
    return view_of.card_reply(db, supplier, notice=Text("supplier.added", {"name": supplier.name, "key": supplier.key}))


def edit(cmd: CommandInput, db: Session) -> Reply:
    usage = "supplier.edit.usage"
    supplier = _one(cmd, db, usage)
    if not cmd.args.options:
        raise UsageError("supplier.edit.nothing", usage)
    values = _facts(cmd, usage)
    _, changes = supplier_model.save(
        db=db,
        workspace_id=cmd.actor.workspace_id,
        actor_id=cmd.actor.member_id,
        name=supplier.name,
        values=values,
        create=False,
    )
    notice = (
        Text("supplier.edited", {"name": supplier.name, "fields": ", ".join(changes)})
        if changes
        else Text("supplier.unchanged", {"name": supplier.name})
    )
    return view_of.card_reply(db, supplier, notice=notice)


def score(cmd: CommandInput, db: Session) -> Reply:
    usage = "supplier.score.usage"
    supplier = _one(cmd, db, usage)
    try:
        given, note = read.scores(cmd.args.options)
    except InvalidFields as err:
        raise err.usage_error(usage) from err
    if not given:
        raise UsageError("supplier.score.nothing", usage)
    assert supplier.id is not None
    if supplier.id not in supplier_model.latest_scores(db=db, supplier_ids=[supplier.id]):
        missing = [c for c in CRITERIA if c not in given]
        if missing:
            raise UsageError("supplier.score.first_needs_all", usage, missing=", ".join(missing))
    supplier_model.add_score(db=db, supplier=supplier, actor_id=cmd.actor.member_id, scores=given, note=note)
    return view_of.card_reply(db, supplier, notice=Text("supplier.scored", {"name": supplier.name}))


def weights(cmd: CommandInput, db: Session) -> Reply:
    usage = "supplier.weights.usage"
    ws = cmd.actor.workspace_id
    if cmd.args.words:
        raise UsageError("args.unexpected_word", usage, value=cmd.args.words[0])
    if not cmd.args.options:
        return view_of.weights_reply(supplier_model.weights(db=db, workspace_id=ws))
    if not can_decide(cmd.actor):
        raise UsageError("supplier.weights.not_allowed", usage)
    try:
        new = read.weights(cmd.args.options)
    except InvalidFields as err:
        raise err.usage_error(usage) from err
    total = sum(new.values())
    if total != 1:
        raise UsageError("supplier.weights.sum", usage, total=f"{total.normalize():f}")
    supplier_model.set_weights(db=db, workspace_id=ws, actor_id=cmd.actor.member_id, new=new)
    return view_of.weights_reply(new, notice=Text("supplier.weights.set"))


def compare(cmd: CommandInput, db: Session) -> Reply:
    usage = "supplier.compare.usage"
    ws = cmd.actor.workspace_id
    if cmd.args.words:
        chosen = list({s.id: s for s in (_lookup(db, ws, w, usage) for w in cmd.args.words)}.values())
    else:
        chosen = supplier_model.all_of(db=db, workspace_id=ws)
    if len(chosen) < 2:
        raise UsageError("supplier.compare.need_two", usage)
    if len(chosen) > COMPARE_MAX:
        raise UsageError("supplier.compare.too_many", usage, max=COMPARE_MAX)
    return view_of.compare_reply(db, ws, chosen)


def show(cmd: CommandInput, db: Session) -> Reply:
    return view_of.card_reply(db, _one(cmd, db, "supplier.show.usage"))


def list_(cmd: CommandInput, db: Session) -> Reply:
    return view_of.list_reply(db, cmd.actor.workspace_id, 1)


def on_page(action: ActionInput, db: Session) -> Reply:
    page = action.payload.get("p")
    page = page if isinstance(page, int) and page > 0 else 1
    return view_of.list_reply(db, action.actor.workspace_id, page, replace_original=True)


def link(cmd: CommandInput, db: Session) -> Reply:
    usage = "supplier.link.usage"
    supplier = _one(cmd, db, usage)
    requirement_id, sku_id, target = _target(cmd, db, usage)
    role = ROLE_WORDS.get(normalise_word(cmd.args.options.get("role", "main")))
    if role is None:
        raise UsageError("supplier.link.bad_role", usage, value=cmd.args.options["role"])
    changed = link_model.link(
        db=db, supplier=supplier, actor_id=cmd.actor.member_id, requirement_id=requirement_id, sku_id=sku_id, role=role
    )
    key = "supplier.linked" if changed else "supplier.already_linked"
    notice = Text(key, {"name": supplier.name, "target": target, "role": Text(f"supplier.role.{role.value}")})
    return view_of.card_reply(db, supplier, notice=notice)


def unlink(cmd: CommandInput, db: Session) -> Reply:
    usage = "supplier.unlink.usage"
    supplier = _one(cmd, db, usage)
    requirement_id, sku_id, target = _target(cmd, db, usage)
    if not link_model.unlink(
        db=db, supplier=supplier, actor_id=cmd.actor.member_id, requirement_id=requirement_id, sku_id=sku_id
    ):
        raise UsageError("supplier.not_linked", usage, name=supplier.name, target=target)
    return view_of.card_reply(db, supplier, notice=Text("supplier.unlinked", {"name": supplier.name, "target": target}))


def help_(cmd: CommandInput, db: Session) -> Reply:
    return help_reply(Text("supplier.help.title"), [Text(k) for k in HELP_LINES])


def _name(cmd: CommandInput, usage: str) -> str:
    name = " ".join(cmd.args.text().split())
    if not name:
        raise UsageError("supplier.need_name", usage)
    if len(name) > supplier_model.NAME_MAX:
        raise UsageError("field.too_long", usage, length=len(name), max=supplier_model.NAME_MAX)
    return name


def _one(cmd: CommandInput, db: Session, usage: str) -> Supplier:
    return _lookup(db, cmd.actor.workspace_id, _name(cmd, usage), usage)


def _lookup(db: Session, workspace_id: int, name: str, usage: str) -> Supplier:
    found = supplier_model.find(db=db, workspace_id=workspace_id, name=name)
    if not found:
        raise UsageError("supplier.not_found", usage, name=name)
    if len(found) > 1:
        raise UsageError("supplier.ambiguous", usage, name=name, matches=", ".join(s.name for s in found[:8]))
    return found[0]


def _facts(cmd: CommandInput, usage: str) -> dict[str, object]:
    try:
        return read.facts(cmd.args.options)
    except InvalidFields as err:
        raise err.usage_error(usage) from err


def _target(cmd: CommandInput, db: Session, usage: str) -> tuple[int | None, int | None, str]:
    options = cmd.args.options
    if ("req" in options) == ("sku" in options):
        raise UsageError("supplier.link.need_target", usage)
    if "req" in options:
        found = find_requirement(db, cmd.actor, options["req"], usage)
        return found.item.id, None, found.item.key
    sku = cost_model.get_sku(db=db, workspace_id=cmd.actor.workspace_id, code=options["sku"])
    if sku is None:
        raise UsageError("cost.unknown_sku", usage, sku=options["sku"])
    return None, sku.id, sku.code


HELP_LINES = (
    "supplier.add.usage",
    "supplier.edit.usage",
    "supplier.score.usage",
    "supplier.weights.usage",
    "supplier.compare.usage",
    "supplier.show.usage",
    "supplier.list.usage",
    "supplier.link.usage",
    "supplier.unlink.usage",
    "supplier.help.scale",
)

COMMANDS = (
    CommandSpec("supplier", root, "supplier.usage"),
    CommandSpec("supplier add", add, "supplier.add.usage", "supplier.add.summary", keys=read.FACT_KEYS),
    CommandSpec("supplier edit", edit, "supplier.edit.usage", "supplier.edit.summary", keys=read.FACT_KEYS),
    CommandSpec("supplier score", score, "supplier.score.usage", "supplier.score.summary", keys=read.SCORE_KEYS),
    CommandSpec(
        "supplier weights", weights, "supplier.weights.usage", "supplier.weights.summary", keys=frozenset(CRITERIA)
    ),
    CommandSpec("supplier compare", compare, "supplier.compare.usage", "supplier.compare.summary"),
    CommandSpec("supplier show", show, "supplier.show.usage", "supplier.show.summary"),
    CommandSpec("supplier list", list_, "supplier.list.usage", "supplier.list.summary", aliases=("supplier ls",)),
    CommandSpec("supplier link", link, "supplier.link.usage", "supplier.link.summary", keys=LINK_KEYS),
    CommandSpec(
        "supplier unlink", unlink, "supplier.unlink.usage", "supplier.unlink.summary", keys=frozenset({"req", "sku"})
    ),
    CommandSpec("supplier help", help_, "supplier.usage"),
)
ACTIONS = (ActionSpec(view_of.PAGE_ACTION, on_page),)
JOBS = ()
