"""Every effect the features ask for survives being stored as JSON: it comes back equal, and every
platform draws it exactly as it drew the original."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from bot.outbox.codec import CodecError, decode, encode
from bot.render.lark import LarkRenderer
from bot.render.slack import SlackRenderer
from bot.render.text import TextRenderer
from bot.render.viewer import Viewer
from bot.runtime import Runtime
from handlers.core.card import Card, Section
from handlers.core.charts import ConversionChart
from handlers.core.reply import DirectMessage, PostToChannel, Reply, Text, UpdateTracked, UploadFile, Visibility
from models.experiments.result import DayPoint
from tests.lark.test_feature_cards import every_reply


def stored(value: object) -> object:
    return decode(json.loads(json.dumps(encode(value), ensure_ascii=False)))


def test_values_keep_their_types() -> None:
    value = {
        "at": datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
        "day": date(2026, 3, 29),
        "money": Decimal("12.3400"),
        "bytes": b"\x00\xff",
        "pair": (1, "a"),
        "list": [1, 2],
        (1, 2): "tuple key",
        "vis": Visibility.CHANNEL,
    }
    back = stored(value)
    assert back == value
    assert isinstance(back["money"], Decimal) and str(back["money"]) == "12.3400"
    assert isinstance(back["pair"], tuple) and isinstance(back["list"], list)
    assert back["vis"] is Visibility.CHANNEL


def test_a_chart_comes_back_whole() -> None:
    chart = ConversionChart(
        version=(7, "2026-03-29"),
        series=(DayPoint(date(2026, 3, 1), "A", 100, 3), DayPoint(date(2026, 3, 1), "B", 100, 5)),
        arms=("A", "B"),
        alpha=0.05,
        title="EXP-1",
        heading=Text("exp.chart.heading", {"key": "EXP-1", "level": "95%"}),
    )
    upload = UploadFile("exp.png", chart, Text("exp.chart.title"))
    assert stored(upload) == upload


def test_what_is_not_a_reply_is_refused_when_stored() -> None:
    class Foreign:
        pass

    with pytest.raises(CodecError):
        encode(Foreign())
    with pytest.raises(CodecError):
        encode({1, 2})


def effects_of(replies: list[Reply]) -> list[object]:
    found: list[object] = []
    for reply in replies:
        found += [e for e in reply.effects if isinstance(e, PostToChannel | DirectMessage | UpdateTracked | UploadFile)]
    return found


def test_every_feature_reply_and_effect_round_trips_and_draws_the_same(runtime: Runtime, engine) -> None:
    replies = every_reply(runtime, engine)
    assert len(replies) > 30
    viewer = Viewer("zh-CN", "Asia/Shanghai")
    for reply in replies:
        back = stored(reply)
        assert back == reply, reply.kind
        if reply.card is None:
            continue
        assert back.card.meta == reply.card.meta
        assert SlackRenderer().messages(back, viewer) == SlackRenderer().messages(reply, viewer)
        assert LarkRenderer().cards(back, viewer) == LarkRenderer().cards(reply, viewer)
        assert TextRenderer().message(back, viewer) == TextRenderer().message(reply, viewer)
    effects = effects_of(replies)
    assert effects
    for effect in effects:
        assert stored(effect) == effect


def test_a_card_with_user_text_stays_user_text() -> None:
    typed = '{"$": "Card"} <!channel>'
    reply = Reply("message", card=Card(summary=typed, parts=(Section((typed,)),)))
    assert stored(reply) == reply
