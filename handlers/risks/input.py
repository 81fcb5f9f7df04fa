"""Turning what users type (options or form fields) into risk values: categories, 1–5 levels, money,
review cadences, people and requirement keys."""

from __future__ import annotations

import difflib
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import Session

from handlers.core import fields
from handlers.core.args import normalise_word, parse_mention
from handlers.core.command import Actor
from handlers.core.keys import KeyKind
from handlers.core.reply import FieldError, InvalidFields, UsageError
from handlers.requirements.input import REQ_KEY
from models.requirements import requirement as req_model
from models.risks import risk as risk_model
from models.risks.exposure import CURRENCIES
from models.risks.risk import Category
from models.workspace import ensure_member

# Option key → model field. Forms use the same names as the options.
OPTION_FIELDS = {
    "title": "title",
    "category": "category",
    "cat": "category",
    "likelihood": "likelihood",
    "impact": "impact",
    "owner": "owner_id",
    "market": "markets",
    "markets": "markets",
    "exposure": "exposure_amount",
    "currency": "exposure_currency",
    "review": "review",
    "req": "requirement_id",
}
OPTION_KEYS = frozenset(OPTION_FIELDS)
CLEARABLE = frozenset({"owner_id", "markets", "exposure_amount", "review", "requirement_id"})
MAX_COMMAND_TEXT = 4000

CATEGORY_WORDS: dict[str, Category] = {
    **{c.value: c for c in Category},
    "currency": Category.FX,
    "exchange": Category.FX,
    "汇率": Category.FX,
    "外汇": Category.FX,
    "tariffs": Category.TARIFF,
    "customs": Category.TARIFF,
    "duty": Category.TARIFF,
    "关税": Category.TARIFF,
    "海关": Category.TARIFF,
    "shipping": Category.LOGISTICS,
    "freight": Category.LOGISTICS,
    "物流": Category.LOGISTICS,
    "运输": Category.LOGISTICS,
    "质量": Category.QUALITY,
    "品质": Category.QUALITY,
    "return": Category.RETURNS,
    "退货": Category.RETURNS,
    "退换货": Category.RETURNS,
    "policy": Category.PLATFORM,
    "平台": Category.PLATFORM,
    "平台政策": Category.PLATFORM,
    "data": Category.PRIVACY,
    "gdpr": Category.PRIVACY,
    "隐私": Category.PRIVACY,
    "数据": Category.PRIVACY,
    "suppliers": Category.SUPPLIER,
    "vendor": Category.SUPPLIER,
    "factory": Category.SUPPLIER,
    "供应商": Category.SUPPLIER,
    "工厂": Category.SUPPLIER,
    "其他": Category.OTHER,
    "其它": Category.OTHER,
}

# Review cadences in days.
CADENCES: dict[str, int] = {
    "daily": 1,
    "每天": 1,
    "每日": 1,
    "weekly": 7,
    "每周": 7,
    "biweekly": 14,
    "fortnightly": 14,
    "每两周": 14,
    "双周": 14,
    "monthly": 30,
    "每月": 30,
    "quarterly": 91,
    "每季度": 91,
    "每季": 91,
}
DEFAULT_CADENCE_DAYS = {"low": 30, "medium": 30, "high": 7, "critical": 7}

AMOUNT = re.compile(r"([0-9][0-9,_]*(?:\.[0-9]+)?)(k|m|万|亿)?", re.IGNORECASE)
MULTIPLIERS = {None: 1, "k": 1_000, "m": 1_000_000, "万": 10_000, "亿": 100_000_000}
AMOUNT_MAX = Decimal("1e15")
CENT = Decimal("0.01")
RISK_KEY = KeyKind(risk_model.KEY_PREFIX, "risk")


def risk_values(
    raw: dict[str, Any], *, db: Session, actor: Actor, today: date, for_edit: bool, from_form: bool = False
) -> dict[str, Any]:
    """Model field values from option or form values; raises InvalidFields naming every bad one."""
    values = fields.field_values(
        raw,
        OPTION_FIELDS,
        lambda key, field, value: _one_value(
            key, field, value, db=db, actor=actor, today=today, for_edit=for_edit, from_form=from_form
        ),
    )
    try:
        _money_together(values, raw, for_edit=for_edit)
    except FieldError as err:
        raise InvalidFields([err]) from err
    review = values.pop("review", None)
    if review is not None:
        values["review_every_days"], values["next_review"] = review
    elif "review" in raw and for_edit:
        values["review_every_days"], values["next_review"] = None, None
    return values


def _one_value(
    key: str, field: str, value: Any, *, db: Session, actor: Actor, today: date, for_edit: bool, from_form: bool
) -> Any:
    if isinstance(value, str) and for_edit and field in CLEARABLE and fields.is_clear(value):
        return [] if field == "markets" else None
    match field:
        case "title":
            return fields.text(key, value, max_length=risk_model.TITLE_MAX, required=True)
        case "category":
            return category(key, value)
        case "likelihood" | "impact":
            return level(key, value)
        case "owner_id":
            return person(db, actor, key, value, from_form=from_form)
        case "markets":
            return fields.markets(key, value, limit=risk_model.MARKETS_MAX)
        case "exposure_amount":
            return amount(key, value)
        case "exposure_currency":
            return currency(key, value)
        case "review":
            return review(key, value, today=today)
        case "requirement_id":
            return requirement(db, actor, key, value)
    raise AssertionError(f"no parser for {field}")


def _money_together(values: dict[str, Any], raw: dict[str, Any], *, for_edit: bool) -> None:
    """An amount needs a currency: `exposure=120000 currency=USD`, or `exposure=USD120000`."""
    parsed = values.get("exposure_amount")
    if isinstance(parsed, tuple):
        number, code = parsed
        values["exposure_amount"] = number
        if code and values.get("exposure_currency") not in (None, code):
            raise FieldError("currency", "risk.currency_twice", first=code, second=values["exposure_currency"])
        if code:
            values["exposure_currency"] = code
    if "exposure_amount" in values and values["exposure_amount"] is None:
        values["exposure_currency"] = None  # cleared together
        return
    if values.get("exposure_amount") is not None and not values.get("exposure_currency") and not for_edit:
        raise FieldError("currency", "risk.currency_needed", amount=raw.get("exposure", ""))


def category(name: str, value: str) -> str:
    word = normalise_word(value)
    found = CATEGORY_WORDS.get(word)
    if found is not None:
        return found.value
    near = difflib.get_close_matches(word, list(CATEGORY_WORDS), n=1, cutoff=0.6)
    if near:
        raise FieldError(name, "risk.bad_category_near", value=value, near=CATEGORY_WORDS[near[0]].value)
    raise FieldError(name, "risk.bad_category", value=value, allowed=", ".join(c.value for c in Category))


def level(name: str, value: Any) -> int:
    word = normalise_word(str(value))
    if not word.isdigit() or not 1 <= int(word) <= 5:
        raise FieldError(name, "risk.bad_level", value=value)
    return int(word)


def amount(name: str, value: str) -> tuple[Decimal, str | None]:
    """A non-negative amount as people type it: 120000, 120,000, 12万, 1.5m; a currency code may lead or trail."""
    raw = normalise_word(value).replace(" ", "").upper()
    code = None
    if len(raw) > 3 and raw[:3].isascii() and raw[:3].isalpha():
        code, raw = raw[:3], raw[3:]
    elif len(raw) > 3 and raw[-3:].isascii() and raw[-3:].isalpha() and raw[-4].isdigit():
        code, raw = raw[-3:], raw[:-3]
    if code is not None and code not in CURRENCIES:
        raise FieldError(name, "risk.bad_currency", value=code)
    match = AMOUNT.fullmatch(raw)
    if match is None:
        raise FieldError(name, "risk.bad_amount", value=value)
    try:
        number = Decimal(match.group(1).replace(",", "").replace("_", ""))
    except InvalidOperation as err:
        raise FieldError(name, "risk.bad_amount", value=value) from err
    suffix = match.group(2)
    number *= MULTIPLIERS[suffix.lower() if suffix and suffix.isascii() else suffix]
    if number > AMOUNT_MAX:
        raise FieldError(name, "risk.amount_too_big", value=value)
    return number.quantize(CENT), code


def currency(name: str, value: str) -> str:
    code = normalise_word(value).upper()
    if code not in CURRENCIES:
        raise FieldError(name, "risk.bad_currency", value=value)
    return code


def review(name: str, value: str, *, today: date) -> tuple[int | None, date]:
    """(cadence in days or None, next review date) for `weekly`, `monthly`, ... or a date."""
    word = normalise_word(value)
    if word in CADENCES:
        days = CADENCES[word]
        return days, date.fromordinal(today.toordinal() + days)
    try:
        when = fields.due_date(name, value, today=today)
    except FieldError as err:
        raise FieldError(name, "risk.bad_review", value=value) from err
    if when < today:
        raise FieldError(name, "risk.review_past", value=value)
    return None, when


def person(db: Session, actor: Actor, name: str, value: str, *, from_form: bool = False) -> int:
    """A member id from a mention (<@U1|ana>), or in a form a person picker's user id (the console's @name)."""
    cleaned = value.strip()
    mention = parse_mention(cleaned)
    if mention is not None:
        ref, display = mention.user_ref, mention.name
    elif from_form and re.fullmatch(r"@?[\w.\-]{1,64}", cleaned):
        ref, display = cleaned.lstrip("@"), None
    else:
        raise FieldError(name, "field.bad_person", value=value)
    member, _ = ensure_member(db=db, workspace_id=actor.workspace_id, external_id=ref, display_name=display)
    assert member.id is not None
    return member.id


def requirement(db: Session, actor: Actor, name: str, value: str) -> int:
    match = REQ_KEY.pattern.fullmatch(normalise_word(value))
    if match is None:
        raise FieldError(name, "risk.bad_req", value=value)
    found = req_model.get_by_number(db=db, workspace_id=actor.workspace_id, number=int(match.group(1)))
    if found is None or found.item.id is None:
        raise FieldError(name, "risk.req_not_found", key=f"{req_model.KEY_PREFIX}-{match.group(1)}")
    return found.item.id


def decimal_value(name: str, value: str) -> Decimal:
    """A figure or threshold: 7.41, 4,200, -3, 3.5% (the percent sign is dropped: 3.5)."""
    raw = normalise_word(value).replace(",", "").replace("_", "").removesuffix("%")
    try:
        number = Decimal(raw)
    except InvalidOperation as err:
        raise FieldError(name, "risk.bad_number", value=value) from err
    if not number.is_finite() or abs(number) >= AMOUNT_MAX:
        raise FieldError(name, "risk.bad_number", value=value)
    return number


def find(db: Session, actor: Actor, key_text: str, usage: str) -> risk_model.RiskView:
    number = RISK_KEY.number(key_text, usage)
    view = risk_model.get_by_number(db=db, workspace_id=actor.workspace_id, number=number)
    if view is None:
        raise RISK_KEY.not_found(number, usage)
    return view


def field_usage(err: FieldError, usage: str) -> UsageError:
    return UsageError("field.invalid", usage, field=err.field, reason=err.text)
