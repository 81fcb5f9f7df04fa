"""On Lark an outbox post is sent with the row's key as its uuid, so a retry after a lost answer is
dropped by Lark instead of posted twice."""

from __future__ import annotations

from bot.lark.notifier import make_notifier
from bot.render.viewer import Viewer
from tests.fakes.lark_api import FakeLark
from tests.lark.conftest import lark_settings
from tests.outbox.support import card


def test_a_keyed_post_sent_twice_is_one_message(fake_lark: FakeLark, database_url: str) -> None:
    fake_lark.reset()
    notifier = make_notifier(lark_settings(database_url, fake_lark))
    first = notifier.post_keyed("oc_team", card("once"), Viewer(), thread_ref=None, key="41")
    again = notifier.post_keyed("oc_team", card("once"), Viewer(), thread_ref=None, key="41")
    other = notifier.post_keyed("oc_team", card("other"), Viewer(), thread_ref=None, key="42")
    assert first == again and other != first
    sent = fake_lark.calls_to("im.message.create")
    assert [c.body["uuid"] for c in sent] == ["tw-outbox-41", "tw-outbox-41", "tw-outbox-42"]
