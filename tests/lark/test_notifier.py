"""The Lark notifier and the shared effect runner against the Lark-like server: tracked cards are patched
in place, direct messages use the recipient's language, files and images are uploaded with their bytes,
an unreachable chat falls back to a direct message, and rate limits are waited out."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.effects import EffectRunner, Where
from bot.lark.notifier import make_notifier
from bot.render.viewer import Viewer
from handlers.core.reply import DirectMessage, PostToChannel, Reply, Text, Track, UpdateTracked, UploadFile
from models.chat_message import ChatMessage
from models.workspace import ensure_member, ensure_workspace
from tests.fakes.lark_api import FakeLark
from tests.lark.conftest import lark_settings
from tests.support.lark_requests import card_text


def runner(engine, fake: FakeLark, database_url: str) -> EffectRunner:
    fake.reset()
    return EffectRunner(make_notifier(lark_settings(database_url, fake)), engine)


def workspace(engine, lang: str = "zh-CN") -> int:
    with Session(engine, expire_on_commit=False) as db:
        found = ensure_workspace(
            db=db, platform="lark", external_id="tenant_acme", name=None, default_lang=lang, default_tz="UTC"
        )
        db.commit()
    assert found.id is not None
    return found.id


def test_a_tracked_card_is_remembered_and_patched_in_place(engine, fake_lark: FakeLark, database_url) -> None:
    run = runner(engine, fake_lark, database_url)
    where = Where(workspace_id=workspace(engine), user_ref="ou_ana", channel_ref="oc_product")
    viewer = Viewer("zh-CN", "UTC")
    run.run(PostToChannel(Reply.message("req.added", key="REQ-7"), track=Track("requirement", 7)), viewer, where)
    [post] = fake_lark.calls_to("im.message.create")
    assert (post.query["receive_id_type"], post.body["receive_id"]) == ("chat_id", "oc_product")
    assert post.card["config"]["update_multi"] is True
    with Session(engine) as db:
        [remembered] = db.exec(select(ChatMessage)).all()
    assert (remembered.platform, remembered.channel_ref, remembered.entity, remembered.entity_id) == (
        "lark",
        "oc_product",
        "requirement",
        7,
    )
    update = UpdateTracked(Track("requirement", 7), Reply.message("req.moved", key="REQ-7", status="已批准"))
    run.run(update, viewer, where)
    [patch] = fake_lark.calls_to("im.message.patch")
    assert patch.path_id == remembered.message_ref
    assert "REQ-7 现在是「已批准」。" in card_text(patch.card)


def test_a_direct_message_is_drawn_in_the_recipients_language(engine, fake_lark: FakeLark, database_url) -> None:
    run = runner(engine, fake_lark, database_url)
    workspace_id = workspace(engine, lang="zh-CN")
    with Session(engine, expire_on_commit=False) as db:
        member, _ = ensure_member(db=db, workspace_id=workspace_id, external_id="ou_sam")
        member.lang = "en"
        db.add(member)
        db.commit()
    run.run(
        DirectMessage(member.id, Reply.message("req.added", key="REQ-3")),
        Viewer("zh-CN", "UTC"),
        Where(workspace_id=workspace_id, user_ref="ou_ana"),
    )
    [dm] = fake_lark.calls_to("im.message.create")
    assert (dm.query["receive_id_type"], dm.body["receive_id"]) == ("open_id", "ou_sam")
    assert "REQ-3 logged." in card_text(dm.card)


def test_a_file_and_an_image_are_uploaded_with_their_bytes(engine, fake_lark: FakeLark, database_url) -> None:
    run = runner(engine, fake_lark, database_url)
    where = Where(workspace_id=None, user_ref="ou_ana", channel_ref="oc_product")
    csv = "key,title\nREQ-1,需求\n".encode()
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    listing = UploadFile("backlog.csv", csv, Text("req.list_title"), comment=Text("req.list_empty"))
    run.run(listing, Viewer("zh-CN"), where)
    run.run(UploadFile("chart.png", png, Text("req.list_title")), Viewer("zh-CN"), where)
    [file] = fake_lark.calls_to("im.file.create")
    [image] = fake_lark.calls_to("im.image.create")
    assert (file.body["file"], file.body["file_type"], file.body["file_name"]) == (csv, "stream", "backlog.csv")
    assert (image.body["image"], image.body["image_type"]) == (png, "message")
    sent = [(c.body["msg_type"], c.card) for c in fake_lark.calls_to("im.message.create")]
    assert sent == [
        ("text", {"text": "需求列表\n没有符合条件的需求。"}),
        ("file", {"file_key": file.answer["data"]["file_key"]}),
        ("text", {"text": "需求列表"}),
        ("image", {"image_key": image.answer["data"]["image_key"]}),
    ]


def test_an_unreachable_chat_falls_back_to_a_direct_message(engine, fake_lark: FakeLark, database_url) -> None:
    run = runner(engine, fake_lark, database_url)
    fake_lark.script("im.message.create", 400, {"code": 230002, "msg": "Bot/User can NOT be out of the chat."})
    where = Where(workspace_id=workspace(engine), user_ref="ou_ana", channel_ref="oc_private")
    run.run(PostToChannel(Reply.message("req.added", key="REQ-1")), Viewer("zh-CN"), where)
    first, second = fake_lark.calls_to("im.message.create")
    assert (first.body["receive_id"], second.body["receive_id"]) == ("oc_private", "ou_ana")
    assert second.query["receive_id_type"] == "open_id"
    assert "已登记 REQ-1。" in card_text(second.card)


def test_a_rate_limited_send_is_retried_with_the_same_uuid(engine, fake_lark: FakeLark, database_url) -> None:
    run = runner(engine, fake_lark, database_url)
    fake_lark.script(
        "im.message.create",
        400,
        {"code": 99991400, "msg": "request trigger frequency limit"},
        {"x-ogw-ratelimit-reset": "0.05"},
    )
    where = Where(workspace_id=None, user_ref="ou_ana", channel_ref="oc_product")
    run.run(PostToChannel(Reply.message("req.added", key="REQ-2")), Viewer("zh-CN"), where)
    first, second = fake_lark.calls_to("im.message.create")
    assert first.body["uuid"] == second.body["uuid"]  # Lark delivers a uuid at most once
