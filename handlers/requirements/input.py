"""Turning what users type (options or form fields) into requirement values, and keys into ids."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from handlers.core import fields
from handlers.core.args import normalise_word
from handlers.core.command import Actor
from handlers.core.keys import KeyKind
from handlers.core.reply import FieldError, Text, UsageError
from models.requirements import requirement as req_model
from models.requirements.requirement import Source, Status
from models.workspace import ensure_member

# Option key → model field. Forms use the same names as the options.
OPTION_FIELDS = {
    "title": "title",
    "market": "markets",
    "markets": "markets",
    "platform": "platform",
    "metric": "metric",
    "ac": "acceptance",
    "acceptance": "acceptance",
    "due": "due",
    "desc": "description",
    "description": "description",
    "owner": "owner_id",
    "source": "source",
}
OPTION_KEYS = frozenset(OPTION_FIELDS)
MAX_COMMAND_TEXT = 8000

STATUS_WORDS: dict[str, Status] = {
    **{s.value: s for s in Status},
    "in-progress": Status.IN_PROGRESS,
    "inprogress": Status.IN_PROGRESS,
    "wip": Status.IN_PROGRESS,
    "新建": Status.NEW,
    "待处理": Status.NEW,
    "已分诊": Status.TRIAGED,
    "已评估": Status.TRIAGED,
    "已批准": Status.APPROVED,
    "批准": Status.APPROVED,
    "进行中": Status.IN_PROGRESS,
    "开发中": Status.IN_PROGRESS,
    "已上线": Status.SHIPPED,
    "已发布": Status.SHIPPED,
    "已拒绝": Status.REJECTED,
    "拒绝": Status.REJECTED,
    "搁置": Status.PARKED,
    "已搁置": Status.PARKED,
}
SOURCE_WORDS: dict[str, Source] = {
    **{s.value: s for s in Source},
    "customers": Source.CUSTOMER,
    "market": Source.MARKETPLACE,
    "platform": Source.MARKETPLACE,
    "competitors": Source.COMPETITOR,
    "operations": Source.OPS,
    "客户": Source.CUSTOMER,
    "买家": Source.CUSTOMER,
    "平台": Source.MARKETPLACE,
    "电商平台": Source.MARKETPLACE,
    "竞品": Source.COMPETITOR,
    "竞争对手": Source.COMPETITOR,
    "运营": Source.OPS,
    "数据": Source.DATA,
}
REQ_KEY = KeyKind(req_model.KEY_PREFIX, "req")


def requirement_values(
    raw: dict[str, Any], *, db: Session, actor: Actor, today: date, for_edit: bool
) -> dict[str, Any]:
    """Model field values from option or form values; raises InvalidFields naming every bad one."""
    return fields.field_values(
        raw,
        OPTION_FIELDS,
        lambda key, field, value: _one_value(key, field, value, db=db, actor=actor, today=today, for_edit=for_edit),
    )


def _one_value(key: str, field: str, value: Any, *, db: Session, actor: Actor, today: date, for_edit: bool) -> Any:
    if isinstance(value, str) and for_edit and fields.is_clear(value):
        if field == "title":  # a requirement always has a title: `title=none` is a slip, not a name
            raise FieldError(key, "req.title_not_cleared", value=value)
        return [] if field == "markets" else None
    match field:
        case "title":
            return fields.text(key, value, max_length=req_model.TITLE_MAX, required=True)
        case "markets":
            return fields.markets(key, value, limit=req_model.MARKETS_MAX)
        case "platform":
            return fields.platform(key, value, max_length=req_model.PLATFORM_MAX)
        case "metric":
            return fields.text(key, value, max_length=req_model.SHORT_MAX)
        case "acceptance" | "description":
            return fields.text(key, value, max_length=req_model.TEXT_MAX)
        case "due":
            if isinstance(value, date):
                return value
            return fields.due_date(key, value, today=today) if value.strip() else None
        case "source":
            return source_from_word(key, value).value if value.strip() else None
        case "owner_id":
            user_ref, name = fields.member_ref(key, value)
            member, _ = ensure_member(db=db, workspace_id=actor.workspace_id, external_id=user_ref, display_name=name)
            return member.id
    raise AssertionError(f"no parser for {field}")


def number_from_key(text: str, usage: str) -> int:
    return REQ_KEY.number(text, usage)


def find(db: Session, actor: Actor, key_text: str, usage: str) -> req_model.RequirementView:
    number = REQ_KEY.number(key_text, usage)
    view = req_model.get_by_number(db=db, workspace_id=actor.workspace_id, number=number)
    if view is None:
        raise REQ_KEY.not_found(number, usage)
    return view


def status_from_word(word: str, usage: str) -> Status:
    status = STATUS_WORDS.get(normalise_word(word).replace(" ", "_"))
    if status is None:
        raise UsageError("req.bad_status", usage, value=word, allowed=[status_text(s) for s in Status])
    return status


def source_from_word(key: str, word: str) -> Source:
    source = SOURCE_WORDS.get(normalise_word(word))
    if source is None:
        raise FieldError(key, "req.bad_source", value=word, allowed=[source_text(s) for s in Source])
    return source


def source_text(source: str) -> Text:
    return Text(f"req.source.{source}")


def status_text(status: str) -> Text:
    return Text(f"status.{status}")
