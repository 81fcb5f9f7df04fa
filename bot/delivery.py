"""The chat platforms this process can speak on outside a request's own answer, by platform name (a
workspace's `platform`): each one's Notifier and the EffectRunner over it.

One registry for everything that answers no request: the scheduler (digests, standup reminders, every
feature's JOBS) and the alerts of POST /api/figures. `Platforms.from_settings(settings, engine)` knows
which platforms the settings configure; each notifier is built on first use, so that a process without
Lark settings never imports lark_oapi (nor Slack's SDK without Slack settings).

Slack installed in many workspaces speaks with each one's own bot token: its notifier is asked for by
team (`notifier("slack", "T123")`), and there is none for a team that removed the app.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from bot.db import session_scope
from bot.effects import EffectRunner, Where
from bot.notify import ChannelUnreachable, Notifier
from bot.render.viewer import Viewer
from bot.settings import Settings
from handlers.core.jobs import Delivery
from models.workspace import Workspace

log = logging.getLogger(__name__)


def _slack(settings: Settings, outbox: bool = False) -> Notifier:
    from bot.render.slack import SlackRenderer
    from bot.slack.notifier import SlackNotifier
    from bot.slack.tokens import make_client

    return SlackNotifier(make_client(settings, outbox=outbox), SlackRenderer())


def _slack_teams(settings: Settings, engine: Engine, outbox: bool = False) -> Callable[[str], Notifier | None]:
    from bot.render.slack import SlackRenderer
    from bot.slack.notifier import SlackNotifier
    from bot.slack.tokens import SlackTokens

    tokens, renderer = SlackTokens(settings, engine, outbox=outbox), SlackRenderer()

    def for_team(team_ref: str) -> Notifier | None:
        client = tokens.client(team_ref)
        return SlackNotifier(client, renderer) if client is not None else None

    return for_team


def _lark(settings: Settings) -> Notifier:
    from bot.lark.notifier import make_notifier  # lark_oapi takes seconds to import: only when configured

    return make_notifier(settings)


@dataclass(frozen=True)
class PlatformSpec:
    configured: Callable[[Settings], bool]
    build: Callable[[Settings], Notifier]


# Every chat platform that can speak outside a request: when the settings configure it, and its notifier.
PLATFORMS: dict[str, PlatformSpec] = {
    "slack": PlatformSpec(lambda s: bool(s.slack_bot_token) and not s.slack_oauth, _slack),
    "lark": PlatformSpec(lambda s: s.lark_app_ready, _lark),
}


def served_team(workspace: Workspace | None, platforms: frozenset[str]) -> tuple[str, str] | None:
    """(platform, team id) of a workspace this process can post to and that still has the app installed."""
    if workspace is None or workspace.platform not in platforms or workspace.uninstalled_at is not None:
        return None
    return workspace.platform, workspace.external_id


class Platforms:
    def __init__(
        self,
        engine: Engine,
        builders: Mapping[str, Callable[[], Notifier]],
        per_team: Mapping[str, Callable[[], Callable[[str], Notifier | None]]] | None = None,
    ) -> None:
        self.engine = engine
        self._builders = dict(builders)
        self._per_team_builders = dict(per_team or {})
        self._per_team: dict[str, Callable[[str], Notifier | None]] = {}
        self._notifiers: dict[str, Notifier] = {}
        self._runners: dict[str, EffectRunner] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, engine: Engine, *, outbox: bool = False) -> Platforms:
        """With `outbox`, Slack clients that retry nothing themselves (the outbox's workers)."""
        builders = {
            name: (lambda spec=spec: spec.build(settings))
            for name, spec in PLATFORMS.items()
            if spec.configured(settings)
        }
        if outbox and "slack" in builders:
            builders["slack"] = lambda: _slack(settings, outbox=True)
        per_team = {}
        if settings.slack_oauth:
            builders.pop("slack", None)
            per_team["slack"] = lambda: _slack_teams(settings, engine, outbox=outbox)
        return cls(engine, builders, per_team)

    @classmethod
    def of(cls, engine: Engine, notifiers: Mapping[str, Notifier]) -> Platforms:
        """Notifiers already built (a front end's own, or a test's)."""
        platforms = cls(engine, {name: (lambda n=notifier: n) for name, notifier in notifiers.items()})
        for name in notifiers:
            platforms.notifier(name)
        return platforms

    @property
    def names(self) -> frozenset[str]:
        """The platforms this process can post to."""
        return frozenset(self._builders) | frozenset(self._per_team_builders)

    def notifier(self, platform: str, team_ref: str | None = None) -> Notifier | None:
        """The platform's notifier; for one installed per team, that team's (None without a team)."""
        if platform in self._per_team_builders:
            with self._lock:
                if platform not in self._per_team:
                    self._per_team[platform] = self._per_team_builders[platform]()
                for_team = self._per_team[platform]
            return for_team(team_ref) if team_ref else None
        build = self._builders.get(platform)
        if build is None:
            return None
        with self._lock:
            if platform not in self._notifiers:
                self._notifiers[platform] = build()
                self._runners[platform] = EffectRunner(self._notifiers[platform], self.engine)
            return self._notifiers[platform]

    def runner(self, platform: str, team_ref: str | None = None) -> EffectRunner | None:
        notifier = self.notifier(platform, team_ref)
        if notifier is None:
            return None
        return self._runners.get(platform) or EffectRunner(notifier, self.engine)

    def deliver(self, deliveries: list[Delivery], *, retries: tuple[float, ...] = (), job: str = "delivery") -> int:
        """Carry out each delivery through its workspace's platform; returns how many went."""
        return sum(self.deliver_one(d, retries=retries, job=job) for d in deliveries)

    def deliver_one(self, delivery: Delivery, *, retries: tuple[float, ...] = (), job: str = "delivery") -> bool:
        """One delivery, in the workspace's language unless it names one (a direct message is drawn in
        its recipient's); a refusal is tried again after each pause in `retries`, then logged."""
        with session_scope(self.engine) as db:
            workspace = db.get(Workspace, delivery.workspace_id)
        what = type(delivery.effect).__name__
        if workspace is not None and workspace.uninstalled_at is not None:
            log.info("job %s: workspace %s removed the app; %s not sent", job, workspace.id, what)
            return False
        runner = self.runner(workspace.platform, workspace.external_id) if workspace else None
        if workspace is None or runner is None:
            log.error("job %s: no notifier for workspace %s; %s dropped", job, delivery.workspace_id, what)
            return False
        viewer = Viewer(delivery.lang or workspace.default_lang, workspace.default_tz)
        where = Where(workspace_id=workspace.id, user_ref="", channel_ref=getattr(delivery.effect, "channel_ref", None))
        for attempt, pause in enumerate((*retries, None), start=1):
            try:
                runner.run(delivery.effect, viewer, where)
                return True
            except ChannelUnreachable:
                log.error("job %s: channel unreachable; %s not delivered", job, what)
                return False
            except Exception:
                if pause is None:
                    log.exception(
                        "job %s: %s to workspace %s failed %d times; given up", job, what, workspace.id, attempt
                    )
                    return False
                log.warning("job %s: delivery attempt %d failed; retrying in %ss", job, attempt, pause, exc_info=True)
                time.sleep(pause)
        return False
