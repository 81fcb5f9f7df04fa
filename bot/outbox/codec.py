"""Effects as JSON and back, so that what the bot is to say can be stored with the change that caused it
and drawn later, by another process, for each platform.

Only the platform-neutral values a reply is made of are known here (cards, texts, buttons, forms,
effects, charts); anything else is refused when it is stored, not when it is delivered.
"""

from __future__ import annotations

import base64
import dataclasses
import types
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from handlers.core import card, charts, reply, spreadsheet
from models.experiments import result

JSON = dict[str, Any] | list[Any] | str | int | float | bool | None


class CodecError(ValueError):
    """A value the outbox cannot store."""


def _known(*modules: types.ModuleType) -> dict[str, type]:
    found: dict[str, type] = {}
    for module in modules:
        for name, value in vars(module).items():
            own = isinstance(value, type) and value.__module__ == module.__name__
            if own and (dataclasses.is_dataclass(value) or issubclass(value, Enum)):
                found[name] = value
    return found


KNOWN = _known(card, reply, charts, spreadsheet) | {"DayPoint": result.DayPoint}


def encode(value: Any) -> JSON:
    if value is None or (isinstance(value, bool | int | float | str) and not isinstance(value, Enum)):
        return value
    if isinstance(value, Enum):
        return {"$e": [type(value).__name__, value.value]}
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$n": str(value)}
    if isinstance(value, bytes):
        return {"$b": base64.b64encode(value).decode()}
    if isinstance(value, tuple):
        return {"$t": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {"$m": [[encode(k), encode(v)] for k, v in value.items()]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if KNOWN.get(name) is not type(value):
            raise CodecError(f"{name} cannot be stored in the outbox")
        return {"$": name, **{f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    raise CodecError(f"{type(value).__name__} cannot be stored in the outbox")


def decode(value: JSON) -> Any:
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "$" in value:
        cls = KNOWN[value["$"]]
        return cls(**{k: decode(v) for k, v in value.items() if k != "$"})
    ((tag, inner),) = value.items()
    if tag == "$e":
        name, raw = inner
        return KNOWN[name](raw)
    if tag == "$dt":
        return datetime.fromisoformat(inner)
    if tag == "$d":
        return date.fromisoformat(inner)
    if tag == "$n":
        return Decimal(inner)
    if tag == "$b":
        return base64.b64decode(inner)
    if tag == "$t":
        return tuple(decode(v) for v in inner)
    if tag == "$m":
        return {_hashable(decode(k)): decode(v) for k, v in inner}
    raise CodecError(f"unknown tag {tag}")


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key
