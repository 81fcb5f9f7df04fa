"""What people type after /digest: a time, a time zone, the days of the week, on/off words."""

from __future__ import annotations

import re

from handlers.core import fields
from handlers.core.args import normalise_word, split_list
from handlers.core.reply import FieldError, UsageError
from handlers.workspace.commands import LANGS
from models.digest.schedule import DAYS, WEEKDAYS

TIME = re.compile(r"(\d{1,2})[:：.](\d{2})")
CN_TIME = re.compile(r"(\d{1,2})[点點时時](半|(\d{1,2})分?)?")
DAY_WORDS = {
    **{d: d for d in DAYS},
    **{
        name: d
        for name, d in zip(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"), DAYS, strict=True
        )
    },
    **{f"{prefix}{cn}": d for prefix in ("周", "星期", "礼拜") for cn, d in zip("一二三四五六日", DAYS, strict=True)},
    "周天": "sun",
    "星期天": "sun",
    "礼拜天": "sun",
}
WEEKDAY_WORDS = frozenset({"weekdays", "weekday", "workdays", "工作日", "每个工作日"})
DAILY_WORDS = frozenset({"daily", "everyday", "每天", "每日", "天天"})
ON_WORDS = frozenset({"on", "yes", "true", "1", "开", "开启", "打开", "是"})
OFF_WORDS = frozenset({"off", "no", "false", "0", "关", "关闭", "否", "none", "无"})
ALL_WORDS = frozenset({"all", "any", "every", "全部", "所有", "none", "-"})
DEFAULT_LANG_WORDS = frozenset({"default", "workspace", "默认", "团队"})
REMIND_MAX = 720


def time_of_day(word: str) -> str | None:
    """'09:30', '9:30', '9.30', '9点半', '9点30' → '09:30'; None when it is no time at all."""
    folded = normalise_word(word)
    hour = minute = None
    if m := TIME.fullmatch(folded):
        hour, minute = int(m.group(1)), int(m.group(2))
    elif m := CN_TIME.fullmatch(folded):
        hour = int(m.group(1))
        minute = 30 if m.group(2) == "半" else int(m.group(3) or 0)
    if hour is None or minute is None:
        return None
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise UsageError("digest.schedule.bad_time", "digest.schedule.usage", value=word)
    return f"{hour:02d}:{minute:02d}"


def days_of_week(word: str) -> str | None:
    """'weekdays', 'daily', 'mon,wed,fri', 'mon-fri', '周一，周三' → 'mon,wed,fri' in week order."""
    folded = normalise_word(word)
    if folded in WEEKDAY_WORDS:
        return ",".join(WEEKDAYS)
    if folded in DAILY_WORDS:
        return ",".join(DAYS)
    chosen: set[str] = set()
    for part in split_list(folded):
        ends = [DAY_WORDS.get(p.strip()) for p in re.split(r"[-~～至到]", part)]
        if not ends or None in ends or len(ends) > 2:
            return None
        first, last = DAYS.index(ends[0]), DAYS.index(ends[-1])  # type: ignore[arg-type]
        if last < first:
            raise UsageError("digest.schedule.bad_days", "digest.schedule.usage", value=word)
        chosen.update(DAYS[first : last + 1])
    return ",".join(d for d in DAYS if d in chosen) if chosen else None


def time_zone(word: str, usage: str) -> str:
    try:
        return fields.time_zone("tz", word)
    except FieldError as err:
        raise UsageError(err.text.key, usage, **err.text.params) from err


def switch(words: list[str], usage: str) -> bool:
    if len(words) != 1 or normalise_word(words[0]) not in ON_WORDS | OFF_WORDS:
        raise UsageError("digest.need_on_off", usage)
    return normalise_word(words[0]) in ON_WORDS


def language(words: list[str], usage: str) -> str | None:
    """'zh' → 'zh-CN'; 'default' → None (the workspace's language)."""
    if len(words) != 1:
        raise UsageError("args.bad_arguments", usage)
    folded = normalise_word(words[0])
    if folded in DEFAULT_LANG_WORDS:
        return None
    chosen = LANGS.get(folded)
    if chosen is None:
        raise UsageError("pm.lang.unknown", usage, value=words[0])
    return chosen


def minutes(words: list[str], usage: str) -> int | None:
    if len(words) != 1:
        raise UsageError("args.bad_arguments", usage)
    folded = normalise_word(words[0]).removesuffix("min").removesuffix("分钟").strip()
    if folded in OFF_WORDS:
        return None
    if not folded.isdigit() or not 1 <= int(folded) <= REMIND_MAX:
        raise UsageError("digest.remind.bad_minutes", usage, value=words[0], max=REMIND_MAX)
    return int(folded)


def markets(value: str, usage: str) -> tuple[str, ...]:
    if normalise_word(value) in ALL_WORDS:
        return ()
    try:
        return tuple(fields.markets("market", value, limit=30))
    except FieldError as err:
        raise UsageError("field.invalid", usage, field=err.field, reason=err.text) from err
