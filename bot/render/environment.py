"""The jinja2 environment shared by every front end's templates, and the viewer it draws for."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context

from bot.i18n import TEMPLATES, Catalog, catalog
from handlers.core.reply import Text


@dataclass(frozen=True)
class Viewer:
    """Whom a reply is drawn for: their language and time zone."""

    lang: str = "en"
    tz: str = "UTC"


class Templates:
    """One front end's templates (templates/<target>/) with the filters they all use."""

    def __init__(self, target: str, messages: Catalog | None = None) -> None:
        self.catalog = messages or catalog()
        self.env = make_environment(target, self.catalog)

    def t(self, viewer: Viewer, message: str | Text, /, **params: Any) -> str:
        return self.catalog.t(viewer.lang, message, **params)

    def draw(self, name: str, viewer: Viewer, data: dict[str, Any]) -> str:
        return self.env.get_template(name).render(viewer=viewer, **data)


def make_environment(target: str, cat: Catalog) -> Environment:
    env = Environment(
        loader=FileSystemLoader([TEMPLATES / target, TEMPLATES]),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )

    @pass_context
    def t(ctx: Context, message: str | Text, /, **params: Any) -> str:
        return cat.t(ctx["viewer"].lang, message, **params)

    @pass_context
    def dt(ctx: Context, value: datetime | None) -> str:
        if value is None:
            return ""
        return value.astimezone(_zone(ctx["viewer"].tz)).strftime("%Y-%m-%d %H:%M")

    @pass_context
    def tr(ctx: Context, value: str | Text) -> str:
        return cat.t(ctx["viewer"].lang, value) if isinstance(value, Text) else value

    env.globals["t"] = t
    env.filters["tr"] = tr
    env.filters["dt"] = dt
    env.filters["d"] = _date
    env.filters["clip"] = clip
    env.filters["bullet"] = lambda line: f"• {line}"
    return env


def _date(value: date | None) -> str:
    return value.isoformat() if value else ""


def clip(value: str, limit: int) -> str:
    """Cut text to a platform limit, visibly."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def loads_lenient(rendered: str) -> Any:
    """json.loads that forgives trailing commas, which loops and conditionals in templates leave."""
    return json.loads(_STRING_OR_TRAILING_COMMA.sub(_keep_strings, rendered))


# A JSON string (kept as it is) or a comma followed only by white space and a closing bracket.
_STRING_OR_TRAILING_COMMA = re.compile(r'"(?:[^"\\]|\\.)*"|,(?=\s*[\]}])')


def _keep_strings(match: re.Match[str]) -> str:
    return match.group(0) if match.group(0).startswith('"') else ""
