"""How scoring, approval and role entries of the audit log read (the others are drawn by the templates)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from handlers.core.reply import Text
from models.audit import AuditEntry
from models.scoring import rice as math

METHOD_NAMES = {"rice": "RICE", "ice": "ICE"}


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
