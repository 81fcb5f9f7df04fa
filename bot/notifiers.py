"""The Notifier of each chat platform the settings configure, by platform name (a workspace's `platform`).

A front end that can speak outside a request registers a factory in FACTORIES; the scheduler picks the
notifier for each workspace from what `notifiers_from_settings` returns.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.notify import Notifier
from bot.settings import Settings

NotifierFactory = Callable[[Settings], Notifier | None]


def _slack(settings: Settings) -> Notifier | None:
    if not settings.slack_bot_token:
        return None
    from bot.render.slack import SlackRenderer
    from bot.slack.app import make_client
    from bot.slack.notifier import SlackNotifier

    return SlackNotifier(make_client(settings), SlackRenderer())


# platform name → factory; None when the platform is not configured. The Lark front end adds "lark".
FACTORIES: dict[str, NotifierFactory] = {"slack": _slack}


def notifiers_from_settings(settings: Settings) -> dict[str, Notifier]:
    found: dict[str, Notifier] = {}
    for platform, make in FACTORIES.items():
        notifier = make(settings)
        if notifier is not None:
            found[platform] = notifier
    return found
