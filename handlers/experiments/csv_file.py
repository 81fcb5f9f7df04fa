"""Daily results from a CSV (date, variant, market, visitors, conversions), read with pandas.

Every row is checked before anything is stored; problems are reported by line number (the header
is line 1). Column names may be English or Chinese, the file UTF-8 (with or without BOM) or GB18030,
separated by commas, semicolons or tabs.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from handlers.core.reply import Text
from handlers.experiments.input import MAX_COUNT, arm_for
from models.experiments.result import DailyRow
from models.market_codes import normalise_market

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
ERRORS_SHOWN = 10
COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("date", "day", "日期", "天"),
    "variant": ("variant", "arm", "group", "bucket", "分组", "组", "变体", "版本"),
    "market": ("market", "country", "site", "站点", "市场", "国家"),
    "visitors": ("visitors", "users", "sessions", "访客", "访客数", "用户数", "uv"),
    "conversions": ("conversions", "orders", "converted", "conversion", "转化", "转化数", "订单", "订单数"),
}
REQUIRED = ("date", "variant", "visitors", "conversions")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")
LINE_IN_PARSER_ERROR = re.compile(r"line (\d+)")


@dataclass(frozen=True)
class Problem:
    line: int | None
    text: Text


@dataclass(frozen=True)
class Reading:
    rows: list[DailyRow]
    problems: list[Problem]


def read_daily(content: bytes, *, arms: list[str], default_market: str) -> Reading:
    """Rows ready to store, or the problems that stop them (never both)."""
    if not content.strip():
        return _fail(None, "exp.csv.empty")
    if len(content) > MAX_BYTES:
        return _fail(None, "exp.csv.too_big", max_mb=MAX_BYTES // (1024 * 1024))
    if content[:4] == b"PK\x03\x04":
        return _fail(None, "exp.csv.spreadsheet")
    text = _decode(content)
    if text is None:
        return _fail(None, "exp.csv.not_text")
    import pandas as pd  # imported on first use: the bot starts faster without it

    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=_separator(text),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            skipinitialspace=True,
        )
    except pd.errors.EmptyDataError:
        return _fail(None, "exp.csv.empty")
    except pd.errors.ParserError as err:
        found = LINE_IN_PARSER_ERROR.search(str(err))
        return _fail(int(found.group(1)) if found else None, "exp.csv.ragged")
    columns = _columns(list(frame.columns))
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        return _fail(1, "exp.csv.missing_columns", missing=missing, expected=", ".join(COLUMNS))
    frame = frame.rename(columns={v: k for k, v in columns.items()})[list(columns)]
    frame = frame.apply(lambda col: col.str.strip())
    frame = frame[(frame != "").any(axis=1)]  # blank lines; the index still counts them
    if frame.empty:
        return _fail(None, "exp.csv.no_rows")
    if len(frame) > MAX_ROWS:
        return _fail(None, "exp.csv.too_many_rows", max=MAX_ROWS)
    return _check(frame, arms, default_market)


def _check(frame: Any, arms: list[str], default_market: str) -> Reading:
    import pandas as pd

    problems: list[Problem] = []
    lines = frame.index + 2

    days = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[us]")
    for fmt in DATE_FORMATS:
        todo = days.isna()
        if not todo.any():
            break
        days[todo] = pd.to_datetime(frame.loc[todo, "date"], format=fmt, errors="coerce")
    for line, value in zip(lines[days.isna()], frame.loc[days.isna(), "date"], strict=True):
        problems.append(Problem(int(line), Text("exp.csv.bad_date", {"value": value})))

    arm = frame["variant"].map(lambda v: arm_for(v, arms) if v else None)
    for line, value in zip(lines[arm.isna()], frame.loc[arm.isna(), "variant"], strict=True):
        problems.append(Problem(int(line), Text("exp.csv.bad_arm", {"value": value, "arms": ", ".join(arms)})))

    raw_market = frame["market"] if "market" in frame else pd.Series("", index=frame.index)
    market = raw_market.map(lambda v: normalise_market(v) if v else default_market)
    for line, value in zip(lines[market.isna()], raw_market[market.isna()], strict=True):
        problems.append(Problem(int(line), Text("exp.csv.bad_market", {"value": value})))

    numbers = {}
    for name in ("visitors", "conversions"):
        cleaned = frame[name].str.replace(",", "", regex=False).str.replace("_", "", regex=False)
        parsed = pd.to_numeric(cleaned, errors="coerce")
        bad = parsed.isna() | (parsed < 0) | (parsed != parsed.round()) | (parsed > MAX_COUNT)
        for line, value in zip(lines[bad], frame.loc[bad, name], strict=True):
            problems.append(Problem(int(line), Text(f"exp.csv.bad_{name}", {"value": value})))
        numbers[name] = parsed.where(~bad)
    over = numbers["conversions"] > numbers["visitors"]
    for line, v, c in zip(lines[over], numbers["visitors"][over], numbers["conversions"][over], strict=True):
        problems.append(Problem(int(line), Text("exp.csv.too_many", {"visitors": int(v), "conversions": int(c)})))

    keys = pd.DataFrame({"day": days, "arm": arm, "market": market})
    ok = keys.notna().all(axis=1)
    repeated = ok & keys.duplicated(keep="first")
    if repeated.any():
        firsts = keys[ok & ~repeated]
        first_line = {tuple(k): int(i) + 2 for i, k in zip(firsts.index, firsts.itertuples(index=False), strict=True)}
        for index, (day, arm_name, market_code) in keys[repeated].iterrows():
            params = {
                "first": first_line[(day, arm_name, market_code)],
                "day": day.date().isoformat(),
                "arm": arm_name,
                "market": market_code or "—",
            }
            problems.append(Problem(int(index) + 2, Text("exp.csv.repeated", params)))

    if problems:
        return Reading([], sorted(problems, key=lambda p: p.line or 0))
    rows = [
        DailyRow(_day(d), a, m, int(v), int(c))
        for d, a, m, v, c in zip(days, arm, market, numbers["visitors"], numbers["conversions"], strict=True)
    ]
    return Reading(rows, [])


def _day(value: Any) -> date:
    return date(value.year, value.month, value.day)


def _columns(names: list[str]) -> dict[str, str]:
    """Our column name → the file's, for the columns we know."""
    found: dict[str, str] = {}
    for name in names:
        folded = unicodedata.normalize("NFKC", str(name)).strip().lower().replace(" ", "_")
        for ours, aliases in COLUMNS.items():
            if folded in aliases and ours not in found:
                found[ours] = name
    return found


def _decode(content: bytes) -> str | None:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    return None


def _separator(text: str) -> str:
    header = next((line for line in text.splitlines() if line.strip()), "")
    return max((",", ";", "\t"), key=header.count)


def _fail(line: int | None, key: str, **params: Any) -> Reading:
    return Reading([], [Problem(line, Text(key, params))])
