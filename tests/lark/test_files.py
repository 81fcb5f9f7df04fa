"""Files on Lark: cards have no file input, so `/exp result EXP-1` asks for the CSV as a reply to its
card; a file message replying to a tracked card (or sent in a one-to-one chat just after one) is
fetched from the Open API with the tenant token and goes to the same action as on Slack."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlmodel import Session, func, select

from bot.i18n import catalog
from models.chat_message import ChatMessage
from models.experiments.result import ExperimentDaily
from tests.experiments.data import daily_csv
from tests.fakes.lark_api import APP_ID, FakeLark
from tests.support.lark_requests import LarkSender, LarkUser, card_text

PLAN = "/exp add DE title test metric=conversion market=DE baseline=3% mde=10% traffic=4000/day"
TENANT_TOKEN = f"Bearer t-{APP_ID}"


def tracked(engine, count: int = 1) -> list[ChatMessage]:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with Session(engine) as db:
            rows = list(db.exec(select(ChatMessage).where(ChatMessage.entity == "experiment").order_by(ChatMessage.id)))
        if len(rows) >= count:
            return rows
        time.sleep(0.02)
    raise AssertionError(f"expected {count} tracked experiment message(s)")


def planned(lark: LarkSender, fake_lark: FakeLark, engine, **kw) -> str:
    """Plan EXP-1; returns the message id of its tracked card."""
    lark.message(PLAN, **kw)
    [card] = fake_lark.sent()
    assert "EXP-1" in card_text(card.card)
    [row] = tracked(engine)
    assert row.message_ref == card.answer["data"]["message_id"]
    return row.message_ref


def cards(fake_lark: FakeLark, count: int) -> list:
    """The cards the bot sent, in order (charts and their captions, sent alongside, left out)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        found = [
            c
            for c in fake_lark.calls_to("im.message.create", "im.message.reply")
            if c.body["msg_type"] == "interactive"
        ]
        if len(found) >= count:
            return found
        time.sleep(0.02)
    raise AssertionError(f"expected {count} cards; got {len(found)}")


def stored_rows(engine) -> int:
    with Session(engine) as db:
        return db.exec(select(func.count()).select_from(ExperimentDaily)).one()


def test_the_result_form_asks_for_a_reply_and_the_csv_is_fetched_with_the_tenant_token(
    lark: LarkSender, fake_lark: FakeLark, engine
) -> None:
    card_id = planned(lark, fake_lark, engine)
    lark.message("/exp result EXP-1", message_id="om_ask_result")
    prompt = fake_lark.sent(count=2)[1]
    assert prompt.name == "im.message.reply" and prompt.path_id == "om_ask_result"
    text = card_text(prompt.card)
    assert "上传结果" in text and "请回复这张卡片并发送文件（.csv, .tsv, .txt）" in text
    assert "列：date、variant（control, variant）、market、visitors、conversions" in text
    assert not [e for e in prompt.card["body"]["elements"] if e["tag"] == "form"]  # nothing to submit
    prompt_id = prompt.answer["data"]["message_id"]
    assert [r.message_ref for r in tracked(engine, 2)] == [card_id, prompt_id]

    assert lark.file("daily.csv", daily_csv(days=20).encode(), parent_id=prompt_id).status_code == 200
    [download] = fake_lark.wait_for("im.message_resource.get")
    assert download.headers["authorization"] == TENANT_TOKEN
    assert download.path_key.startswith("file_v3_") and download.query == {"type": "file"}
    answer = cards(fake_lark, 3)[2]
    assert answer.name == "im.message.reply" and answer.path_id == download.path_id  # replies to the file
    assert "EXP-1：已从 daily.csv 导入 120 行（20 天，3 个市场）。" in card_text(answer.card)
    assert stored_rows(engine) == 120
    patched = fake_lark.wait_for("im.message.patch", count=2)
    assert sorted(p.path_id for p in patched) == sorted([card_id, prompt_id])  # both cards redrawn
    assert all("导入" not in card_text(p.card) for p in patched)  # tracked cards carry no notices
    [image] = fake_lark.wait_for("im.image.create")
    assert image.body["image"].startswith(b"\x89PNG")
    sent = fake_lark.wait_for("im.message.create", count=2)  # the chart and its caption, in the chat
    assert [(c.body["msg_type"], c.card) for c in sent] == [
        (
            "text",
            {
                "text": catalog().t(
                    "zh-CN",
                    "exp.chart.title",
                    key="EXP-1",
                    level="95%",
                    kind=catalog().t("zh-CN", "exp.line.kind.sequential"),
                )
            },
        ),
        ("image", {"image_key": image.answer["data"]["image_key"]}),
    ]


def test_a_csv_in_the_cards_thread_is_read(lark: LarkSender, fake_lark: FakeLark, engine) -> None:
    card_id = planned(lark, fake_lark, engine)
    lark.file("week1.csv", daily_csv(days=7).encode(), parent_id="om_someone_else", root_id=card_id)
    fake_lark.wait_for("im.message_resource.get")
    answer = cards(fake_lark, 2)[1]
    assert "EXP-1：已从 week1.csv 导入 42 行（7 天，3 个市场）。" in card_text(answer.card)
    assert stored_rows(engine) == 42


def test_a_bad_csv_is_refused_line_by_line_and_nothing_is_stored(lark: LarkSender, fake_lark: FakeLark, engine):
    card_id = planned(lark, fake_lark, engine)
    bad = daily_csv(days=1, markets=("DE",)) + "2026-03-02,variant,DE,100,300\n"
    lark.file("bad.csv", bad.encode(), parent_id=card_id)
    answer = cards(fake_lark, 2)[1]
    text = card_text(answer.card)
    assert "bad.csv 中的数据都没有存入 EXP-1：" in text and "第 4 行" in text
    assert stored_rows(engine) == 0
    time.sleep(0.2)
    assert fake_lark.calls_to("im.message.patch") == []


def test_in_a_one_to_one_chat_a_file_just_after_the_card_needs_no_reply(
    lark: LarkSender, fake_lark: FakeLark, engine
) -> None:
    dm = LarkUser(chat="oc_dm_ana")
    planned(lark, fake_lark, engine, chat_type="p2p", who=dm)
    lark.file("days.csv", daily_csv(days=2, markets=("DE",)).encode(), chat_type="p2p", who=dm)
    answer = cards(fake_lark, 2)[1]
    assert answer.name == "im.message.create" and answer.body["receive_id"] == "oc_dm_ana"
    assert stored_rows(engine) == 4


def test_a_file_long_after_the_card_needs_a_reply(lark: LarkSender, fake_lark: FakeLark, engine) -> None:
    dm = LarkUser(chat="oc_dm_ana")
    planned(lark, fake_lark, engine, chat_type="p2p", who=dm)
    with Session(engine) as db:
        for row in db.exec(select(ChatMessage)):
            row.created_at = row.created_at - timedelta(minutes=31)
            db.add(row)
        db.commit()
    lark.file("days.csv", daily_csv(days=2, markets=("DE",)).encode(), chat_type="p2p", who=dm)
    time.sleep(0.3)
    assert fake_lark.calls_to("im.message_resource.get") == [] and stored_rows(engine) == 0


def test_files_for_nothing_tracked_and_other_files_are_left_alone(
    lark: LarkSender, fake_lark: FakeLark, engine
) -> None:
    card_id = planned(lark, fake_lark, engine)
    csv = daily_csv(days=2).encode()
    lark.file("days.csv", csv, parent_id="om_not_a_card")  # a reply to something else
    lark.file("days.csv", csv, who=LarkUser(chat="oc_elsewhere"))  # another chat
    lark.file("days.csv", csv)  # in the card's group, but not a reply to it
    lark.file("screenshot.png", b"\x89PNG", parent_id=card_id)  # not a table
    lark.file("days.csv", csv, parent_id=card_id, message_type="image")  # not a file message
    time.sleep(0.4)
    assert fake_lark.calls_to("im.message_resource.get") == []
    assert len(fake_lark.sent()) == 1  # only the card
    lark.file("days.xlsx", b"PK\x03\x04", parent_id=card_id)
    refused = cards(fake_lark, 2)[1]
    assert "这是电子表格文件。请另存为 CSV" in card_text(refused.card)
    assert stored_rows(engine) == 0


def test_a_file_lark_will_not_serve_is_answered_with_a_note(lark: LarkSender, fake_lark: FakeLark, engine) -> None:
    card_id = planned(lark, fake_lark, engine)
    fake_lark.script("im.message_resource.get", 400, {"code": 234003, "msg": "File not in msg."})
    lark.file("days.csv", daily_csv(days=2).encode(), parent_id=card_id)
    note = cards(fake_lark, 2)[1]
    assert "没能获取 days.csv，请过一分钟再发一次。" in card_text(note.card)
    assert stored_rows(engine) == 0


def test_a_retried_file_event_is_read_once(lark: LarkSender, fake_lark: FakeLark, engine) -> None:
    card_id = planned(lark, fake_lark, engine)
    lark.file("days.csv", daily_csv(days=2).encode(), parent_id=card_id, event_id="ev_file_1")
    cards(fake_lark, 2)
    lark.file("days.csv", daily_csv(days=2).encode(), parent_id=card_id, event_id="ev_file_1")
    time.sleep(0.3)
    assert len(fake_lark.calls_to("im.message_resource.get")) == 1
    assert stored_rows(engine) == 12
