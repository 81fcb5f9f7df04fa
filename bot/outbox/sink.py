"""Where front ends put the effects the outbox delivers: in the command's own transaction (`stage`), or in
a transaction of their own right after it (`put`), for effects added once the answer is known."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.db import session_scope
from bot.effects import Where
from bot.outbox import queue
from bot.render.viewer import Viewer
from handlers.core.reply import Effect


class OutboxSink:
    def __init__(
        self,
        engine: Engine,
        wake: Callable[[], None] = lambda: None,
        *,
        defer: Callable[[Session, int, str, datetime | None], None] | None = None,
    ) -> None:
        self.engine = engine
        self._wake = wake
        self._defer = defer  # workers on procrastinate: the row's job, in the same transaction

    def stage(
        self,
        db: Session,
        effects: list[Effect],
        *,
        platform: str,
        team_ref: str | None,
        viewer: Viewer,
        where: Where,
        tell_member_id: int | None,
    ) -> list[Effect]:
        """Store the durable effects in `db`'s transaction; returns the others (forms, profile reads)."""
        rest = []
        for effect in effects:
            if queue.kind_of(effect) is None:
                rest.append(effect)
                continue
            row_id = queue.add(
                db=db,
                effect=effect,
                platform=platform,
                team_ref=team_ref,
                viewer=viewer,
                where=where,
                tell_member_id=tell_member_id,
            )
            if self._defer is not None:
                self._defer(db, row_id, platform, None)
        return rest

    def put(
        self,
        effects: list[Effect],
        *,
        platform: str,
        team_ref: str | None,
        viewer: Viewer,
        where: Where,
        tell_member_id: int | None,
    ) -> list[Effect]:
        if not any(queue.kind_of(e) for e in effects):
            return effects
        with session_scope(self.engine) as db:
            rest = self.stage(
                db,
                effects,
                platform=platform,
                team_ref=team_ref,
                viewer=viewer,
                where=where,
                tell_member_id=tell_member_id,
            )
        self.wake()
        return rest

    def wake(self) -> None:
        self._wake()
