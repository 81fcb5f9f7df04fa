"""/pm audit: a requirement's (or a person's) audit trail; and how scoring and approval entries read."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from handlers.core.args import parse_mention
from handlers.core.command import ActionInput, ActionSpec, CommandInput, CommandSpec
from handlers.core.reply import Button, Reply, Text, UsageError
from handlers.requirements.audit_text import describe
from handlers.requirements.cards import people
from handlers.requirements.input import find
from models import audit_trail
from models.audit import AuditEntry
from models.requirements import requirement as req_model
from models.workspace import Member

PAGE_ACTION = "audit.page"
PAGE_SIZE = 20


def lines(db: Session, entries: list[AuditEntry]) -> list[dict[str, Any]]:
    """Entries as the audit_line macro draws them."""
    described = [describe(e) for e in entries]
    who = people(db, [*(e.actor_id for e in entries), *(d.get("who") for d in described)])
    return [
        {
            "at": e.at,
            "actor": who.get(e.actor_id) if e.actor_id else None,
            "action": e.action,
            "changes": e.changes,
            "text": d.get("text"),
            "who": who.get(d["who"]) if isinstance(d.get("who"), int) else None,
            "detail": d.get("detail"),
        }
        for e, d in zip(entries, described, strict=True)
    ]


def audit(cmd: CommandInput, db: Session) -> Reply:
    """`/pm audit REQ-12` (a requirement's trail) or `/pm audit @someone` (their role changes)."""
    usage = "pm.audit.usage"
    if len(cmd.args.words) != 1:
        raise UsageError("pm.audit.need_subject", usage)
    word = cmd.args.words[0]
    mention = parse_mention(word)
    if mention is not None:
        member = db.exec(
            select(Member).where(Member.workspace_id == cmd.actor.workspace_id, Member.external_id == mention.user_ref)
        ).first()
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
        "audit_log",
        {"subject": subject["label"], "lines": lines(db, found.entries), "first": offset + 1},
        buttons=buttons,
        replace_original=replace_original,
    )


COMMANDS = (CommandSpec("pm audit", audit, "pm.audit.usage", "pm.audit.summary"),)
ACTIONS = (ActionSpec(PAGE_ACTION, on_page),)
JOBS = ()
