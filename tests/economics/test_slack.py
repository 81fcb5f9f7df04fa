"""/cost, /supplier, /market and /pm fx through the real Slack app over signed HTTP."""

from __future__ import annotations

from sqlmodel import Session, select

from handlers.costs.cards import MAX_LANES_SHOWN
from models.costs.cost import CostLane
from models.markets.launch_check import LaunchCheck, MarketLaunch
from models.workspace import Member
from tests.economics.support import squash
from tests.fakes.slack_api import FakeSlack
from tests.slack.test_block_kit_limits import assert_valid
from tests.support.slack_requests import SlackSender, SlackUser, block_text, button, buttons

LANE = (
    "lane TEE-01 market=DE channel=sea freight=1200/cbm duty=12% vat=19% referral=15% fulfilment=3.40 "
    "storage=0.12 ads=8% returns=6% price=24.99"
)


def test_cost_card_over_slack_with_the_hand_worked_figures(slack: SlackSender, engine) -> None:
    assert "EURCNY set to 7.82" in block_text(slack.command("fx EURCNY 7.82", command="/pm").json())
    added = slack.command("add TEE-01 purchase=23.50 currency=CNY weight=0.42kg dims=30x20x5cm", command="/cost")
    assert_valid(added.json())
    body = slack.command(LANE, command="/cost").json()
    assert_valid(body)
    text = squash(block_text(body))
    assert "`= 6.77 52.95` Contribution" in text and "Contribution margin 32.24%" in text
    # The build-up is a table: its amounts in monospace, in columns of a fixed width, the label after them.
    assert "`=         6.77        52.95`  Contribution" in block_text(body)
    with Session(engine) as db:
        assert db.exec(select(CostLane.market)).all() == ["DE"]
    what_if = slack.command("what-if TEE-01 fx=-10% freight=+30%", command="/cost").json()
    assert_valid(what_if)
    assert "DE" in block_text(what_if) and "margin 32.24% →" in block_text(what_if)
    price = slack.command("price TEE-01 market=DE margin=25%", command="/cost").json()
    assert_valid(price)
    assert "EUR 20.99" in block_text(price)


def test_bad_cost_input_is_an_ephemeral_usage_message(slack: SlackSender, engine) -> None:
    slack.command("add X purchase=1", command="/cost")
    body = slack.command("lane X market=DE channel=sea freight=1200/cbm duty=120% price=-1", command="/cost").json()
    assert body["response_type"] == "ephemeral"
    assert "`120%` is over 100%" in block_text(body) and "`-1` is negative" in block_text(body)
    assert "Usage: `/cost lane &lt;SKU&gt;" in block_text(body)
    with Session(engine) as db:
        assert db.exec(select(CostLane)).all() == []


def test_a_sku_with_many_lanes_stays_inside_block_kit_limits(slack: SlackSender) -> None:
    slack.command("fx EURCNY 7.82", command="/pm")
    slack.command("add BIG purchase=10 currency=CNY weight=1kg dims=10x10x10cm", command="/cost")
    markets = ["DE", "FR", "IT", "ES", "NL", "BE", "AT", "IE", "PL", "SE", "GB", "JP", "SG", "AU", "NZ", "US"]
    for market in markets:
        slack.command(f"lane BIG market={market} channel=air freight=40/kg duty=5% price=99", command="/cost")
    body = slack.command("show BIG", command="/cost").json()
    assert_valid(body)
    assert f"{len(markets) - MAX_LANES_SHOWN} more lanes not shown" in block_text(body)
    assert_valid(slack.command("what-if BIG fx=-5%", command="/cost").json())


def test_launch_checklist_buttons_update_the_card_and_record_who_ticked(
    slack: SlackSender, fake_slack: FakeSlack, engine
) -> None:
    slack.command("add 德国站 T 恤 market=DE")
    card = slack.command("check REQ-1 DE", command="/market").json()
    assert card["response_type"] == "in_channel"
    assert_valid(card)
    assert len(buttons(card)) == 10
    ana = SlackUser(user="U2", name="li")
    assert slack.click(button(card, "✓ 1"), who=ana).status_code == 200
    [update] = fake_slack.wait_for("response_url")
    assert update.body["replace_original"] is True
    assert "1 of 9 done" in block_text(update.body) and "<@U2>" in block_text(update.body)
    with Session(engine) as db:
        who = db.exec(select(Member.external_id).join(LaunchCheck, LaunchCheck.done_by == Member.id)).one()
    assert who == "U2"
    slack.click(button(card, "Approve launch"))
    refused = fake_slack.wait_for("response_url", 2)[1]
    assert "Required items still open: Listing title" in block_text(refused.body)
    with Session(engine) as db:
        assert db.exec(select(MarketLaunch)).all() == []


def test_supplier_compare_and_market_profile_in_chinese(slack: SlackSender) -> None:
    slack.command("lang zh", command="/pm")
    for name, scores in (("宏达", "4 5 3 4 2 4"), ("星达", "3 3 5 5 4 3")):
        slack.command(f"add {name} city=深圳", command="/supplier")
        q, c, cap, lt, rr, sv = scores.split()
        body = slack.command(
            f"score {name} quality={q} certification={c} capacity={cap} lead_time={lt} return_rate={rr} service={sv}",
            command="/supplier",
        ).json()
        assert_valid(body)
    compared = slack.command("compare 宏达 星达", command="/supplier").json()
    assert_valid(compared)
    assert "1. 星达* · 加权得分 3.75 / 5" in block_text(compared)
    profile = slack.command("show FR", command="/market").json()
    assert_valid(profile)
    assert "市场画像 · FR · 法国" in block_text(profile) and "自提点" in block_text(profile)


def test_every_economics_reply_draws_valid_block_kit(slack: SlackSender) -> None:
    script = [
        ("/pm", "fx"),
        ("/cost", ""),
        ("/cost", "help"),
        ("/cost", "list"),
        ("/cost", "add MUG purchase=12 currency=CNY weight=0.5kg"),
        ("/cost", "lane MUG market=GB channel=sea freight=1200/cbm duty=0% price=9.99"),  # no rate, no size
        ("/cost", "price MUG market=GB margin=20%"),
        ("/cost", "what-if MUG duty=+5pt"),
        ("/cost", "list"),
        ("/pm", "fx GBPCNY 9.1 date=2026-01"),
        ("/cost", "add MUG dims=10x10x12cm carton=40x30x30cm carton_weight=8kg per_carton=12"),
        ("/cost", "show MUG"),
        ("/supplier", ""),
        ("/supplier", "list"),
        # Slack delivers what users type escaped; shown back, it must stay text.
        ("/supplier", 'add "A &amp; &lt;i&gt;x&lt;/i&gt;" certs=CE,FCC defects=1/50 note="&lt;!channel&gt; test"'),
        ("/supplier", "weights"),
        ("/supplier", "link A sku=MUG role=backup"),
        ("/supplier", "show A"),
        ("/supplier", "list"),
        ("/market", ""),
        ("/market", "list"),
        ("/market", "add BR"),
        ("/market", 'item add BR "Portuguese (pt-BR) labels" optional'),
        ("/market", "show MY"),
        ("/req", "add thing market=BR"),
        ("/market", "check REQ-1"),
        ("/market", "launch REQ-1 BR"),
        ("/pm", "help"),
    ]
    for command, text in script:
        body = slack.command(text, command=command).json()
        assert_valid(body)
        mrkdwn = block_text(body, ("mrkdwn",))
        assert "<!channel>" not in mrkdwn and "<i>x</i>" not in mrkdwn, (command, text)
    shown = block_text(slack.command("show A", command="/supplier").json(), ("mrkdwn",))
    assert "&lt;!channel&gt; test" in shown
