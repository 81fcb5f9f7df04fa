"""Deliveries that answer no request (alerts from POST /api/figures, the scheduler's jobs): each is carried
out through its workspace's own chat platform, by an EffectRunner built from the settings.

`PlatformRunners(settings, engine).deliver(deliveries)` is all a caller needs; `runner(platform)` gives
the EffectRunner of one platform (built on first use, so that a Slack-only process never loads lark_oapi).
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy.engine import Engine

from bot.db import session_scope
from bot.effects import EffectRunner, Where
from bot.render.environment import Viewer
from bot.settings import Settings
from handlers.core.jobs import Delivery
from models.workspace import Workspace

log = logging.getLogger(__name__)


def effect_runner(platform: str, settings: Settings, engine: Engine) -> EffectRunner | None:
    """An EffectRunner for a chat platform, or None when the settings cannot reach it."""
    if platform == "slack" and settings.slack_bot_token:
        from bot.render.slack import SlackRenderer
        from bot.slack.app import make_client
        from bot.slack.notifier import SlackNotifier

        return EffectRunner(SlackNotifier(make_client(settings), SlackRenderer()), engine)
    if platform == "lark" and settings.lark_app_ready:
        from bot.lark.notifier import make_notifier

        return EffectRunner(make_notifier(settings), engine)
    return None


class PlatformRunners:
    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self._runners: dict[str, EffectRunner | None] = {}
        self._lock = threading.Lock()

    def runner(self, platform: str) -> EffectRunner | None:
        with self._lock:
            if platform not in self._runners:
                self._runners[platform] = effect_runner(platform, self.settings, self.engine)
            return self._runners[platform]

    def deliver(self, deliveries: list[Delivery]) -> int:
        """Carry out each delivery through its workspace's platform, in the workspace's language unless
        the delivery names one (a direct message is drawn in its recipient's); returns how many went."""
        sent = 0
        workspaces: dict[int, Workspace | None] = {}
        for delivery in deliveries:
            if delivery.workspace_id not in workspaces:
                with session_scope(self.engine) as db:
                    workspaces[delivery.workspace_id] = db.get(Workspace, delivery.workspace_id)
            workspace = workspaces[delivery.workspace_id]
            runner = self.runner(workspace.platform) if workspace else None
            if workspace is None or runner is None:
                what = type(delivery.effect).__name__
                log.warning("no notifier for workspace %s: %s not sent", delivery.workspace_id, what)
                continue
            viewer = Viewer(delivery.lang or workspace.default_lang, workspace.default_tz)
            try:
                runner.run(delivery.effect, viewer, Where(workspace_id=delivery.workspace_id, user_ref=""))
                sent += 1
            except Exception:
                log.exception("delivery %s to workspace %s failed", type(delivery.effect).__name__, workspace.id)
        return sent
