"""Runs commands and actions for any front end: who is asking, one transaction, and every fault turned
into a reply the user can read."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session

from bot import deadline
from bot.background import Background
from bot.db import deferred, forget_writes, session_scope, upgrade_refused, wrote
from bot.effects import Where
from bot.outage import DatabaseHealth, is_outage
from bot.render.viewer import Viewer
from handlers.core.command import UNKNOWN, ActionInput, Actor, CommandInput, Registry
from handlers.core.fields import without_nul
from handlers.core.reply import Attachment, RefreshProfile, Reply, UsageError
from handlers.core.views import usage_reply
from models.request_claim import claim_request, is_claimed
from models.workspace import ensure_member, ensure_workspace, people_version

if TYPE_CHECKING:
    from bot.outbox.loop import OutboxLoop
    from bot.outbox.sink import OutboxSink

log = logging.getLogger(__name__)

# Lark tenants are mostly Chinese-speaking companies; Slack and the console follow the settings.
PLATFORM_LANG = {"lark": "zh-CN"}
MAX_NAME = 120  # the longest team or person name stored (models/workspace.py)


@dataclass(frozen=True)
class Caller:
    """Who is asking, in the platform's own ids."""

    platform: str
    team_ref: str
    user_ref: str
    team_name: str | None = None
    user_name: str | None = None
    channel_ref: str | None = None


class ActorCache:
    """Who each (platform, team, user) is, so that a command does not spend two queries on it.

    Each entry remembers the workspace's people_version it was read at. A request reads that version
    (one row by its unique key) in its own transaction and uses an entry only when it still matches:
    any process that changes a role, a language, a time zone or a setting bumps it in the same
    transaction, so every other process reads people afresh on its next request. Entries also expire
    after TTL_S, a backstop for changes written outside the models (by hand, say).
    """

    TTL_S = 300.0
    MAX = 10_000

    def __init__(self, ttl_s: float = TTL_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self._clock = clock
        self._entries: dict[tuple[str, str, str], tuple[float, int, Actor]] = {}
        self._lock = threading.Lock()

    def has(self, caller: Caller) -> bool:
        return (caller.platform, caller.team_ref, caller.user_ref) in self._entries

    def get(self, caller: Caller, version: int | None) -> Actor | None:
        entry = self._entries.get((caller.platform, caller.team_ref, caller.user_ref))
        if entry is None or entry[0] < self._clock() or entry[1] != version:
            return None
        return entry[2]

    def put(self, caller: Caller, actor: Actor, version: int) -> None:
        with self._lock:
            if len(self._entries) >= self.MAX:
                self._entries.clear()
            key = (caller.platform, caller.team_ref, caller.user_ref)
            self._entries[key] = (self._clock() + self.ttl_s, version, actor)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


@dataclass
class Outcome:
    reply: Reply
    viewer: Viewer
    actor: Actor | None = None
    repeated: bool = False  # the same request was carried out before; nothing was done this time
    queued: bool = False  # it put effects in the outbox, committed with it


class Runtime:
    def __init__(
        self, engine: Engine, registry: Registry, *, default_lang: str = "en", default_tz: str = "UTC"
    ) -> None:
        self.engine = engine
        self.deferred = deferred(engine)
        self.registry = registry
        self.default_lang = default_lang
        self.default_tz = default_tz
        self.actors = ActorCache()
        self.background = Background()
        self.health = DatabaseHealth()
        # Where durable effects go (bot/outbox/sink.py); None: they run after the answer, in this process.
        self.outbox: OutboxSink | None = None
        self.outbox_loop: OutboxLoop | None = None  # the embedded delivery thread, when this process has one

    def settle(self, timeout: float = 10.0) -> bool:
        """Wait until the work after the answers so far is done and the outbox has nothing due (tests)."""
        idle = self.background.wait_idle(timeout)
        if self.outbox_loop is not None:
            idle = self.outbox_loop.drain(timeout) and idle
        return idle

    def command(
        self,
        caller: Caller,
        root: str,
        text: str,
        *,
        once: str | None = None,
        where: Where | None = None,
        event: bool = False,
    ) -> Outcome:
        """Run a command. `once` names the request (models.request_claim.request_key of the platform's
        ids for it): a request carried out before is answered as already done and not run again.
        With `where` (where the request came from), the reply's durable effects are put in the outbox in
        the command's own transaction.

        `event`: the command came in a platform event (a message), whose answer is posted: it is
        claimed even when it only read, in the same transaction, so that an event is marked done
        exactly when its handling commits and a redelivery, to this process or another, posts nothing."""
        changes_people = False
        caller, root, text = _clean(caller), without_nul(root), without_nul(text)

        def run(actor: Actor, db: Session) -> Reply:
            nonlocal changes_people
            try:
                resolved = self.registry.resolve(root, text)
                changes_people = resolved.spec.changes_people
                cmd = CommandInput(
                    actor=actor,
                    slug=resolved.spec.slug,
                    args=resolved.args,
                    channel_ref=caller.channel_ref,
                    text=resolved.text,
                )
                return resolved.spec.handler(cmd, db)
            except UsageError as err:
                if err.text.key in UNKNOWN:
                    raise self.registry.did_you_mean(err, root, text) from err
                raise

        outcome = self._run(caller, run, once, where, claim_reads=event)
        if changes_people:
            self.actors.clear()
        return outcome

    def action(
        self,
        caller: Caller,
        name: str,
        payload: dict[str, Any],
        form: dict[str, Any] | None = None,
        files: tuple[Attachment, ...] = (),
        *,
        once: str | None = None,
    ) -> Outcome:
        spec = self.registry.action(name)
        caller, payload, form = _clean(caller), without_nul(payload), without_nul(form)

        def run(actor: Actor, db: Session) -> Reply:
            if spec is None:
                return Reply.message("common.button_expired")
            act = ActionInput(
                actor=actor, action=name, payload=payload, form=form, channel_ref=caller.channel_ref, files=files
            )
            return spec.handler(act, db)

        return self._run(caller, run, once)

    def forget_people(self) -> None:
        """Someone's language, time zone or role changed: read people afresh."""
        self.actors.clear()

    def _run(
        self,
        caller: Caller,
        work: Callable[[Actor, Session], Reply],
        once: str | None,
        where: Where | None = None,
        *,
        claim_reads: bool = False,
    ) -> Outcome:
        try:
            try:
                outcome = self._attempt(caller, work, once, where=where, claim_reads=claim_reads, engine=self.deferred)
            except _Refused:
                # SQLite: another process wrote while this unit read; nothing was written. Again, with
                # the write lock taken up front (waiting for it within the request's budget).
                outcome = self._attempt(caller, work, once, where=where, claim_reads=claim_reads)
            if outcome.queued and self.outbox is not None:
                self.outbox.wake()  # only when there is something to deliver: each wake costs the loop a poll
            return outcome
        except DBAPIError as err:
            if not err.connection_invalidated:
                raise
            # A pooled connection died (the database restarted); the unit never committed, so run it
            # once more on a fresh connection instead of pinging before every checkout.
            log.info("database connection was lost; retrying once")
            return self._attempt(caller, work, once, last_try=True, where=where, claim_reads=claim_reads)

    def _attempt(
        self,
        caller: Caller,
        work: Callable[[Actor, Session], Reply],
        once: str | None,
        *,
        last_try: bool = False,
        where: Where | None = None,
        claim_reads: bool = False,
        engine: Engine | None = None,
    ) -> Outcome:
        actor: Actor | None = None
        retry_locked = engine is not None and engine is not self.engine
        try:
            with session_scope(engine or self.engine) as db:
                cached = self._cached(db, caller)
                if cached is None:
                    actor, created, version = self._actor(db, caller)
                else:
                    (actor, version), created = cached, False
                if once is not None:
                    if is_claimed(db=db, platform=caller.platform, key=once):
                        return self._repeated(caller, actor)
                    forget_writes(db)
                try:
                    reply = work(actor, db)
                except UsageError as err:
                    db.rollback()
                    self.health.ok()
                    return Outcome(usage_reply(err), self._viewer(actor), actor)
                claim = once is not None and (claim_reads or wrote(db))
                if claim and not claim_request(db=db, platform=caller.platform, key=once):  # type: ignore[arg-type]
                    db.rollback()  # the same request, at the same moment, was committed first: undo this one
                    return self._repeated(caller, actor)
                if created and caller.platform == "slack":
                    reply.effects.append(RefreshProfile(actor.member_id, caller.user_ref))
                queued = False
                if where is not None and self.outbox is not None:
                    effects = len(reply.effects)
                    reply.effects = self.outbox.stage(
                        db,
                        reply.effects,
                        platform=caller.platform,
                        team_ref=caller.team_ref,
                        viewer=self._viewer(actor, reply),
                        where=replace(where, workspace_id=actor.workspace_id),
                        tell_member_id=actor.member_id,
                    )
                    queued = len(reply.effects) < effects
            self.health.ok()
            if cached is None:
                self.actors.put(caller, actor, version)  # only once its rows are committed
            return Outcome(reply, self._viewer(actor, reply), actor, queued=queued)
        except (DBAPIError, PoolTimeout) as err:
            if retry_locked and upgrade_refused(err) and not deadline.expired():
                raise _Refused from err
            lost = isinstance(err, DBAPIError) and err.connection_invalidated
            if lost and not last_try and not deadline.expired():
                raise
            if is_outage(err):
                self.health.failed(err, caller.platform)
            else:
                log.exception("the database refused a statement while serving %s", caller.platform)
            return Outcome(Reply.message("common.unavailable"), self._viewer(actor), actor)
        except Exception:
            ref = uuid.uuid4().hex[:8]
            log.exception("unexpected error %s while serving %s", ref, caller)
            return Outcome(Reply.message("common.internal_error", ref=ref), self._viewer(actor), actor)

    def _repeated(self, caller: Caller, actor: Actor) -> Outcome:
        log.info("%s request already carried out; replay answered as done", caller.platform)
        return Outcome(Reply.message("common.already_done"), self._viewer(actor), actor, repeated=True)

    def _cached(self, db: Session, caller: Caller) -> tuple[Actor, int] | None:
        """The cached actor, when the workspace's people have not changed since it was read."""
        if not self.actors.has(caller):
            return None
        version = people_version(db=db, platform=caller.platform, external_id=caller.team_ref)
        actor = self.actors.get(caller, version)
        return None if actor is None or version is None else (actor, version)

    def _actor(self, db: Session, caller: Caller) -> tuple[Actor, bool, int]:
        workspace = ensure_workspace(
            db=db,
            platform=caller.platform,
            external_id=caller.team_ref,
            name=caller.team_name,
            default_lang=PLATFORM_LANG.get(caller.platform, self.default_lang),
            default_tz=self.default_tz,
        )
        assert workspace.id is not None
        member, created = ensure_member(
            db=db, workspace_id=workspace.id, external_id=caller.user_ref, display_name=caller.user_name
        )
        assert member.id is not None
        actor = Actor(
            workspace_id=workspace.id,
            member_id=member.id,
            platform=caller.platform,
            user_ref=caller.user_ref,
            name=member.display_name,
            role=member.role,
            lang=member.lang or workspace.default_lang,
            tz=member.tz or workspace.default_tz,
        )
        return actor, created, workspace.people_version

    def _viewer(self, actor: Actor | None, reply: Reply | None = None) -> Viewer:
        if actor is None:
            return Viewer(self.default_lang, self.default_tz)
        return Viewer((reply.lang if reply else None) or actor.lang, actor.tz)


class _Refused(Exception):
    """A deferred SQLite unit was refused the write lock; it is run again with BEGIN IMMEDIATE."""


def _clean(caller: Caller) -> Caller:
    """The caller without NUL characters, and with names no longer than a name column holds."""
    changes: dict[str, Any] = {}
    for field in fields(caller):
        value = getattr(caller, field.name)
        if isinstance(value, str):
            cleaned = without_nul(value)
            if field.name in ("team_name", "user_name"):
                cleaned = cleaned[:MAX_NAME]
            if cleaned != value:
                changes[field.name] = cleaned
    return replace(caller, **changes) if changes else caller
