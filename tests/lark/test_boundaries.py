"""Where Lark lives: only bot/lark imports lark_oapi; settings read LARK_DOMAIN as a name or an origin."""

from __future__ import annotations

import pytest

from bot.settings import Settings
from tests.test_layers import ROOT, imports


def test_only_bot_lark_imports_the_lark_sdk() -> None:
    users = sorted(
        p for package in ("bot", "handlers", "models") for p, n in imports(package).items() if "lark_oapi" in n
    )
    assert users and all(p.startswith("bot/lark/") for p in users), users
    assert (ROOT / "bot" / "lark" / "ws.py").exists()


@pytest.mark.parametrize(
    ("given", "origin"),
    [
        ("feishu", "https://open.feishu.cn"),
        ("Lark", "https://open.larksuite.com"),
        ("http://127.0.0.1:8123/", "http://127.0.0.1:8123"),
        ("https://open.feishu.cn", "https://open.feishu.cn"),
    ],
)
def test_lark_domain_is_a_name_or_an_origin(given: str, origin: str) -> None:
    assert Settings(lark_domain=given, _env_file=None).lark_domain == origin  # type: ignore[call-arg]


def test_lark_is_enabled_for_http_only_with_a_way_to_verify_requests() -> None:
    app = {"lark_app_id": "cli_x", "lark_app_secret": "s", "_env_file": None}
    assert not Settings(**app).lark_enabled  # type: ignore[arg-type]
    assert Settings(**app).lark_app_ready  # type: ignore[arg-type]
    assert Settings(**app, lark_verification_token="v").lark_enabled  # type: ignore[arg-type]


def test_one_serve_takes_slack_and_lark_side_by_side(runtime, fake_slack, fake_lark, database_url) -> None:
    from bot.web import create_app
    from tests.conftest import slack_settings
    from tests.lark.conftest import lark_settings

    both = lark_settings(database_url, fake_lark).model_copy(
        update=slack_settings(database_url, fake_slack).model_dump(
            include={"slack_bot_token", "slack_signing_secret", "slack_api_url"}
        )
    )
    app = create_app(both, runtime)
    assert {r.path for r in app.routes} == {"/healthz", "/api/figures", "/slack/events", "/lark/events"}
    assert app.state.lark is not None


def test_one_registry_knows_the_configured_platforms_and_loads_lark_only_for_lark(
    database_url, fake_slack, fake_lark
) -> None:
    """bot/delivery.py Platforms: what the scheduler, the JOBS runner and /api/figures deliver through. In a
    fresh interpreter, a Slack-only registry that delivers never imports lark_oapi; a Lark one does."""
    import subprocess
    import sys

    script = """
import sys
from bot.db import make_engine
from bot.delivery import Platforms
from tests.conftest import slack_settings
from tests.lark.conftest import lark_settings
from tests.fakes.lark_api import FakeLark
from tests.fakes.slack_api import FakeSlack
url, which = sys.argv[1], sys.argv[2]
engine = make_engine(url)
settings = slack_settings(url, FakeSlack()) if which == "slack" else lark_settings(url, FakeLark())
platforms = Platforms.from_settings(settings, engine)
assert platforms.names == {which}, platforms.names
assert "lark_oapi" not in sys.modules
assert platforms.runner(which) is not None and platforms.runner("console") is None
print("lark_oapi" in sys.modules)
"""
    seen = {}
    for which in ("slack", "lark"):
        done = subprocess.run(
            [sys.executable, "-c", script, database_url, which],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        seen[which] = done.stdout.strip()
    assert seen == {"slack": "False", "lark": "True"}


def test_a_group_chat_is_linked_where_lark_can_open_it() -> None:
    from bot.lark.client import applink_origin
    from bot.render.lark import LarkRenderer
    from bot.render.viewer import Viewer
    from handlers.digest.cards import unreachable_reply
    from tests.support.lark_requests import card_text

    reply = unreachable_reply("oc_1a2b", "lark")
    feishu = LarkRenderer(applink=applink_origin(Settings(lark_domain="feishu", _env_file=None).lark_domain))  # type: ignore[call-arg]
    linked = card_text(feishu.card(reply, Viewer("zh-CN")))
    assert "[该群](https://applink.feishu.cn/client/chat/open?openChatId=oc_1a2b)" in linked
    assert applink_origin(Settings(lark_domain="lark", _env_file=None).lark_domain) == "https://applink.larksuite.com"  # type: ignore[call-arg]
    private = card_text(LarkRenderer(applink=applink_origin("http://127.0.0.1:8123")).card(reply, Viewer("en")))
    assert "in the group chat:" in private and "http" not in private
