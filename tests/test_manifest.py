"""The Slack manifest declares every slash command the bot answers, escaped, on the one events URL."""

from __future__ import annotations

import re
from pathlib import Path

from bot.settings import SLACK_BOT_SCOPES, Settings
from handlers import REGISTRY

MANIFEST = (Path(__file__).resolve().parent.parent / "manifest.yml").read_text()


def test_every_command_root_is_in_the_manifest_with_escaping() -> None:
    declared = re.findall(r"- command: /(\S+)", MANIFEST)
    assert sorted(declared) == REGISTRY.roots
    assert MANIFEST.count("should_escape: true") == len(declared)


def test_commands_interactivity_and_events_share_one_url() -> None:
    urls = set(re.findall(r"(?:url|request_url): (\S+)", MANIFEST))
    assert urls == {"https://YOUR-HOST/slack/events"}


def test_the_install_flow_asks_for_the_scopes_the_manifest_declares_and_returns_to_its_redirect_url() -> None:
    bot_scopes = MANIFEST.split("    bot:\n", 1)[1].split("settings:", 1)[0]
    declared = re.findall(r"^\s+- ([a-z_:.]+)", bot_scopes, flags=re.M)
    assert declared == SLACK_BOT_SCOPES.split(",")
    assert Settings(_env_file=None).slack_scope_list == declared  # type: ignore[call-arg]
    assert re.findall(r"redirect_urls:\n\s+- (\S+)", MANIFEST) == ["https://YOUR-HOST/slack/oauth_redirect"]


def test_the_home_tab_and_the_events_that_install_and_remove_the_app_are_on() -> None:
    assert "home_tab_enabled: true" in MANIFEST
    events = re.findall(r"^      - ([a-z_.]+)", MANIFEST.split("bot_events:", 1)[1], flags=re.M)
    assert {"app_home_opened", "app_uninstalled", "tokens_revoked"} <= set(events)
