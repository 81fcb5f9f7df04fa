"""Putting effects in the outbox: which effects are durable, and what a row carries to be drawn later."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.effects import Where
from bot.outbox.codec import decode, encode
from bot.render.viewer import Viewer
from handlers.core.reply import DirectMessage, Effect, PostToChannel, UpdateTracked, UploadFile
from models import outbox

# How long each kind is worth trying: a card or a DM still helps hours later; a chart is part of an answer.
WITHIN = {
    "post": timedelta(hours=6),
    "direct": timedelta(hours=6),
    "update": timedelta(hours=6),
    "upload": timedelta(hours=1),
}
KINDS: dict[type, str] = {PostToChannel: "post", DirectMessage: "direct", UpdateTracked: "update", UploadFile: "upload"}


def kind_of(effect: Effect) -> str | None:
    """The outbox kind of an effect; None for what belongs to the request itself (forms, profiles)."""
    return KINDS.get(type(effect))


def add(
    *,
    db: Session,
    effect: Effect,
    platform: str,
    team_ref: str | None,
    viewer: Viewer,
    where: Where,
    tell_member_id: int | None = None,
    within: timedelta | None = None,
    not_before: datetime | None = None,
) -> int:
    kind = kind_of(effect)
    if kind is None:
        raise ValueError(f"{type(effect).__name__} is not delivered through the outbox")
    target = getattr(effect, "channel_ref", None) or where.channel_ref or where.user_ref
    if isinstance(effect, DirectMessage):
        target = f"member:{effect.member_id}"
    base = ("workspace_id", "user_ref", "channel_ref", "thread_ref")
    where_fields = {k: v for k, v in asdict(where).items() if k in base}
    payload = json.dumps(
        {
            "effect": encode(_drawn_only(effect)),
            "viewer": [viewer.lang, viewer.tz],
            "where": where_fields,
            "team": team_ref,
        }
    )
    return outbox.enqueue(
        db=db,
        kind=kind,
        platform=platform,
        workspace_id=where.workspace_id,
        target=str(target or ""),
        payload=payload,
        within=within or WITHIN[kind],
        tell_member_id=tell_member_id,
        not_before=not_before,
    )


def _drawn_only(effect: Effect) -> Effect:
    """The effect with its replies' own effects left out: a posted reply is drawn, its effects are not
    run again (a front end's post of the answer holds the answer, effects and all, itself included)."""
    if isinstance(effect, PostToChannel):
        thread = tuple(replace(r, effects=[]) for r in effect.thread)
        return replace(effect, reply=replace(effect.reply, effects=[]), thread=thread)
    if isinstance(effect, DirectMessage | UpdateTracked):
        return replace(effect, reply=replace(effect.reply, effects=[]))
    return effect


def unpack(payload: str) -> tuple[Effect, Viewer, Where, str | None]:
    data: dict[str, Any] = json.loads(payload)
    lang, tz = data["viewer"]
    return decode(data["effect"]), Viewer(lang, tz), Where(**data["where"]), data.get("team")
