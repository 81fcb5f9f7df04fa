"""Filing a risk: the shared path of `/risk add` and the `/risk` form, and the form itself."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from handlers.core import fields
from handlers.core.command import ActionInput
from handlers.core.reply import Choice, Form, FormField, InvalidFields, PostToChannel, Reply, Text, Visibility
from handlers.risks import cards as view_of
from handlers.risks.input import DEFAULT_CADENCE_DAYS, OPTION_KEYS, risk_values
from models.market_codes import COMMON_MARKETS
from models.risks import risk as risk_model
from models.risks.grid import ALERT_BANDS, band, score
from models.risks.risk import Category

FORM_ACTION = "risk.form"
FORM_CURRENCIES = (
    "CNY",
    "USD",
    "EUR",
    "GBP",
    "JPY",
    "HKD",
    "SGD",
    "MYR",
    "THB",
    "IDR",
    "PHP",
    "VND",
    "AUD",
    "CAD",
    "MXN",
    "BRL",
    "KRW",
)


def filed(
    db: Session, workspace_id: int, member_id: int, values: dict[str, Any], channel: str | None, *, today: date
) -> Reply:
    """Store a new risk. A low or medium one is answered in the channel; a high or critical one is posted
    there as a card with decision buttons, remembered so that every later change redraws it."""
    values = {**values, "channel_ref": channel}
    values.setdefault("owner_id", member_id)
    if "next_review" not in values:
        days = DEFAULT_CADENCE_DAYS[band(score(values["likelihood"], values["impact"]))]
        values["review_every_days"], values["next_review"] = days, today + timedelta(days=days)
    view = risk_model.create(db=db, workspace_id=workspace_id, reporter_id=member_id, values=values)
    item = view.item
    params = {"key": item.key, "score": item.score, "band": Text(f"risk.band.{item.band}")}
    if item.band in ALERT_BANDS:
        reply = Reply.message("risk.added_posted", **params)
        reply.effects.append(view_of.posted_card(db, view, today=today, notice=Text("risk.added_grave", params)))
        return reply
    return view_of.card(db, view, today=today, notice=Text("risk.added", params), visibility=Visibility.CHANNEL)


def on_form(action: ActionInput, db: Session) -> Reply:
    raw = {k: v for k, v in (action.form or {}).items() if k in OPTION_KEYS and v not in (None, "", [])}
    raw.setdefault("title", "")
    today = fields.local_today(action.actor.tz)
    try:
        values = risk_values(raw, db=db, actor=action.actor, today=today, for_edit=False, from_form=True)
    except InvalidFields as err:
        return Reply("silent", form_errors=err.by_field())
    missing = {k: Text("field.required") for k in ("category", "likelihood", "impact") if k not in raw}
    if missing:
        return Reply("silent", form_errors=missing)
    reply = filed(db, action.actor.workspace_id, action.actor.member_id, values, action.channel_ref, today=today)
    if reply.kind == "message":
        return Reply("silent", effects=reply.effects)  # the tracked card is the announcement
    return Reply("silent", effects=[PostToChannel(reply, action.channel_ref)])


def new_risk_form(lang: str) -> Form:
    zh = lang.startswith("zh")
    markets = tuple(Choice(code, f"{code} · {zh_name if zh else en_name}") for code, en_name, zh_name in COMMON_MARKETS)
    levels = tuple(Choice(str(n), Text(f"risk.likelihood.{n}")) for n in range(1, 6))
    impacts = tuple(Choice(str(n), Text(f"risk.impact.{n}")) for n in range(1, 6))
    return Form(
        action=FORM_ACTION,
        title=Text("risk.form.title"),
        fields=(
            FormField("title", Text("risk.field.title"), required=True, max_length=risk_model.TITLE_MAX),
            FormField(
                "category",
                Text("risk.field.category"),
                kind="select",
                required=True,
                options=tuple(Choice(c.value, Text(f"risk.category.{c.value}")) for c in Category),
            ),
            FormField("likelihood", Text("risk.field.likelihood"), kind="select", required=True, options=levels),
            FormField("impact", Text("risk.field.impact"), kind="select", required=True, options=impacts),
            FormField("owner", Text("risk.field.owner_id"), kind="user"),
            FormField("market", Text("risk.field.markets"), kind="multiselect", options=markets),
            FormField(
                "exposure", Text("risk.field.exposure_amount"), max_length=40, hint=Text("risk.form.exposure_hint")
            ),
            FormField(
                "currency",
                Text("risk.field.exposure_currency"),
                kind="select",
                options=tuple(Choice(c, c) for c in FORM_CURRENCIES),
            ),
            FormField("review", Text("risk.field.review"), max_length=40, hint=Text("risk.form.review_hint")),
            FormField("req", Text("risk.field.requirement_id"), max_length=20, hint=Text("risk.form.req_hint")),
        ),
    )
