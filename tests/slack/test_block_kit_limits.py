"""The largest replies stay inside Block Kit's limits (they are validated before sending; a reply that
failed validation would come back as an internal-error message instead)."""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from tests.support.slack_requests import SlackSender, block_text

ALL_MARKETS = "US,CA,MX,BR,GB,DE,FR,IT,ES,NL,PL,SE,BE,IE,AT,CH,TR,AE,SA,JP,KR,AU,NZ,SG,MY,TH,VN,PH,ID,TW"


def assert_valid(message: dict) -> None:
    assert len(message["blocks"]) <= 50
    assert [b.to_dict() for b in Block.parse_all(message["blocks"])] == message["blocks"]
    assert "Something went wrong" not in block_text(message)


def test_a_requirement_with_every_field_at_its_limit(slack: SlackSender) -> None:
    title = "标" * 200
    long_text = "验收" * 1000
    body = slack.command(
        f'add {title} market={ALL_MARKETS} platform={"p" * 40} metric="{"m" * 200}" '
        f'ac="{long_text}" desc="{long_text}" due=2030-01-01'
    ).json()
    assert_valid(body)
    assert "REQ-1 logged." in block_text(body)
    for n in range(5):
        slack.command(f'edit REQ-1 metric="metric {n}"')
    shown = slack.command("show REQ-1").json()
    assert_valid(shown)
    header = next(b for b in shown["blocks"] if b["type"] == "header")
    assert len(header["text"]["text"]) == 150 and header["text"]["text"].endswith("…")


def test_a_full_page_of_long_items(slack: SlackSender) -> None:
    for n in range(25):
        slack.command(f"add {'长标题' * 66}{n} market={ALL_MARKETS} platform={'x' * 40} owner=<@U{n}|user{n}>")
    body = slack.command("list").json()
    assert_valid(body)
    assert "1–10 of 25" in block_text(body)
