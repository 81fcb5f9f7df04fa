"""/exp through the real Slack app over signed HTTP; Web API calls and file downloads land in the
Slack-like server, which serves files only to a bot token."""

from __future__ import annotations

import time

from slack_sdk.models.blocks import Block
from sqlmodel import Session, func, select

from models.audit import AuditEntry
from models.chat_message import ChatMessage
from models.experiments.experiment import Experiment
from models.experiments.result import ExperimentDaily
from models.requirements.requirement import Requirement
from tests.experiments.data import daily_csv
from tests.fakes.slack_api import FakeSlack
from tests.support.slack_requests import SlackSender, SlackUser, block_text, button, buttons

PLAN = "add DE title test metric=conversion market=DE baseline=3% mde=10% traffic=4000/day method=fixed"
TOKEN = "xoxb-test-token"


def exp(slack: SlackSender, text: str, **kw):
    return slack.command(text, command="/exp", **kw)


def valid(message: dict) -> dict:
    assert len(message["blocks"]) <= 50
    assert [b.to_dict() for b in Block.parse_all(message["blocks"])] == message["blocks"]
    assert "Something went wrong" not in block_text(message)
    return message


def planned(slack: SlackSender, fake_slack: FakeSlack, engine, text: str = PLAN) -> str:
    """Plan an experiment; returns the ts of its tracked card."""
    response = exp(slack, text)
    assert response.status_code == 200 and response.text == ""  # the card is posted, not acked
    [post] = fake_slack.wait_for("chat.postMessage")
    assert post.body["channel"] == "C1"
    assert "EXP-1 planned." in block_text(valid(post.body))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with Session(engine) as db:
            tracked = db.exec(select(ChatMessage).where(ChatMessage.entity == "experiment")).first()
        if tracked:
            return tracked.message_ref
        time.sleep(0.02)
    raise AssertionError("the card was not tracked")


def stored_rows(engine) -> int:
    with Session(engine) as db:
        return db.exec(select(func.count()).select_from(ExperimentDaily)).one()


def test_add_posts_a_tracked_card_with_the_plan(slack: SlackSender, fake_slack: FakeSlack, engine) -> None:
    ts = planned(slack, fake_slack, engine)
    [post] = fake_slack.calls_to("chat.postMessage")
    text = block_text(post.body)
    assert "Needs 53,182 per arm, 106,364 in total, for 80% power" in text
    assert "About 27 days at 4,000 visitors a day" in text
    with Session(engine) as db:
        tracked = db.exec(select(ChatMessage)).one()
        item = db.exec(select(Experiment)).one()
    assert (tracked.channel_ref, tracked.entity_id, ts) == ("C1", item.id, tracked.message_ref)


def test_status_answers_in_channel_with_every_figure(slack: SlackSender, fake_slack: FakeSlack, engine) -> None:
    planned(slack, fake_slack, engine)
    exp(slack, "result EXP-1 control=10000/330 variant=10000/300")
    body = valid(exp(slack, "status EXP-1").json())
    assert body["response_type"] == "in_channel"
    text = block_text(body)
    assert "variant vs control: -0.30 pp, 95% fixed-horizon interval -0.78 to +0.18 pp" in text and "p = 0.225" in text
    assert "Keep running." in text and "reading now inflates false positives" in text
    assert buttons(body) == []
    time.sleep(0.2)
    assert fake_slack.uploaded() == []  # typed totals: no daily series, no chart


def test_results_redraw_the_tracked_card_in_place(slack: SlackSender, fake_slack: FakeSlack, engine) -> None:
    ts = planned(slack, fake_slack, engine)
    answer = exp(slack, "result EXP-1 control=44000/1320 variant=45000/1500").json()
    assert "Sample ratio mismatch — investigate. Don't trust these numbers (p = 0.0008)." in block_text(answer)
    [update] = fake_slack.wait_for("chat.update")
    assert (update.body["channel"], update.body["ts"]) == ("C1", ts)
    assert "Sample ratio mismatch" in block_text(update.body)
    assert "Results recorded" not in block_text(update.body)  # the tracked card carries no notices
    assert [b["text"]["text"] for b in buttons(update.body)] == ["Stop"]


def test_decisions_are_for_approvers_and_move_the_linked_requirement(
    slack: SlackSender, fake_slack: FakeSlack, engine
) -> None:
    slack.command("add Localised DE titles market=DE")  # U1, the first user: admin
    for state in ("triaged", "approved"):
        slack.command(f"status REQ-1 {state}")
    ts = planned(slack, fake_slack, engine, PLAN + " req=REQ-1")
    exp(slack, "start EXP-1")
    card = exp(slack, "result EXP-1 control=53200/1600 variant=53300/1760").json()
    assert "Significant win for variant: +0.29 pp (+9.8%), p = 0.006." in block_text(card)
    fake_slack.wait_for("chat.update", 2)

    member = SlackUser(user="U2", name="bo")
    slack.click(button(card, "Ship"), who=member)
    [refusal] = fake_slack.wait_for("response_url")
    assert "Only approvers and admins decide experiments." in block_text(refusal.body)
    assert refusal.body.get("replace_original") is not True
    with Session(engine) as db:
        assert db.exec(select(Experiment.decision)).one() is None
    # The admin makes bo an approver through the bot, as a team would (this also refreshes who bo is).
    assert "approver" in block_text(slack.command("role <@U2|bo> approver", command="/pm").json())
    slack.click(button(card, "Ship"), who=SlackUser(user="U2", name="bo"))
    replaced = fake_slack.wait_for("response_url", 2)[1]
    text = block_text(replaced.body)
    assert replaced.body["replace_original"] is True
    assert "EXP-1 shipped." in text and "REQ-1 moved to shipped." in text and "<@U2>" in text
    update = fake_slack.wait_for("chat.update", 3)[2]
    assert update.body["ts"] == ts and buttons(update.body) == []
    with Session(engine) as db:
        assert db.exec(select(Experiment.status, Experiment.decision)).one() == ("shipped", "ship")
        assert db.exec(select(Requirement.status)).one() == "shipped"
        decision = db.exec(select(AuditEntry).where(AuditEntry.action == "decision")).one()
    assert decision.changes == {"decision": [None, "ship"], "status": ["running", "shipped"]}


def test_a_csv_uploaded_in_the_modal_is_fetched_with_the_bot_token(
    slack: SlackSender, fake_slack: FakeSlack, engine
) -> None:
    ts = planned(slack, fake_slack, engine)
    assert exp(slack, "result EXP-1").text == ""
    [opened] = fake_slack.wait_for("views.open")
    view = opened.body["view"]
    [block] = view["blocks"]
    assert block["element"]["type"] == "file_input" and block["element"]["filetypes"] == ["csv", "tsv", "text"]
    file = fake_slack.serve_file("daily.csv", daily_csv(days=20).encode())
    response = slack.submit_view(view, {"file": {"file": {"type": "file_input", "files": [file]}}})
    assert response.status_code == 200 and response.text == ""  # the modal closes at once
    [download] = fake_slack.wait_for("file_download")
    assert download.headers["Authorization"] == f"Bearer {TOKEN}"
    assert download.path.endswith("/download/daily.csv")
    posted = fake_slack.wait_for("chat.postMessage", 2)[1]
    assert posted.body["channel"] == "C1"
    assert "EXP-1: 120 rows from daily.csv (20 days, 3 markets)." in block_text(valid(posted.body))
    assert stored_rows(engine) == 120
    [update] = fake_slack.wait_for("chat.update")
    assert update.body["ts"] == ts
    [(complete, png)] = fake_slack.wait_for_upload()
    assert png.startswith(b"\x89PNG") and complete["channel_id"] == "C1"


def test_a_bad_csv_in_the_modal_is_refused_by_line_privately(slack: SlackSender, fake_slack: FakeSlack, engine):
    planned(slack, fake_slack, engine)
    exp(slack, "result EXP-1")
    [opened] = fake_slack.wait_for("views.open")
    bad = daily_csv(days=1, markets=("DE",)) + "2026-03-02,variant,DE,100,300\n"
    file = fake_slack.serve_file("bad.csv", bad.encode())
    slack.submit_view(opened.body["view"], {"file": {"file": {"type": "file_input", "files": [file]}}})
    [note] = fake_slack.wait_for("chat.postEphemeral")
    assert note.body["user"] == "U1" and note.body["channel"] == "C1"
    text = block_text(note.body)
    assert (
        "Nothing from bad.csv was stored for EXP-1:" in text and "line 4: 300 conversions out of 100 visitors" in text
    )
    assert stored_rows(engine) == 0
    assert len(fake_slack.calls_to("chat.postMessage")) == 1  # only the plan card


def test_a_picture_in_the_modal_is_refused_in_the_modal(slack: SlackSender, fake_slack: FakeSlack, engine) -> None:
    planned(slack, fake_slack, engine)
    exp(slack, "result EXP-1")
    [opened] = fake_slack.wait_for("views.open")
    file = fake_slack.serve_file("shot.png", b"\x89PNG...")
    response = slack.submit_view(opened.body["view"], {"file": {"file": {"type": "file_input", "files": [file]}}})
    assert response.json() == {
        "response_action": "errors",
        "errors": {"file": "Choose a CSV file (.csv, .tsv or .txt)."},
    }
    assert fake_slack.calls_to("file_download") == []


def test_a_csv_shared_in_the_cards_thread_is_read_and_answered_there(
    slack: SlackSender, fake_slack: FakeSlack, engine
) -> None:
    ts = planned(slack, fake_slack, engine)
    shares = {"public": {"C1": [{"ts": "1800000000.000200", "thread_ts": ts, "channel_name": "product"}]}}
    file = fake_slack.serve_file("week1.csv", daily_csv(days=7).encode(), shares=shares)
    event = {
        "type": "file_shared",
        "file_id": file["id"],
        "user_id": "U1",
        "channel_id": "C1",
        "file": {"id": file["id"]},
    }
    assert slack.event(event, event_id="EvF1").status_code == 200
    [info] = fake_slack.wait_for("files.info")
    assert info.body["file"] == file["id"]
    [download] = fake_slack.wait_for("file_download")
    assert download.token == TOKEN
    reply = fake_slack.wait_for("chat.postMessage", 2)[1]
    assert reply.body["thread_ts"] == ts and reply.body["channel"] == "C1"
    assert "EXP-1: 42 rows from week1.csv (7 days, 3 markets)." in block_text(reply.body)
    # The same share also arrives as a message event: read once.
    message = {
        "type": "message", "subtype": "file_share", "user": "U1", "channel": "C1", "channel_type": "channel",
        "ts": "1800000000.000200", "thread_ts": ts, "files": [file], "text": "",
    }  # fmt: skip
    slack.event(message, event_id="EvF2")
    time.sleep(0.3)
    assert len(fake_slack.calls_to("file_download")) == 1
    assert stored_rows(engine) == 42


def test_a_message_with_a_csv_in_the_thread_works_without_file_shared(
    slack: SlackSender, fake_slack: FakeSlack, engine
) -> None:
    ts = planned(slack, fake_slack, engine)
    file = fake_slack.serve_file("days.csv", daily_csv(days=2, markets=("DE",)).encode())
    message = {
        "type": "message", "subtype": "file_share", "user": "U1", "channel": "C1", "channel_type": "channel",
        "ts": "1800000000.000300", "thread_ts": ts, "files": [file], "text": "day 1-2",
    }  # fmt: skip
    slack.event(message, event_id="EvM1")
    reply = fake_slack.wait_for("chat.postMessage", 2)[1]
    assert reply.body["thread_ts"] == ts
    assert stored_rows(engine) == 4


def test_other_files_and_other_threads_are_left_alone(slack: SlackSender, fake_slack: FakeSlack, engine) -> None:
    ts = planned(slack, fake_slack, engine)
    picture = fake_slack.serve_file("screenshot.png", b"\x89PNG")
    csv = fake_slack.serve_file("days.csv", daily_csv(days=2).encode())
    base = {"type": "message", "subtype": "file_share", "user": "U1", "channel": "C1", "channel_type": "channel"}
    slack.event({**base, "ts": "1.1", "thread_ts": ts, "files": [picture]}, event_id="EvO1")
    slack.event({**base, "ts": "1.2", "thread_ts": "1699999999.000001", "files": [csv]}, event_id="EvO2")
    slack.event({**base, "ts": "1.3", "files": [csv]}, event_id="EvO3")  # not in a thread
    time.sleep(0.4)
    assert fake_slack.calls_to("file_download") == []
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert stored_rows(engine) == 0


def test_the_token_never_goes_to_a_host_that_is_not_slack(slack: SlackSender, fake_slack: FakeSlack, engine) -> None:
    ts = planned(slack, fake_slack, engine)
    evil = {"id": "FEVIL", "name": "days.csv", "url_private": "http://127.0.0.2:9/days.csv", "size": 10}
    message = {
        "type": "message", "subtype": "file_share", "user": "U1", "channel": "C1", "channel_type": "channel",
        "ts": "1.4", "thread_ts": ts, "files": [evil],
    }  # fmt: skip
    slack.event(message, event_id="EvE1")
    [note] = fake_slack.wait_for("chat.postEphemeral")
    assert "I could not fetch days.csv." in block_text(note.body)
    assert note.body["thread_ts"] == ts


def test_file_paths_are_for_the_console_only(slack: SlackSender, fake_slack: FakeSlack, engine) -> None:
    planned(slack, fake_slack, engine)
    body = exp(slack, "result EXP-1 file=/etc/passwd").json()
    assert "`file=` reads a file on this computer and works in the console only." in block_text(body)
    assert fake_slack.calls_to("file_download") == []


def test_the_largest_card_stays_inside_block_kit_limits(slack: SlackSender, fake_slack: FakeSlack, engine) -> None:
    planned(slack, fake_slack, engine, "add " + "标" * 120 + " metric=" + "m" * 40 + " baseline=3% mde=10% variants=6")
    markets = ("US", "CA", "MX", "BR", "GB", "DE", "FR", "IT", "ES", "NL", "PL", "SE", "JP", "KR", "AU", "SG")
    arms = ["control", "B", "C", "D", "E", "F"]
    csv = daily_csv(days=3, markets=markets, visitors=dict.fromkeys(arms, 500), conversions=dict.fromkeys(arms, 15))
    file = fake_slack.serve_file("all.csv", csv.encode())
    exp(slack, "result EXP-1")
    [opened] = fake_slack.wait_for("views.open")
    slack.submit_view(opened.body["view"], {"file": {"file": {"type": "file_input", "files": [file]}}})
    fake_slack.wait_for("chat.postMessage", 2)
    body = valid(exp(slack, "status EXP-1").json())
    assert "…and 4 smaller markets" in block_text(body)


def test_the_bots_own_uploads_are_not_looked_up(slack: SlackSender, fake_slack: FakeSlack, engine) -> None:
    planned(slack, fake_slack, engine)
    event = {"type": "file_shared", "file_id": "FCHART", "user_id": "UBOT", "channel_id": "C1", "file": {"id": "F"}}
    slack.event(event, event_id="EvB1")
    someone = {**event, "user_id": "U1", "file_id": "FOTHER"}
    slack.event(someone, event_id="EvB2")
    fake_slack.wait_for("files.info")
    time.sleep(0.2)
    assert [c.body["file"] for c in fake_slack.calls_to("files.info")] == ["FOTHER"]
