"""The Slack manifest declares every slash command the bot answers, escaped, on the one events URL."""

from __future__ import annotations

import re
from pathlib import Path

from handlers import REGISTRY

MANIFEST = (Path(__file__).resolve().parent.parent / "manifest.yml").read_text()


def test_every_command_root_is_in_the_manifest_with_escaping() -> None:
    declared = re.findall(r"- command: /(\S+)", MANIFEST)
    assert sorted(declared) == REGISTRY.roots
    assert MANIFEST.count("should_escape: true") == len(declared)


def test_commands_interactivity_and_events_share_one_url() -> None:
    urls = set(re.findall(r"(?:url|request_url): (\S+)", MANIFEST))
    assert urls == {"https://YOUR-HOST/slack/events"}
