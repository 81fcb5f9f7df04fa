"""Scoring over signed Slack requests: /score, its modal, /score top and the CSV upload."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pandas as pd
from slack_sdk.models.blocks import Block
from sqlmodel import Session, select

from models.scoring.score import RequirementScore
from tests.fakes.slack_api import FakeSlack
from tests.support.slack_requests import SlackSender, SlackUser, block_text, button


def score_state(reach: str, impact: str, confidence: str, effort: str, moscow: str | None = None) -> dict:
    def select_(value: str | None) -> dict:
        return {"type": "static_select", "selected_option": {"value": value} if value else None}

    return {
        "reach": {"reach": {"type": "plain_text_input", "value": reach}},
        "impact": {"impact": select_(impact)},
        "confidence": {"confidence": select_(confidence)},
        "effort": {"effort": {"type": "plain_text_input", "value": effort}},
        "moscow": {"moscow": select_(moscow)},
    }


def test_score_command_answers_in_channel(slack: SlackSender, engine) -> None:
    slack.command("add DE A+ page market=DE")
    body = slack.command("REQ-1 reach=4,000 impact=high confidence=80% effort=1.5", command="/score").json()
    assert body["response_type"] == "in_channel"
    assert "*RICE 4,266.7* = 4,000 × 2 × 80% ÷ 1.5" in block_text(body)
    assert "REQ-1 · DE A+ page" in block_text(body, ("plain_text",))
    with Session(engine) as db:
        assert db.exec(select(RequirementScore.rice)).one() == D("4266.6667")


def test_score_modal_has_the_scales_as_dropdowns_and_stores_the_submission(
    slack: SlackSender, fake_slack: FakeSlack, engine
) -> None:
    slack.command("add thing")
    slack.command("REQ-1 reach=100 impact=0.5 confidence=50 effort=1", command="/score")
    response = slack.command("REQ-1", command="/score")
    assert response.status_code == 200 and response.text == ""
    [opened] = fake_slack.wait_for("views.open")
    view = opened.body["view"]
    elements = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert [o["value"] for o in elements["impact"]["options"]] == ["3", "2", "1", "0.5", "0.25"]
    assert [o["text"]["text"] for o in elements["confidence"]["options"]] == [
        "100% · high",
        "80% · medium",
        "50% · low",
    ]
    # Re-scoring starts from the current score.
    assert elements["impact"]["initial_option"]["value"] == "0.5"
    assert elements["confidence"]["initial_option"]["value"] == "50"
    assert elements["reach"]["initial_value"] == "100"
    refused = slack.submit_view(view, score_state("lots", "2", "80", "1")).json()
    assert refused["response_action"] == "errors" and "is not a reach" in refused["errors"]["reach"]
    assert slack.submit_view(view, score_state("2500", "2", "80", "2", "must")).text == ""
    [post] = fake_slack.wait_for("chat.postMessage")
    # 2,500 × 2 × 0.8 ÷ 2 = 2,000
    assert "*RICE 2,000* = 2,500 × 2 × 80% ÷ 2 _(was 25)_" in block_text(post.body)
    with Session(engine) as db:
        row = db.exec(select(RequirementScore)).one()
    assert (row.rice, row.moscow) == (D("2000.0000"), "must")


def test_a_long_ranked_backlog_stays_inside_block_kit_limits(slack: SlackSender, fake_slack: FakeSlack) -> None:
    for n in range(1, 56):
        slack.command(f"add {'很长的标题' * 39}{n} owner=<@U{n}|u{n}>")
        slack.command(f"REQ-{n} reach={n} impact=1 confidence=100 effort=1 moscow=must", command="/score")
    body = slack.command("top 50", command="/score").json()
    assert len(body["blocks"]) <= 50
    assert [b.to_dict() for b in Block.parse_all(body["blocks"])] == body["blocks"]
    text = block_text(body)
    assert "1–50 of 55" in text and "1. *REQ-55*" in text and "50. *REQ-6*" in text
    slack.click(button(body, "Next ›"))
    [page] = fake_slack.wait_for("response_url")
    assert page.body["replace_original"] is True
    assert "51–55 of 55" in block_text(page.body) and "55. *REQ-1*" in block_text(page.body)


def test_export_uploads_the_csv(slack: SlackSender, fake_slack: FakeSlack) -> None:
    slack.command("add Shopee 9.9 组合装 market=SG,MY platform=shopee owner=<@U2|li>")
    slack.command("REQ-1 reach.SG=2500 reach.MY=2000 impact=1 confidence=80 effort=1.5 moscow=should", command="/score")
    slack.command("add TikTok UK market=GB", who=SlackUser(user="U3"))
    body = slack.command("export market=SG").json()
    assert "Exporting the backlog as CSV" in block_text(body)
    fake_slack.wait_for("files.completeUploadExternal")
    [(complete, blob)] = fake_slack.uploaded()
    assert complete["channel_id"] == "C1"
    table = pd.read_csv(io.BytesIO(blob), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(table["key"]) == ["REQ-1"]
    row = table.iloc[0]
    # (2,500 + 2,000) × 1 × 0.8 ÷ 1.5 = 2,400
    assert (row["reach"], row["reach_by_market"], row["rice"]) == ("4500", "MY:2000;SG:2500", "2400")
    assert (row["markets"], row["owner"], row["requester"], row["moscow"]) == ("MY,SG", "li", "ana", "should")
