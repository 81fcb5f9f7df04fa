"""The dashboard card: four short lists, each saying how many more there are and where to see them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from handlers.approvals.cards import APPROVE, REJECT
from handlers.core.card import Code, Divider, Header, Line, Mention, Row, Rows, Strong, Text, When, card
from handlers.core.reply import Button, Reply
from models.home.queries import Dashboard, Item, Listed, Waiting

KIND = "home"


def home_reply(board: Dashboard, people: dict[int, tuple[str, str | None]]) -> Reply:
    counts = {
        "requirements": board.requirements.total,
        "approvals": board.approvals.total,
        "risks": board.risks.total,
        "experiments": board.experiments.total,
    }
    content = card(
        Text("home.summary", counts),
        _rows("requirements", board.requirements, _requirement, "/req list mine"),
        Divider(),
        _rows("approvals", board.approvals, lambda w: _approval(w, people), None),
        Divider(),
        _rows("risks", board.risks, _risk, "/risk list mine"),
        Divider(),
        _rows("experiments", board.experiments, _experiment, "/exp list"),
        header=Header(Text("home.title")),
    )
    buttons = [button for waiting in board.approvals.shown for button in _decide(waiting)]
    return Reply(KIND, card=content, buttons=buttons)


def _rows(name: str, listed: Listed[Any], row: Callable[[Any], Row], command: str | None) -> Rows:
    left = listed.total - len(listed.shown)
    more: Line | None = None
    if left > 0:
        more = [Text("home.more", {"n": left}), " ", Code(command)] if command else Text("home.more", {"n": left})
    return Rows(
        tuple(row(item) for item in listed.shown),
        title=Text(f"home.{name}.title", {"n": listed.total}),
        empty=Text(f"home.{name}.empty"),
        more=more,
    )


def _title(item: Item) -> Line:
    return [Strong(item.key), " ", item.title]


def _requirement(item: Item) -> Row:
    status: list[Any] = [Text(f"status.{item.status}")]
    if item.due is not None:
        status += [" · ", Text("home.requirements.due"), " ", When(item.due)]
    return Row(_title(item), sub=status)


def _approval(waiting: Waiting, people: dict[int, tuple[str, str | None]]) -> Row:
    ref, name = people.get(waiting.requester_id, ("", None))
    asked: Line = [Text("home.approvals.asked_by"), " ", Mention(ref, name)] if ref else Text("home.approvals.asked")
    return Row(_title(waiting.requirement), sub=asked)


def _risk(item: Item) -> Row:
    assert item.due is not None
    return Row(
        _title(item),
        sub=[
            Text("home.risks.review_due"),
            " ",
            When(item.due),
            " · ",
            Text("home.risks.score", {"score": item.score}),
        ],
    )


def _experiment(item: Item) -> Row:
    return Row(_title(item), sub=[Text("home.experiments.read"), " ", Code(f"/exp status {item.key}")])


def _decide(waiting: Waiting) -> list[Button]:
    payload, key = {"id": waiting.approval_id}, waiting.requirement.key
    return [
        Button(Text("home.approve", {"key": key}), APPROVE, payload, style="primary"),
        Button(Text("home.reject", {"key": key}), REJECT, payload, style="danger"),
    ]
