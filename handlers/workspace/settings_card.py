"""The card of `/pm settings`: who may change digest settings and FX rates, and who may be named
to decide an approval."""

from __future__ import annotations

from handlers.core.card import Card, Fields, Header, Note
from handlers.core.reply import Reply, Text
from models.workspace import Role


def roles_text(roles: tuple[Role, ...]) -> Text:
    return Text("pm.settings.roles", {"roles": [Text(f"role.{r.value}") for r in roles]})


def settings_reply(
    digest_editors: tuple[Role, ...],
    fx_editors: tuple[Role, ...],
    adhoc: bool,
    *,
    calendar: str | None = None,
    blocker_days: int = 3,
    notice: Text | None = None,
) -> Reply:
    title = Text("pm.settings.title")
    named = Text("pm.settings.adhoc_on" if adhoc else "pm.settings.adhoc_off")
    card = Card(
        summary=notice or title,
        header=Header(title),
        parts=(
            Fields(
                (
                    (Text("pm.settings.digest_editors"), roles_text(digest_editors)),
                    (Text("pm.settings.fx_editors"), roles_text(fx_editors)),
                    (Text("pm.settings.adhoc_approvers"), named),
                    (Text("pm.settings.calendar"), Text(f"pm.calendar.{calendar or 'none'}")),
                    (Text("pm.settings.blocker_days"), Text("pm.settings.days", {"n": blocker_days})),
                )
            ),
            Note((Text("pm.settings.hint"),)),
        ),
        notice=(notice,) if notice else (),
    )
    return Reply("workspace_settings", card=card)
