"""The market cards drawn on Slack, Lark and the console, in English and Chinese: what a team typed into a
profile or a checklist, and a requirement's title, stay text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.render.lark import LarkRenderer
from bot.render.viewer import Viewer
from handlers.core.reply import Reply, Text
from handlers.markets import cards as view
from models.markets.launch_check import ItemState, MarketLaunch
from models.markets.profile import CheckItem, MarketProfile
from models.markets.queries import LaunchCard, ProfileCard
from tests.support.hostile import EVIL, LANGS, draw
from tests.support.hostile import assert_inert as assert_user_text_inert

AT = datetime(2026, 1, 2, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize("lang", LANGS)
def test_a_profile_shows_the_teams_text_as_typed_everywhere(lang: str) -> None:
    profile = MarketProfile(workspace_id=1, market="DE", payments=EVIL, platforms=["amazon", "otto"])
    items = [CheckItem("translation", True, None, 1), CheckItem("own1", False, EVIL, 2)]
    notice = Text("market.edited", {"market": "DE", "fields": "payments"})
    reply = Reply("market_profile", card=view.profile_card(ProfileCard("DE", profile, items), notice=notice))
    drawn = draw(reply, lang)
    assert_user_text_inert(drawn, in_summary=False)
    if lang == "en":
        assert "Market profile · DE · Germany" in drawn.text and f"Payment methods: {EVIL}" in drawn.text
        assert "Language: German" in drawn.text and "Preferred platforms: amazon, otto" in drawn.text
        assert "1. Translation reviewed by a native speaker" in drawn.text
        assert f"2. {EVIL} (optional)" in drawn.text
        assert "_(optional)_" in drawn.mrkdwn and "*(optional)*" in drawn.lark_text
        assert "not yet kept" not in drawn.text
    else:
        assert "市场画像 · DE · 德国" in drawn.text and f"2. {EVIL} （选填）" in drawn.text


@pytest.mark.parametrize("lang", LANGS)
def test_a_market_shown_from_nothing_says_so(lang: str) -> None:
    """BR: no profile kept, and no shipped defaults either."""
    drawn = draw(Reply("market_profile", card=view.profile_card(ProfileCard("BR", None, []))), lang)
    shown = drawn.text
    if lang == "en":
        assert "not yet kept for this workspace" in shown and "Tradewind ships no profile for BR" in shown
        assert "Currency: BRL" in shown and "Language: —" in shown
    else:
        assert "币种: BRL" in shown
    assert "`/market add BR`" in drawn.mrkdwn and "`/market add BR`" in drawn.lark_text


@pytest.mark.parametrize("lang", LANGS)
def test_the_list_of_profiles(lang: str) -> None:
    """Market codes and catalogue names only: nothing anyone typed is shown."""
    profiles = [MarketProfile(workspace_id=1, market="BR"), MarketProfile(workspace_id=1, market="DE")]
    drawn = draw(Reply("market_list", card=view.list_card(profiles)), lang)
    brazil = "• BR · Brazil" if lang == "en" else "• BR · 巴西"
    assert brazil in drawn.text and brazil in drawn.mrkdwn and brazil in drawn.lark_text
    assert "US, GB, FR, JP, SG, MY" in drawn.text  # shipped, not yet added: DE is
    empty = draw(Reply("market_list", card=view.list_card([])), lang)
    assert "/market add DE" in empty.text and "US, GB, DE, FR, JP, SG, MY" in empty.mrkdwn


def launch_card(*, launched: bool) -> LaunchCard:
    states = [
        ItemState(CheckItem("translation", True, None, 1), True, 7, AT),
        ItemState(CheckItem("own1", False, EVIL, 2), False, None, None),
        ItemState(CheckItem("marks", True, None, 3), launched, 7 if launched else None, AT if launched else None),
    ]
    launch = MarketLaunch(workspace_id=1, requirement_id=1, market="SG", approved_by=7, approved_at=AT)
    return LaunchCard(1, "REQ-1", EVIL, "SG", states, launch if launched else None, {7: ("U7", "li")})


@pytest.mark.parametrize("lang", LANGS)
def test_a_launch_check_shows_user_text_as_typed_everywhere(lang: str) -> None:
    data = launch_card(launched=False)
    notice = Text("market.launch.blocked", {"key": "REQ-1", "market": "SG", "items": [EVIL]})
    reply = Reply("market_check", card=view.launch_card(data, notice=notice), buttons=view.launch_buttons(data))
    drawn = draw(reply, lang)
    assert_user_text_inert(drawn, in_summary=False, people=("U7",))
    if lang == "en":
        assert "== Launch check · REQ-1 · SG · Singapore ==" in drawn.text and f"{EVIL} · 1 of 3 done" in drawn.text
        assert "✅ 1. Translation reviewed by a native speaker · @li, 2026-01-02 09:30" in drawn.text
        assert f"⬜ 2. {EVIL} (optional)" in drawn.text
        assert "Safety Mark for controlled goods" in drawn.text  # the shipped hint under item 3
        assert "Required items still open: 3." in drawn.text
    assert "<@U7>" in drawn.mrkdwn and "<at id=U7></at>" in drawn.markdown
    labels = [b.label.key for b in reply.buttons]
    assert labels == ["launch.untick", "launch.tick", "launch.tick", "launch.approve_button"]
    assert LarkRenderer().cards(reply, Viewer(lang))[0]["header"]["template"] == "blue"


@pytest.mark.parametrize("lang", LANGS)
def test_an_approved_launch(lang: str) -> None:
    data = launch_card(launched=True)
    reply = Reply("market_check", card=view.launch_card(data), buttons=view.launch_buttons(data))
    drawn = draw(reply, lang)
    assert_user_text_inert(drawn, in_summary=False, people=("U7",))
    assert "🚀 " in drawn.mrkdwn and "🚀 " in drawn.lark_text
    if lang == "en":
        assert "Launch approved by @li, 2026-01-02 09:30." in drawn.text and "2 of 3 done" in drawn.text
    assert "launch.approve_button" not in [b.label.key for b in reply.buttons]
    assert drawn.lark[0]["header"]["template"] == "green"
