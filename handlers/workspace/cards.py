"""`/pm me` (one person's settings) and `/pm role` (who administers and who approves)."""

from __future__ import annotations

from handlers.core.card import Card, Header, Line, Mention, fields, joined
from handlers.core.command import Actor
from handlers.core.reply import Text
from models.workspace import Role, Workspace


def me_card(actor: Actor, workspace: Workspace) -> Card:
    title = Text("pm.me.title")
    return Card(
        summary=title,
        header=Header(title),
        parts=(
            fields(
                (Text("pm.me.role"), Text(f"role.{actor.role}")),
                (Text("pm.me.lang"), actor.lang),
                (Text("pm.me.tz"), actor.tz),
                (Text("pm.me.workspace"), joined([workspace.default_lang, workspace.default_tz])),
            ),
        ),
    )


def roles_card(held: dict[str, list[int]], people: dict[int, tuple[str, str | None]]) -> Card:
    def named(ids: list[int]) -> Line:
        found = [Mention(*people[i]) for i in ids if i in people]
        return joined(found, ", ") if found else Text("common.none")

    title = Text("pm.role.title")
    return Card(
        summary=title,
        header=Header(title),
        parts=(
            fields(
                (Text("pm.role.admins"), named(held[Role.ADMIN])),
                (Text("pm.role.approvers"), named(held[Role.APPROVER])),
            ),
        ),
    )
