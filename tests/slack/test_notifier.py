"""The Slack notifier and the effect runner against the Slack-like server: tracked cards are updated
in place, direct messages use the recipient's language, files are uploaded the v2 way."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.effects import EffectRunner, Where
from bot.render.slack import SlackRenderer
from bot.render.viewer import Viewer
from bot.slack.app import make_client
from bot.slack.notifier import SlackNotifier
from handlers.core.reply import DirectMessage, PostToChannel, Reply, Text, Track, UpdateTracked, UploadFile
from models.chat_message import ChatMessage
from models.workspace import ensure_member, ensure_workspace
from tests.conftest import slack_settings
from tests.fakes.slack_api import FakeSlack
from tests.support.slack_requests import block_text


def runner(engine, fake: FakeSlack, database_url: str) -> EffectRunner:
    client = make_client(slack_settings(database_url, fake))
    return EffectRunner(SlackNotifier(client, SlackRenderer()), engine)


def test_a_tracked_card_is_remembered_and_updated_in_place(engine, fake_slack: FakeSlack, database_url) -> None:
    fake_slack.reset()
    with Session(engine, expire_on_commit=False) as db:
        workspace = ensure_workspace(
            db=db, platform="slack", external_id="T1", name=None, default_lang="en", default_tz="UTC"
        )
        db.commit()
    run = runner(engine, fake_slack, database_url)
    where = Where(workspace_id=workspace.id, user_ref="U1", channel_ref="C1")
    viewer = Viewer("en", "UTC")
    run.run(PostToChannel(Reply.message("req.added", key="REQ-7"), track=Track("requirement", 7)), viewer, where)
    [post] = fake_slack.calls_to("chat.postMessage")
    assert post.body["channel"] == "C1"
    with Session(engine) as db:
        [remembered] = db.exec(select(ChatMessage)).all()
    assert (remembered.channel_ref, remembered.entity, remembered.entity_id) == ("C1", "requirement", 7)
    run.run(UpdateTracked(Track("requirement", 7), Reply.message("req.moved", key="REQ-7", status="x")), viewer, where)
    [update] = fake_slack.calls_to("chat.update")
    assert (update.body["channel"], update.body["ts"]) == ("C1", remembered.message_ref)
    assert "REQ-7 is now x." in block_text(update.body)


def test_a_direct_message_is_drawn_in_the_recipients_language(engine, fake_slack: FakeSlack, database_url) -> None:
    fake_slack.reset()
    with Session(engine, expire_on_commit=False) as db:
        workspace = ensure_workspace(
            db=db, platform="slack", external_id="T1", name=None, default_lang="en", default_tz="UTC"
        )
        member, _ = ensure_member(db=db, workspace_id=workspace.id, external_id="U7")
        member.lang = "zh-CN"
        db.add(member)
        db.commit()
    runner(engine, fake_slack, database_url).run(
        DirectMessage(member.id, Reply.message("req.added", key="REQ-3")),
        Viewer("en", "UTC"),
        Where(workspace_id=workspace.id, user_ref="U1"),
    )
    [dm] = fake_slack.calls_to("chat.postMessage")
    assert dm.body["channel"] == "U7"
    assert "已登记 REQ-3。" in block_text(dm.body)


def test_a_file_is_uploaded_with_its_bytes(engine, fake_slack: FakeSlack, database_url) -> None:
    fake_slack.reset()
    content = "key,title\nREQ-1,需求\n".encode()
    runner(engine, fake_slack, database_url).run(
        UploadFile("backlog.csv", content, Text("req.list_title"), comment=Text("req.list_title")),
        Viewer("en", "UTC"),
        Where(workspace_id=None, user_ref="U1", channel_ref="C1"),
    )
    [(complete, blob)] = fake_slack.uploaded()
    assert blob == content
    assert complete["channel_id"] == "C1"
