"""Turning what people type into experiment values: rates, MDEs, splits, traffic, arm names, counts."""

from __future__ import annotations

import math
import re
from typing import Any

from sqlmodel import Session

from handlers.core import fields
from handlers.core.args import normalise_word
from handlers.core.command import Actor
from handlers.core.keys import KeyKind
from handlers.core.reply import FieldError, InvalidFields, Text, UsageError
from handlers.requirements.input import number_from_key
from models.experiments import experiment as exp_model
from models.experiments.experiment import Experiment, ExpStatus
from models.experiments.readout import Direction, Method
from models.requirements import requirement as req_model

MAX_ARMS = 6
MAX_COUNT = 10**12
PLAN_KEYS = frozenset(
    {"name", "metric", "market", "req", "baseline", "mde", "mde_type", "alpha", "power", "traffic", "split", "variants",
     "method", "direction", "kind", "sd"}
)  # fmt: skip
CONTROL_WORDS = frozenset({"control", "ctrl", "a", "baseline", "对照", "对照组", "原版"})
VARIANT_WORDS = frozenset(
    {"variant", "treatment", "test", "b", "实验", "实验组", "新版"}
)  # the one variant of two arms
RESULT_KEYS = frozenset(
    {"market", "file", "guard", "control", "ctrl", "a", "variant", "treatment", "test", "b", "c", "d", "e", "f"}
)
STATUS_WORDS: dict[str, ExpStatus] = {
    **{s.value: s for s in ExpStatus},
    "planned": ExpStatus.DRAFT,
    "草稿": ExpStatus.DRAFT,
    "未开始": ExpStatus.DRAFT,
    "运行中": ExpStatus.RUNNING,
    "进行中": ExpStatus.RUNNING,
    "已停止": ExpStatus.STOPPED,
    "停止": ExpStatus.STOPPED,
    "已上线": ExpStatus.SHIPPED,
    "已发布": ExpStatus.SHIPPED,
}
KIND_WORDS = {
    "proportion": "proportion", "rate": "proportion", "conversion": "proportion", "比例": "proportion",
    "mean": "mean", "average": "mean", "continuous": "mean", "均值": "mean", "平均": "mean",
}  # fmt: skip
SUMS = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)/(-?[\d,]*\.?\d+)/([\d,]*\.?\d+)")
METHOD_WORDS: dict[str, Method] = {
    **{m.value: m for m in Method},
    "seq": Method.SEQUENTIAL,
    "always-valid": Method.SEQUENTIAL,
    "序贯": Method.SEQUENTIAL,
    "序贯检验": Method.SEQUENTIAL,
    "fixed-horizon": Method.FIXED,
    "固定": Method.FIXED,
    "固定样本": Method.FIXED,
}
DIRECTION_WORDS: dict[str, Direction] = {
    **{d.value: d for d in Direction},
    "up": Direction.HIGHER,
    "越高越好": Direction.HIGHER,
    "高": Direction.HIGHER,
    "down": Direction.LOWER,
    "越低越好": Direction.LOWER,
    "低": Direction.LOWER,
}
RELATIVE_WORDS = frozenset({"relative", "rel", "相对"})
ABSOLUTE_WORDS = frozenset({"absolute", "abs", "pp", "绝对"})
DAY_UNITS = frozenset({"", "day", "d", "天", "日"})
WEEK_UNITS = frozenset({"week", "wk", "w", "周"})

NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+")
PERCENT = re.compile(rf"({NUMBER.pattern})\s*(%|pp|个百分点)?")
TRAFFIC = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)\s*(?:/\s*([a-z天日周]*))?")
COUNTS = re.compile(r"(-?(?:\d{1,3}(?:,\d{3})+|\d+))\s*/\s*(-?(?:\d{1,3}(?:,\d{3})+|\d+))")
EXP_KEY = KeyKind(exp_model.KEY_PREFIX, "exp")


def arm_names(count: int) -> list[str]:
    """control and variant for two arms; control, B, C ... for more."""
    if count == 2:
        return ["control", "variant"]
    return ["control", *(chr(ord("B") + i) for i in range(count - 1))]


def arm_for(word: str, arms: list[str]) -> str | None:
    folded = normalise_word(word).replace(" ", "")
    if folded in CONTROL_WORDS:
        return arms[0]
    if len(arms) == 2 and folded in VARIANT_WORDS:
        return arms[1]
    return next((arm for arm in arms if arm.lower() == folded), None)


def rate(name: str, value: str) -> float:
    """3.2% or 0.032; a bare number of 1 or more is read as a percentage."""
    number, unit = _percent(name, value)
    fraction = number / 100 if unit or number >= 1 else number
    if not 0 < fraction < 1:
        raise FieldError(name, "exp.field.bad_rate", value=value)
    return fraction


def mde(value: str, mde_type: str | None) -> tuple[float, bool]:
    """The smallest change worth detecting: (size, relative?). `0.3pp` is absolute."""
    number, unit = _percent("mde", value)
    points = unit in ("pp", "个百分点")
    relative = not points
    if mde_type is not None:
        folded = normalise_word(mde_type)
        if folded not in RELATIVE_WORDS | ABSOLUTE_WORDS:
            raise FieldError("mde_type", "exp.field.bad_mde_type", value=mde_type)
        relative = folded in RELATIVE_WORDS
        if points and relative:
            raise FieldError("mde_type", "exp.field.mde_conflict", value=value)
    size = number / 100 if unit or number >= 1 else number
    if not size > 0:
        raise FieldError("mde", "exp.field.bad_mde", value=value)
    return size, relative


def mean_mde(value: str, mde_type: str | None) -> tuple[float, bool]:
    """A mean's smallest change: 5% relative, or with mde_type=absolute an amount (0.13)."""
    if mde_type is not None and normalise_word(mde_type) in ABSOLUTE_WORDS:
        return positive("mde", value), False
    return mde(value, mde_type)


def probability(name: str, value: str, *, low: float, high: float) -> float:
    number, unit = _percent(name, value)
    fraction = number / 100 if unit or number >= 1 else number
    if not low <= fraction <= high:
        raise FieldError(name, "exp.field.out_of_range", value=value, low=_pct(low), high=_pct(high))
    return fraction


def traffic(value: str) -> int:
    """Visitors per day: 4000/day, 4,000/天, 28000/week."""
    match = TRAFFIC.fullmatch(normalise_word(value).replace(" ", ""))
    unit = match.group(2) or "" if match else None
    if match is None or unit not in DAY_UNITS | WEEK_UNITS:
        raise FieldError("traffic", "exp.field.bad_traffic", value=value)
    amount = int(match.group(1).replace(",", ""))
    per_day = math.ceil(amount / 7) if unit in WEEK_UNITS else amount
    if not 0 < per_day <= MAX_COUNT:
        raise FieldError("traffic", "exp.field.bad_traffic", value=value)
    return per_day


def split(value: str) -> list[float]:
    """Planned shares of traffic, control first: 50/50, 60/40, 34/33/33, 1:1."""
    parts = re.split(r"\s*[/:]\s*", normalise_word(value))
    try:
        weights = [float(p) for p in parts]
    except ValueError as err:
        raise FieldError("split", "exp.field.bad_split", value=value) from err
    if not 2 <= len(weights) <= MAX_ARMS or any(not math.isfinite(w) or w <= 0 for w in weights):
        raise FieldError("split", "exp.field.bad_split", value=value)
    return weights


def variants(value: str) -> int:
    folded = normalise_word(value)
    if not folded.isdigit() or not 2 <= int(folded) <= MAX_ARMS:
        raise FieldError("variants", "exp.field.bad_variants", value=value, max=MAX_ARMS)
    return int(folded)


def counts(arm: str, value: str) -> tuple[int, int]:
    """visitors/conversions, e.g. 10000/330."""
    match = COUNTS.fullmatch(normalise_word(value).replace(" ", ""))
    if match is None:
        raise FieldError(arm, "exp.counts.bad", value=value)
    visitors, conversions = (int(g.replace(",", "")) for g in match.groups())
    if visitors < 0 or conversions < 0:
        raise FieldError(arm, "exp.counts.negative", value=value)
    if visitors == 0:
        raise FieldError(arm, "exp.counts.no_visitors", value=value)
    if conversions > visitors:
        raise FieldError(arm, "exp.counts.too_many", value=value, visitors=visitors, conversions=conversions)
    if visitors > MAX_COUNT:
        raise FieldError(arm, "exp.counts.too_large", value=value)
    return visitors, conversions


def sums(arm: str, value: str) -> tuple[int, float, float]:
    """visitors/Σy/Σy² of a mean metric, e.g. 10000/26000/1985000 (revenue per visitor)."""
    match = SUMS.fullmatch(normalise_word(value).replace(" ", ""))
    if match is None:
        raise FieldError(arm, "exp.sums.bad", value=value)
    n = int(match.group(1).replace(",", ""))
    total, squares = (float(g.replace(",", "")) for g in match.groups()[1:])
    if n < 2:
        raise FieldError(arm, "exp.sums.few", value=value)
    if n > MAX_COUNT or not math.isfinite(total) or not math.isfinite(squares):
        raise FieldError(arm, "exp.counts.too_large", value=value)
    if squares < total * total / n * (1 - 1e-9):
        raise FieldError(arm, "exp.sums.impossible", value=value)
    return n, total, squares


def positive(name: str, value: str) -> float:
    """A plain positive number (a mean or a standard deviation): 2.60, 1,250.5."""
    match = NUMBER.fullmatch(normalise_word(value).replace(" ", ""))
    number = float(match.group(0).replace(",", "")) if match else 0.0
    if not number > 0:
        raise FieldError(name, "exp.field.bad_positive", value=value)
    return number


def plan_values(raw: dict[str, str], *, db: Session, actor: Actor) -> dict[str, Any]:
    """Experiment fields from `/exp add` options; raises InvalidFields naming every bad one."""
    values: dict[str, Any] = {}
    errors: list[FieldError] = []

    def take(key: str, parse: Any) -> None:
        if key not in raw:
            return
        try:
            values[key] = parse(raw[key])
        except FieldError as err:
            errors.append(err)

    for key in ("name", "metric", "baseline", "mde"):
        if not raw.get(key, "").strip():
            errors.append(FieldError(key, "field.required"))
    take("name", lambda v: fields.text("name", v, max_length=exp_model.NAME_MAX, required=True))
    take("metric", lambda v: fields.text("metric", v, max_length=exp_model.METRIC_MAX, required=True))
    take("market", lambda v: ",".join(fields.markets("market", v, limit=10)))
    take("kind", lambda v: _word("kind", v, KIND_WORDS, "exp.field.bad_kind"))
    is_mean = values.get("kind") == "mean"
    take("baseline", lambda v: positive("baseline", v) if is_mean else rate("baseline", v))
    take("mde", lambda v: mean_mde(v, raw.get("mde_type")) if is_mean else mde(v, raw.get("mde_type")))
    take("sd", lambda v: positive("sd", v))
    if is_mean and not raw.get("sd", "").strip():
        errors.append(FieldError("sd", "field.required"))
    take("alpha", lambda v: probability("alpha", v, low=0.001, high=0.2))
    take("power", lambda v: probability("power", v, low=0.5, high=0.99))
    take("traffic", traffic)
    take("split", split)
    take("variants", variants)
    take("req", lambda v: _requirement_id(db, actor, v))
    take("method", lambda v: _word("method", v, METHOD_WORDS, "exp.field.bad_method"))
    take("direction", lambda v: _word("direction", v, DIRECTION_WORDS, "exp.field.bad_direction"))
    if "mde_type" in raw and "mde" not in raw:
        errors.append(FieldError("mde", "field.required"))
    weights = values.get("split")
    count = values.get("variants")
    if weights and count and len(weights) != count:
        errors.append(FieldError("split", "exp.field.split_mismatch", parts=len(weights), variants=count))
    if errors:
        raise InvalidFields(errors)
    arms = len(weights) if weights else count or 2
    size, relative = values.get("mde", (0.0, True))
    return {
        "name": values.get("name"),
        "metric": values.get("metric"),
        "markets": values.get("market", ""),
        "requirement_id": values.get("req"),
        "baseline": values.get("baseline"),
        "mde": size,
        "mde_relative": relative,
        "alpha": values.get("alpha", 0.05),
        "power": values.get("power", 0.8),
        "traffic_per_day": values.get("traffic"),
        "arms": arm_names(arms),
        "split": weights or [1.0] * arms,
        "method": values.get("method", Method.SEQUENTIAL).value,
        "direction": values.get("direction", Direction.HIGHER).value,
        "kind": values.get("kind", "proportion"),
        "baseline_sd": values.get("sd") if is_mean else None,
    }


def find(db: Session, actor: Actor, key_text: str, usage: str) -> Experiment:
    number = EXP_KEY.number(key_text, usage)
    item = exp_model.get_by_number(db=db, workspace_id=actor.workspace_id, number=number)
    if item is None:
        raise EXP_KEY.not_found(number, usage)
    return item


def status_from_word(word: str, usage: str) -> ExpStatus:
    status = STATUS_WORDS.get(normalise_word(word))
    if status is None:
        raise UsageError("exp.bad_status", usage, value=word, allowed=[Text(f"exp.state.{s}") for s in ExpStatus])
    return status


def invalid(err: InvalidFields, usage: str) -> UsageError:
    if len(err.errors) == 1:
        only = err.errors[0]
        return UsageError("field.invalid", usage, field=only.field, reason=only.text)
    return err.usage_error(usage)


def _requirement_id(db: Session, actor: Actor, value: str) -> int:
    try:
        number = number_from_key(value, "exp.add.usage")
    except UsageError as err:
        raise FieldError("req", "exp.field.bad_req", value=value) from err
    found = req_model.get_by_number(db=db, workspace_id=actor.workspace_id, number=number)
    if found is None or found.item.id is None:
        raise FieldError("req", "exp.field.no_req", key=f"{req_model.KEY_PREFIX}-{number}")
    return found.item.id


def _word(name: str, value: str, words: dict[str, Any], message: str) -> Any:
    found = words.get(normalise_word(value))
    if found is None:
        raise FieldError(name, message, value=value)
    return found


def _percent(name: str, value: str) -> tuple[float, str | None]:
    match = PERCENT.fullmatch(normalise_word(value).replace(" ", ""))
    if match is None:
        raise FieldError(name, "exp.field.bad_number", value=value)
    return float(match.group(1).replace(",", "")), match.group(2)


def _pct(fraction: float) -> str:
    return f"{fraction * 100:g}%"
