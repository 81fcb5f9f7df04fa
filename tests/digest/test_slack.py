"""/digest and /standup through the real Slack app over signed HTTP; posts land in the Slack-like server."""

from __future__ import annotations

from sqlmodel import Session, select

from models.digest.run import DigestRun
from models.digest.schedule import DigestChannel
from models.standup.answer import StandupAnswer
from tests.fakes.slack_api import FakeSlack
from tests.support.slack_requests import SlackSender, block_text


def test_digest_schedule_is_stored_and_shown_only_to_the_caller(slack: SlackSender, engine) -> None:
    body = slack.command("schedule 09:30 Asia/Shanghai weekdays market=US,DE", command="/digest").json()
    assert body["response_type"] == "ephemeral"
    assert "Digest scheduled." in block_text(body) and "09:30 Asia/Shanghai, weekdays" in block_text(body)
    with Session(engine) as db:
        row = db.exec(select(DigestChannel)).one()
    assert (row.channel_ref, row.at_time, row.markets) == ("C1", "09:30", "DE,US")


def test_a_bad_time_zone_gets_a_usage_message(slack: SlackSender, engine) -> None:
    body = slack.command("schedule 09:30 Asia/Beijing", command="/digest").json()
    assert "`Asia/Beijing` is not an IANA time zone" in block_text(body)
    with Session(engine) as db:
        assert db.exec(select(DigestChannel)).all() == []


def test_digest_now_posts_a_summary_and_its_details_in_the_thread(
    slack: SlackSender, fake_slack: FakeSlack, engine
) -> None:
    slack.command("add DE A+ page market=DE")
    slack.command("y: listing t: ads b: waiting on <@U2|li>", command="/standup")
    response = slack.command("now", command="/digest")
    assert response.status_code == 200 and response.text == ""
    summary, page = fake_slack.wait_for("chat.postMessage", 2)
    assert summary.body["channel"] == "C1" and "thread_ts" not in summary.body
    assert "New requirements: 1" in block_text(summary.body)
    assert "⛔ <@U1>: waiting on @li" in block_text(summary.body)
    assert page.body["channel"] == "C1"
    assert "*REQ-1* DE A+ page" in block_text(page.body)
    with Session(engine) as db:
        run = db.exec(select(DigestRun)).one()
    assert (run.kind, run.state, run.parts_done) == ("now", "posted", 2)
    assert page.body["thread_ts"] == next(m["ts"] for m in fake_slack.posted("C1") if "thread_ts" not in m)


def test_digest_preview_is_ephemeral_and_records_nothing(slack: SlackSender, engine) -> None:
    slack.command("add JP bundle market=JP")
    body = slack.command("preview", command="/digest").json()
    assert body["response_type"] == "ephemeral"
    assert "Preview, only you can see it." in block_text(body) and "*REQ-1* JP bundle" in block_text(body)
    with Session(engine) as db:
        assert db.exec(select(DigestRun)).all() == []


def test_standup_typed_is_saved_and_confirmed_privately(slack: SlackSender, engine) -> None:
    body = slack.command("y: shipped &lt;SKU-1&gt; t: review b: none", command="/standup").json()
    assert body["response_type"] == "ephemeral"
    assert "is saved." in block_text(body) and "&lt;SKU-1&gt;" in block_text(body)
    with Session(engine) as db:
        row = db.exec(select(StandupAnswer)).one()
    assert (row.yesterday, row.today, row.blockers, row.channel_ref) == ("shipped <SKU-1>", "review", None, "C1")


def test_standup_alone_opens_a_modal_whose_submission_is_stored(
    slack: SlackSender, fake_slack: FakeSlack, engine
) -> None:
    assert slack.command("", command="/standup").text == ""
    [opened] = fake_slack.wait_for("views.open")
    view = opened.body["view"]
    assert view["callback_id"] == "standup.form"
    assert [b["block_id"] for b in view["blocks"]] == ["yesterday", "today", "blockers"]
    assert all(b["element"]["multiline"] for b in view["blocks"])
    empty = {name: {name: {"type": "plain_text_input", "value": None}} for name in ("yesterday", "today", "blockers")}
    refused = slack.submit_view(view, empty).json()
    assert refused["response_action"] == "errors" and "today" in refused["errors"]
    values = {**empty, "today": {"today": {"type": "plain_text_input", "value": "call the 3PL"}}}
    assert slack.submit_view(view, values).text == ""
    [confirmed] = fake_slack.wait_for("chat.postEphemeral")  # only the person who answered sees it
    assert "Your standup for" in block_text(confirmed.body) and "call the 3PL" in block_text(confirmed.body)
    with Session(engine) as db:
        row = db.exec(select(StandupAnswer)).one()
    assert (row.channel_ref, row.today, row.yesterday) == ("C1", "call the 3PL", None)


def test_a_digest_now_that_slack_refused_leaves_the_window_open(
    slack: SlackSender, fake_slack: FakeSlack, engine
) -> None:
    slack.command("add DE A+ page market=DE")
    fake_slack.script("chat.postMessage", 200, {"ok": False, "error": "fatal_error"})
    slack.command("now", command="/digest")
    fake_slack.wait_for("chat.postMessage")
    body = slack.command("preview", command="/digest").json()
    assert "New requirements: 1" in block_text(body)  # the next digest still reports it
