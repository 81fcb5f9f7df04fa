"""/req: log, list, show, edit and move requirements along their lifecycle."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from handlers.approvals import commands as approvals
from handlers.core import fields
from handlers.core.args import normalise_word
from handlers.core.command import ActionInput, ActionSpec, Actor, CommandInput, CommandSpec
from handlers.core.reply import (
    Choice,
    Effect,
    FieldError,
    Form,
    FormField,
    InvalidFields,
    OpenForm,
    PostToChannel,
    Reply,
    Text,
    UsageError,
    Visibility,
)
from handlers.core.roles import can_decide
from handlers.core.views import help_reply
from handlers.requirements import cards as view_of
from handlers.requirements.audit import field_labels
from handlers.requirements.capture import captured_fields, source_link
from handlers.requirements.input import (
    MAX_COMMAND_TEXT,
    OPTION_KEYS,
    find,
    requirement_values,
    source_from_word,
    source_text,
    status_from_word,
    status_text,
)
from models.market_codes import COMMON_MARKETS, KNOWN_PLATFORMS
from models.requirements import requirement as req_model
from models.requirements.requirement import IllegalTransition, ListFilter, Source, Status
from models.scoring import score as score_model
from models.workspace import ensure_member, member_by_ref

FORM_ACTION = "req.form"
LIST_KEYS = frozenset({"status", "market", "platform", "owner", "source", "page"})
CAPTURE_ACTION = "req.capture"
CAPTURE_KEYS = frozenset({"from", "source"})
SEARCH_WORDS_MAX = 5
SEARCH_WORD_CHARS = 100
OVERDUE_WORDS = frozenset({"overdue", "late", "逾期", "已逾期"})
DUE_BOUND = re.compile(r"(?:due|截止)\s*(<=|>=|<|>)\s*(.+)")


def root(cmd: CommandInput, db: Session) -> Reply:
    """`/req` alone opens the form; `/req REQ-12` shows one; anything else is an unknown subcommand."""
    if not cmd.args.words and not cmd.args.options:
        return Reply("silent", effects=[OpenForm(new_requirement_form(cmd.actor.lang))])
    if len(cmd.args.words) == 1 and not cmd.args.options:
        try:
            return show(cmd, db)
        except UsageError as err:
            if err.text.key != "req.bad_key":
                raise
    raise UsageError(
        "args.unknown_subcommand",
        "req.usage",
        command="/req",
        value=cmd.args.words[0] if cmd.args.words else "",
    )


def add(cmd: CommandInput, db: Session) -> Reply:
    title = cmd.args.text()
    if not title and "title" not in cmd.args.options:
        raise UsageError("req.add.no_title", "req.add.usage")
    if title and "title" in cmd.args.options:
        raise UsageError("args.duplicate_key", "req.add.usage", name="title")
    raw: dict[str, Any] = {"title": title, **cmd.args.options} if title else dict(cmd.args.options)
    if sum(len(str(v)) for v in raw.values()) > MAX_COMMAND_TEXT:
        raise UsageError("field.command_too_long", "req.add.usage", max=MAX_COMMAND_TEXT)
    values = _values(cmd, db, raw, usage="req.add.usage", for_edit=False)
    created = req_model.create(
        db=db,
        workspace_id=cmd.actor.workspace_id,
        requester_id=cmd.actor.member_id,
        values=_with_channel(values, cmd),
    )
    notice = _with_due_note(Text("req.added", {"key": created.item.key}), cmd, values)
    return view_of.card(db, created, notice=notice, visibility=Visibility.CHANNEL, history=False)


def list_(cmd: CommandInput, db: Session) -> Reply:
    """`/req list [mine] [overdue] [due<2026-12-31] [due>12月1日] key=value ...`."""
    usage = "req.list.usage"
    filters: dict[str, Any] = {}
    today = fields.local_today(cmd.actor.tz)
    for word in cmd.args.words:
        folded = normalise_word(word)
        if folded in ("mine", "我的"):
            filters["mine"] = True
        elif folded in OVERDUE_WORDS:
            filters["overdue"] = True
        elif m := DUE_BOUND.fullmatch(folded):
            bound = _field(lambda m=m: fields.due_date("due", m.group(2), today=today), usage)
            if m.group(1) == "<=":
                filters["due_lt"] = (bound + timedelta(days=1)).isoformat()
            elif m.group(1) == "<":
                filters["due_lt"] = bound.isoformat()
            elif m.group(1) == ">=":
                filters["due_gt"] = (bound - timedelta(days=1)).isoformat()
            else:
                filters["due_gt"] = bound.isoformat()
        else:
            raise UsageError("args.unexpected_word", usage, value=word)
    return _filtered_list(cmd, db, filters, usage)


def search(cmd: CommandInput, db: Session) -> Reply:
    """`/req search 退货 size chart [status=..]`: requirements whose title, description or acceptance
    criteria hold every word."""
    words = [w for w in cmd.args.words if w.strip()]
    if not words:
        raise UsageError("req.search.need_words", "req.search.usage")
    if len(words) > SEARCH_WORDS_MAX or any(len(w) > SEARCH_WORD_CHARS for w in words):
        raise UsageError("req.search.too_many", "req.search.usage", max=SEARCH_WORDS_MAX)
    return _filtered_list(cmd, db, {"q": words}, "req.search.usage")


def _filtered_list(cmd: CommandInput, db: Session, filters: dict[str, Any], usage: str) -> Reply:
    options = cmd.args.options
    if "owner" in options:
        user_ref, _ = _field(lambda: fields.member_ref("owner", options["owner"]), usage)
        owner = member_by_ref(db=db, workspace_id=cmd.actor.workspace_id, external_id=user_ref)
        filters["owner"] = owner.id if owner is not None else 0  # nobody known by that name owns anything
    if "status" in options:
        filters["status"] = status_from_word(options["status"], usage).value
    if "source" in options:
        filters["source"] = _field(lambda: source_from_word("source", options["source"]).value, usage)
    if "market" in options:
        filters["market"] = _field(lambda: fields.markets("market", options["market"], limit=1)[0], usage)
    if "platform" in options:
        filters["platform"] = _field(
            lambda: fields.platform("platform", options["platform"], max_length=req_model.PLATFORM_MAX), usage
        )
    page = 1
    if "page" in options:
        page = _positive_int(options["page"], usage)
    actor = cmd.actor
    return _list_reply(db, actor.workspace_id, actor.member_id, filters, page, replace_original=False, tz=actor.tz)


def show(cmd: CommandInput, db: Session) -> Reply:
    if len(cmd.args.words) != 1:
        raise UsageError("req.show.need_key", "req.show.usage")
    return view_of.card(db, find(db, cmd.actor, cmd.args.words[0], "req.show.usage"))


def edit(cmd: CommandInput, db: Session) -> Reply:
    if not cmd.args.words:
        raise UsageError("req.show.need_key", "req.edit.usage")
    if len(cmd.args.words) > 1:
        raise UsageError("args.unexpected_word", "req.edit.usage", value=cmd.args.words[1])
    if not cmd.args.options:
        raise UsageError("req.edit.nothing", "req.edit.usage")
    found = find(db, cmd.actor, cmd.args.words[0], "req.edit.usage")
    values = _values(cmd, db, dict(cmd.args.options), usage="req.edit.usage", for_edit=True)
    changes = req_model.update(db=db, view=found, actor_id=cmd.actor.member_id, values=values)
    if "markets" in changes:
        score_model.markets_changed(
            db=db, workspace_id=cmd.actor.workspace_id, requirement_id=found.item.id or 0, markets=values["markets"]
        )
    refreshed = req_model.get_by_id(db=db, workspace_id=cmd.actor.workspace_id, requirement_id=found.item.id or 0)
    assert refreshed is not None
    notice = (
        _with_due_note(Text("req.edited", {"key": found.item.key, "fields": field_labels(changes)}), cmd, values)
        if changes
        else Text("req.unchanged", {"key": found.item.key})
    )
    return view_of.card(
        db, refreshed, notice=notice, visibility=Visibility.CHANNEL if changes else Visibility.EPHEMERAL
    )


def status(cmd: CommandInput, db: Session) -> Reply:
    if len(cmd.args.words) != 2:
        raise UsageError("req.status.need_both", "req.status.usage")
    found = find(db, cmd.actor, cmd.args.words[0], "req.status.usage")
    target = status_from_word(cmd.args.words[1], "req.status.usage")
    if target is Status.APPROVED and not can_decide(cmd.actor):
        raise UsageError("approval.approve_needs_approver", "req.submit.usage", key=found.item.key)
    try:
        req_model.move(db=db, item=found.item, actor_id=cmd.actor.member_id, target=target)
    except IllegalTransition as err:
        raise _illegal(found.item.key, err, "req.status.usage") from err
    notice = Text("req.moved", {"key": found.item.key, "status": status_text(target)})
    card = view_of.card(db, found, notice=notice, visibility=Visibility.CHANNEL)
    card.effects.extend(_after_move(db, cmd.actor, found))
    return card


def archive(cmd: CommandInput, db: Session) -> Reply:
    """`/req archive REQ-12`: hidden from lists, search, ranking and digests; `/req undo` brings it back."""
    found = _one_key(cmd, db, "req.archive.usage")
    assert isinstance(found.item, req_model.Requirement)
    if not req_model.set_archived(db=db, item=found.item, actor_id=cmd.actor.member_id, archived=True):
        return Reply.message("req.archive.already", key=found.item.key)
    return Reply.message("req.archive.done", key=found.item.key, title=found.item.title)


def restore(cmd: CommandInput, db: Session) -> Reply:
    found = _one_key(cmd, db, "req.restore.usage")
    assert isinstance(found.item, req_model.Requirement)
    if not req_model.set_archived(db=db, item=found.item, actor_id=cmd.actor.member_id, archived=False):
        return Reply.message("req.restore.not_archived", key=found.item.key)
    return Reply.message("req.restore.done", key=found.item.key, title=found.item.title)


def undo(cmd: CommandInput, db: Session) -> Reply:
    """`/req undo`: takes back the asker's last archiving, naming what came back."""
    if cmd.args.words or cmd.args.options:
        raise UsageError(
            "args.unexpected_word", "req.undo.usage", value=cmd.args.text() or next(iter(cmd.args.options))
        )
    item = req_model.last_archived_by(db=db, workspace_id=cmd.actor.workspace_id, actor_id=cmd.actor.member_id)
    if item is None:
        return Reply.message("req.undo.nothing")
    req_model.set_archived(db=db, item=item, actor_id=cmd.actor.member_id, archived=False)
    return Reply.message("req.undo.done", key=item.key, title=item.title)


def _one_key(cmd: CommandInput, db: Session, usage: str) -> req_model.RequirementView:
    if len(cmd.args.words) != 1 or cmd.args.options:
        raise UsageError("req.show.need_key", usage)
    return find(db, cmd.actor, cmd.args.words[0], usage)


def help_(cmd: CommandInput, db: Session) -> Reply:
    return help_reply(Text("req.help.title"), [Text(k) for k in HELP_LINES])


def on_move(action: ActionInput, db: Session) -> Reply:
    found = req_model.get_by_id(
        db=db, workspace_id=action.actor.workspace_id, requirement_id=fields.row_id(action.payload.get("id")) or 0
    )
    if found is None:
        return Reply.message("req.gone")
    try:
        target = Status(str(action.payload.get("to")))
        if action.payload.get("from") != found.item.status:
            # The card was drawn for an earlier state: someone else moved it since.
            raise IllegalTransition(Status(found.item.status), target)
        if target is Status.APPROVED and not can_decide(action.actor):
            return Reply.message("approval.approve_needs_approver", key=found.item.key)
        req_model.move(db=db, item=found.item, actor_id=action.actor.member_id, target=target)
    except (ValueError, IllegalTransition):
        notice = Text("req.move_stale", {"key": found.item.key, "status": status_text(found.item.status)})
        return view_of.card(db, found, notice=notice, replace_original=True)
    notice = Text("req.moved", {"key": found.item.key, "status": status_text(target)})
    card = view_of.card(db, found, notice=notice, replace_original=True)
    card.effects.extend(_after_move(db, action.actor, found))
    return card


def on_page(action: ActionInput, db: Session) -> Reply:
    raw_filters = action.payload.get("f")
    filters = {
        k: v
        for k, v in (raw_filters if isinstance(raw_filters, dict) else {}).items()
        if k in ("status", "market", "platform", "mine", "owner", "q", "overdue", "due_lt", "due_gt", "source")
    }
    page = action.payload.get("p")
    page = page if isinstance(page, int) and page > 0 else 1
    actor = action.actor
    return _list_reply(db, actor.workspace_id, actor.member_id, filters, page, replace_original=True, tz=actor.tz)


def on_form(action: ActionInput, db: Session) -> Reply:
    raw = {k: v for k, v in (action.form or {}).items() if k in OPTION_KEYS and v not in (None, "", [])}
    raw.setdefault("title", "")
    try:
        values = requirement_values(
            raw, db=db, actor=action.actor, today=fields.local_today(action.actor.tz), for_edit=False
        )
    except InvalidFields as err:
        return Reply("silent", form_errors=err.by_field())
    channel = action.channel_ref
    created = req_model.create(
        db=db,
        workspace_id=action.actor.workspace_id,
        requester_id=_requester(db, action),
        values={**values, "channel_ref": channel, "source_link": source_link(action.payload.get("link"))},
    )
    posted = view_of.card(
        db, created, notice=Text("req.added", {"key": created.item.key}), visibility=Visibility.CHANNEL
    )
    return Reply("silent", effects=[PostToChannel(posted, channel)])


def capture(cmd: CommandInput, db: Session) -> Reply:
    """`/req capture <text> [from=@someone] [source=customer]`: the form, filled from a message's text,
    as the Slack shortcut and the Lark message action open it."""
    text = cmd.args.text()
    if not text.strip():
        raise UsageError("req.capture.need_text", "req.capture.usage")
    author = None
    if "from" in cmd.args.options:
        author, _ = _field(lambda: fields.member_ref("from", cmd.args.options["from"]), "req.capture.usage")
    source = None
    if "source" in cmd.args.options:
        source = _field(lambda: source_from_word("source", cmd.args.options["source"]).value, "req.capture.usage")
    form = capture_form(cmd.actor.lang, text, author=author, link=None, source=source)
    return Reply("silent", effects=[OpenForm(form)])


def on_capture(action: ActionInput, db: Session) -> Reply:
    """A message shortcut (Slack) or message action (Lark): its text, author and link, as the front end read them."""
    text = action.payload.get("text")
    author = action.payload.get("author")
    link = action.payload.get("link")
    if not isinstance(text, str) or not text.strip():
        return Reply.message("req.capture.empty_message")
    form = capture_form(
        action.actor.lang,
        text,
        author=author if isinstance(author, str) and author else None,
        link=source_link(link),
        source=None,
    )
    return Reply("silent", effects=[OpenForm(form)])


def capture_form(lang: str, text: str, *, author: str | None, link: str | None, source: str | None) -> Form:
    """The requirement form with the message's first line as title, the rest as description."""
    initial = captured_fields(text, title_max=req_model.TITLE_MAX, text_max=req_model.TEXT_MAX)
    if source:
        initial["source"] = source
    metadata: dict[str, Any] = {k: v for k, v in (("requester", author), ("link", link)) if v}
    return new_requirement_form(lang, initial=initial, metadata=metadata)


def _requester(db: Session, action: ActionInput) -> int:
    """Who asked for it: the author of the message it was captured from, else whoever filled the form."""
    author = action.payload.get("requester")
    if not isinstance(author, str) or not author or len(author) > 64:
        return action.actor.member_id
    member, _ = ensure_member(db=db, workspace_id=action.actor.workspace_id, external_id=author, display_name=None)
    assert member.id is not None
    return member.id


def new_requirement_form(
    lang: str, *, initial: dict[str, Any] | None = None, metadata: dict[str, Any] | None = None
) -> Form:
    zh = lang.startswith("zh")
    markets = tuple(Choice(code, f"{code} · {zh_name if zh else en_name}") for code, en_name, zh_name in COMMON_MARKETS)
    platforms = tuple(Choice(p, p) for p in KNOWN_PLATFORMS)
    sources = tuple(Choice(s.value, source_text(s)) for s in Source)
    start = initial or {}
    return Form(
        action=FORM_ACTION,
        title=Text("req.form.title"),
        metadata=metadata or {},
        fields=(
            FormField(
                "title",
                Text("req.field.title"),
                required=True,
                max_length=req_model.TITLE_MAX,
                initial=start.get("title"),
            ),
            FormField("market", Text("req.field.market"), kind="multiselect", options=markets),
            FormField("platform", Text("req.field.platform"), kind="select", options=platforms),
            FormField("metric", Text("req.field.metric"), max_length=req_model.SHORT_MAX),
            FormField("ac", Text("req.field.ac"), kind="textarea", max_length=req_model.TEXT_MAX),
            FormField("due", Text("req.field.due"), kind="date"),
            FormField(
                "desc",
                Text("req.field.desc"),
                kind="textarea",
                max_length=req_model.TEXT_MAX,
                initial=start.get("desc"),
            ),
            FormField("source", Text("req.field.source"), kind="select", options=sources, initial=start.get("source")),
        ),
        submit=Text("common.submit"),
    )


def _list_reply(
    db: Session,
    workspace_id: int,
    member_id: int,
    filters: dict[str, Any],
    page: int,
    *,
    replace_original: bool,
    tz: str,
) -> Reply:
    where = ListFilter(
        status=filters.get("status"),
        market=filters.get("market"),
        platform=filters.get("platform"),
        member_id=member_id if filters.get("mine") else None,
        owner_id=filters["owner"] if isinstance(filters.get("owner"), int) else None,
        words=tuple(str(w) for w in filters.get("q") or ())[:SEARCH_WORDS_MAX],
        due_before=_iso_day(filters.get("due_lt")),
        due_after=_iso_day(filters.get("due_gt")),
        overdue_on=fields.local_today(tz) if filters.get("overdue") else None,
        source=filters["source"] if filters.get("source") in set(Source) else None,
    )
    offset = (page - 1) * view_of.PAGE_SIZE
    found = req_model.page(db=db, workspace_id=workspace_id, where=where, offset=offset, limit=view_of.PAGE_SIZE)
    if not found.items and found.total and page > 1 and not found.capped:
        last = -(-found.total // view_of.PAGE_SIZE)
        return _list_reply(db, workspace_id, member_id, filters, last, replace_original=replace_original, tz=tz)
    today = fields.local_today(tz)
    return view_of.list_page(found, page=page, filters=filters, today=today, replace_original=replace_original)


def _iso_day(value: Any) -> date | None:
    """A day a page button carries (drawn by the bot, but read as anything a client could send)."""
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _values(cmd: CommandInput, db: Session, raw: dict[str, Any], *, usage: str, for_edit: bool) -> dict[str, Any]:
    today = fields.local_today(cmd.actor.tz)
    try:
        return requirement_values(raw, db=db, actor=cmd.actor, today=today, for_edit=for_edit)
    except InvalidFields as err:
        raise err.usage_error(usage) from err


def _with_due_note(notice: Text, cmd: CommandInput, values: dict[str, Any]) -> Text:
    """The notice, and a word on the due date typed when it is past or was read as next year's."""
    note = fields.due_note(cmd.args.options.get("due"), values.get("due"), today=fields.local_today(cmd.actor.tz))
    return Text("common.two_sentences", {"first": notice, "second": note}) if note else notice


def _field(compute: Any, usage: str) -> Any:
    try:
        return compute()
    except FieldError as err:
        raise UsageError("field.invalid", usage, field=err.field, reason=err.text) from err


def _positive_int(value: str, usage: str) -> int:
    folded = normalise_word(value)
    if not folded.isdigit() or int(folded) < 1:
        raise UsageError("field.bad_number", usage, value=value)
    return int(folded)


def _illegal(key: str, err: IllegalTransition, usage: str) -> UsageError:
    if not err.allowed:
        return UsageError("req.status.final", usage, key=key, current=status_text(err.current))
    return UsageError(
        "req.status.illegal",
        usage,
        key=key,
        current=status_text(err.current),
        target=status_text(err.target),
        allowed=[status_text(s) for s in err.allowed],
    )


def _after_move(db: Session, actor: Actor, found: req_model.RequirementView) -> list[Effect]:
    """A pending approval of a requirement moved by hand no longer applies."""
    assert isinstance(found.item, req_model.Requirement)
    return approvals.after_move(db, actor, found.item)


def _with_channel(values: dict[str, Any], cmd: CommandInput) -> dict[str, Any]:
    return {**values, "channel_ref": cmd.channel_ref}


HELP_LINES = (
    "req.add.usage",
    "req.form.usage",
    "req.list.usage",
    "req.capture.usage",
    "req.show.usage",
    "req.edit.usage",
    "req.status.usage",
    "req.archive.usage",
    "req.undo.usage",
    "req.help.lifecycle",
    "req.help.input",
)

COMMANDS = (
    CommandSpec("req", root, "req.usage"),
    CommandSpec("req add", add, "req.add.usage", "req.add.summary", keys=OPTION_KEYS),
    CommandSpec("req list", list_, "req.list.usage", "req.list.summary", keys=LIST_KEYS, aliases=("req ls",)),
    CommandSpec("req search", search, "req.search.usage", "req.search.summary", keys=LIST_KEYS, aliases=("req find",)),
    CommandSpec("req show", show, "req.show.usage", "req.show.summary"),
    CommandSpec("req edit", edit, "req.edit.usage", "req.edit.summary", keys=OPTION_KEYS),
    CommandSpec("req status", status, "req.status.usage", "req.status.summary"),
    CommandSpec("req archive", archive, "req.archive.usage", "req.archive.summary"),
    CommandSpec("req restore", restore, "req.restore.usage", "req.restore.summary", aliases=("req unarchive",)),
    CommandSpec("req undo", undo, "req.undo.usage", "req.undo.summary"),
    CommandSpec("req capture", capture, "req.capture.usage", "req.capture.summary", keys=CAPTURE_KEYS),
    CommandSpec("req help", help_, "req.usage"),
)

ACTIONS = (
    ActionSpec(view_of.MOVE_ACTION, on_move),
    ActionSpec(view_of.PAGE_ACTION, on_page),
    ActionSpec(FORM_ACTION, on_form),
    ActionSpec(CAPTURE_ACTION, on_capture),
)
JOBS = ()
