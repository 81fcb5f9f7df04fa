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
