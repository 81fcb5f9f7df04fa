"""The audit trail: how each entry reads (one line, the same in every card that shows history), and
/pm audit, a requirement's (or a person's) trail a page at a time."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import Session

from handlers.core.args import parse_mention
from handlers.core.card import Card, Header, Inline, Line, Mention, Row, Rows, When, person
from handlers.core.command import ActionInput, ActionSpec, CommandInput, CommandSpec
from handlers.core.reply import Button, Reply, Text, UsageError
from handlers.requirements.input import find
from models import audit_trail
from models.audit import AuditEntry
from models.audit_trail import Trail
from models.requirements import requirement as req_model
from models.scoring import rice as math
from models.workspace import member_by_ref

METHOD_NAMES = {"rice": "RICE", "ice": "ICE"}
PAGE_ACTION = "audit.page"
PAGE_SIZE = 20
People = dict[int, tuple[str, str | None]]


def audit_line(entry: AuditEntry, people: People) -> Line:
    """`2026-12-01 09:30 @li moved new → triaged`."""
    described = describe(entry)
    line: list[Inline] = [When(entry.at), " ", who_of(people, entry.actor_id), " "]
    text = described.get("text")
    if isinstance(text, Text):
        line.append(Text(text.key, {**text.params, "who": who_of(people, described.get("who"))}))
        if described.get("detail"):
            line += [": ", str(described["detail"])]
    elif entry.action == "status":
        old, new = (entry.changes or {})["status"][:2]
        line.append(Text("audit.status", {"from": Text(f"status.{old}"), "to": Text(f"status.{new}")}))
    elif entry.action == "edit":
        line.append(edit_line(entry.changes or {}, people))
    else:
        line.append(Text(f"audit.{entry.action}"))
    return line


# Model field → the label the card shows for it (req.field.*).
FIELD_LABELS = {"markets": "market", "acceptance": "ac", "description": "desc", "owner_id": "owner"}
SHOWN_CHARS = 40  # an edited description is shown by its start


def edit_line(changes: dict[str, Any], people: People) -> Text:
    """`changed title: draft → DE A+ page, due: 2026-12-01 → —`."""
    shown = []
    for name, values in changes.items():
        if not (isinstance(values, list) and len(values) == 2):
            return Text("audit.edit", {"fields": ", ".join(changes)})  # an entry of an older shape
        old, new = (_shown(name, v, people) for v in values)
        label = Text(f"req.field.{FIELD_LABELS.get(name, name)}")
        shown.append(Text("audit.change", {"field": label, "from": old, "to": new}))
    return Text("audit.edit_values", {"changes": shown})


def field_labels(names: Iterable[str]) -> list[Text]:
    return [Text(f"req.field.{FIELD_LABELS.get(name, name)}") for name in names]


def _shown(name: str, value: Any, people: People) -> Inline:
    if value in (None, "", []):
        return Text("common.none")
    if name == "owner_id":
        return who_of(people, value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    text = str(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def history_lines(trail: Trail) -> tuple[Line, ...]:
    return tuple(audit_line(e, trail.people) for e in trail.entries)


def who_of(people: People, member_id: Any) -> Inline:
    if not isinstance(member_id, int) or member_id not in people:
        return "—"
    ref, name = people[member_id]
    return person(Mention(ref, name))


def describe(entry: AuditEntry) -> dict[str, Any]:
    """How a scoring, approval or role entry reads: a Text, maybe a person ("who") and a quoted detail."""
    changes = entry.changes or {}
    match entry.action:
        case "score":
            return {"text": Text("audit.score_detail", {"what": _score_parts(changes)})}
        case "submit":
            mode = "all" if changes.get("mode") == "all" else "any"
            return {"text": Text(f"audit.submit_{mode}", {"count": len(changes.get("approvers") or [])})}
        case "vote":
            return {"text": Text("audit.vote")}
        case "decide":
            state = (changes.get("state") or [None, "void"])[-1]
            return {"text": Text(f"audit.decide.{state}"), "detail": changes.get("reason")}
        case "transfer":
            return {"text": Text("audit.transfer"), "who": changes.get("to")}
        case "remind":
            return {"text": Text("audit.remind", {"count": len(changes.get("to") or [])})}
        case "void":
            return {"text": Text("audit.void")}
        case "role":
            old, new = (changes.get("role") or ["member", "member"])[:2]
            return {"text": Text("audit.role", {"from": Text(f"role.{old}"), "to": Text(f"role.{new}")})}
        case "weights":
            return {"text": Text("audit.weights")}
    return {}


def _score_parts(changes: dict[str, Any]) -> list[Text]:
    parts: list[Text] = []
    for method in ("rice", "ice"):
        if method in changes:
            old, new = changes[method]
            name = METHOD_NAMES[method]
            if old is None or old == new:
                parts.append(Text("audit.score_set", {"method": name, "to": _number(new)}))
            else:
                parts.append(Text("audit.score_moved", {"method": name, "from": _number(old), "to": _number(new)}))
    if "moscow" in changes:
        new = changes["moscow"][1]
        parts.append(Text("audit.moscow_set", {"to": Text(f"moscow.{new or 'none'}")}))
    return parts


def _number(value: Any) -> str:
    try:
        return math.shown(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


def audit(cmd: CommandInput, db: Session) -> Reply:
    """`/pm audit REQ-12` (a requirement's trail) or `/pm audit @someone` (their role changes)."""
    usage = "pm.audit.usage"
    if len(cmd.args.words) != 1:
        raise UsageError("pm.audit.need_subject", usage)
    word = cmd.args.words[0]
    mention = parse_mention(word)
    if mention is not None:
        member = member_by_ref(db=db, workspace_id=cmd.actor.workspace_id, external_id=mention.user_ref)
        if member is None:
            raise UsageError("pm.audit.no_person", usage)
        subject = {"entity": "member", "id": member.id, "label": f"@{mention.name or mention.user_ref}"}
    else:
        found = find(db, cmd.actor, word, usage)
        subject = {"entity": req_model.ENTITY, "id": found.item.id, "label": f"{found.item.key} {found.item.title}"}
    return _page(db, cmd.actor.workspace_id, subject, 0, replace_original=False)


def on_page(action: ActionInput, db: Session) -> Reply:
    payload = action.payload
    subject = {
        "entity": payload.get("e") if payload.get("e") in ("member", req_model.ENTITY) else req_model.ENTITY,
        "id": payload.get("i") if isinstance(payload.get("i"), int) else 0,
        "label": str(payload.get("l") or "")[:120],
    }
    offset = payload.get("o") if isinstance(payload.get("o"), int) and payload["o"] >= 0 else 0
    return _page(db, action.actor.workspace_id, subject, offset, replace_original=True)


def _page(db: Session, workspace_id: int, subject: dict[str, Any], offset: int, *, replace_original: bool) -> Reply:
    found = audit_trail.page(
        db=db,
        workspace_id=workspace_id,
        entity=subject["entity"],
        entity_id=subject["id"],
        offset=offset,
        limit=PAGE_SIZE,
    )
    state = {"e": subject["entity"], "i": subject["id"], "l": subject["label"]}
    buttons = []
    if offset > 0:
        buttons.append(Button(Text("pm.audit.newer"), PAGE_ACTION, {**state, "o": max(0, offset - PAGE_SIZE)}))
    if found.more:
        buttons.append(Button(Text("pm.audit.older"), PAGE_ACTION, {**state, "o": offset + PAGE_SIZE}))
    return Reply(
        "audit_log", card=trail_card(subject["label"], found), buttons=buttons, replace_original=replace_original
    )


def trail_card(subject: str, trail: Trail) -> Card:
    title = Text("pm.audit.title", {"subject": subject})
    rows = tuple(Row(line) for line in history_lines(trail))
    return Card(summary=title, header=Header(title, "grey"), parts=(Rows(rows, empty=Text("pm.audit.empty")),))


COMMANDS = (CommandSpec("pm audit", audit, "pm.audit.usage", "pm.audit.summary"),)
ACTIONS = (ActionSpec(PAGE_ACTION, on_page),)
JOBS = ()
