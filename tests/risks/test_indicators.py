"""Early-warning figures: fed by /pm figure or POST /api/figures with the workspace's token; a crossing
alerts the risk's owner and channel once, and not again until the figure has crossed back."""

from __future__ import annotations

import re
import time
from decimal import Decimal

import httpx
from sqlmodel import Session, select

from models.costs.fx import FxRate
from models.risks.indicator import Figure, FigureToken, RiskAlert, RiskWatch
from models.risks.risk import Risk
from tests.fakes.slack_api import FakeSlack
from tests.support.slack_requests import SlackSender, SlackUser, block_text, button, buttons

ADMIN = SlackUser(user="U1", name="ana")
LI = SlackUser(user="U2", name="li")


def alerts_sent(fake_slack: FakeSlack) -> list:
    return [c for c in fake_slack.calls_to("chat.postMessage") if "Early warning" in block_text(c.body)]


def watched_risk(slack: SlackSender) -> None:
    slack.command("add CNY strengthens category=fx likelihood=3 impact=4 owner=<@U2|li>", command="/risk", who=ADMIN)
    answer = slack.command("watch RISK-1 fx.USDCNY below 7.0", command="/risk", who=ADMIN).json()
    assert "RISK-1 now watches fx.USDCNY below 7.0. No value yet" in block_text(answer)


def feed(slack: SlackSender, value: str, who: SlackUser = ADMIN) -> str:
    return block_text(slack.command(f"figure fx.USDCNY {value}", command="/pm", who=who).json())


def test_a_crossing_alerts_owner_and_channel_once_until_it_crosses_back(slack, fake_slack, engine) -> None:
    watched_risk(slack)
    fake_slack.wait_for("chat.postMessage")  # the high risk's own card
    assert feed(slack, "7.10") == "fx.USDCNY = 7.10."
    assert "Threshold alerts sent: 1." in feed(slack, "6.95")
    post, dm = sorted(fake_slack.wait_for("chat.postMessage", 3)[1:], key=lambda c: c.body["channel"])
    assert (post.body["channel"], dm.body["channel"]) == ("C1", "U2")
    for message in (dm.body, post.body):
        assert "Early warning: fx.USDCNY is 6.95, below 7.0" in block_text(message)
        assert [b["text"]["text"] for b in buttons(message)] == ["Raise likelihood to 4"]
    for value in ("6.90", "6.99", "6.80"):  # still past the threshold: no new alert
        assert feed(slack, value) == f"fx.USDCNY = {value}."
    assert feed(slack, "7.0") == "fx.USDCNY = 7.0."  # back (7.0 is not below 7.0): re-armed quietly
    assert "Threshold alerts sent: 1." in feed(slack, "6.97")  # crosses again
    fake_slack.wait_for("chat.postMessage", 5)  # the risk's card, then two crossings × (owner + channel)
    assert len(alerts_sent(fake_slack)) == 4
    with Session(engine) as db:
        assert [str(a.value) for a in db.exec(select(RiskAlert).order_by(RiskAlert.id))] == ["6.95", "6.97"]
        # an exchange rate is kept once, with the team's other rates (what /pm fx shows)
        assert db.exec(select(FxRate.rate).order_by(FxRate.id.desc())).first() == Decimal("6.97")  # type: ignore[union-attr]
        assert db.exec(select(Figure)).all() == []


def test_raise_likelihood_from_the_alert(slack, fake_slack, engine) -> None:
    watched_risk(slack)
    feed(slack, "6.9")
    post = next(
        c
        for c in fake_slack.wait_for("chat.postMessage", 3)
        if c.body["channel"] == "C1" and "Early" in block_text(c.body)
    )
    slack.click(button(post.body, "Raise likelihood to 4"), who=LI)
    [answer] = fake_slack.wait_for("response_url")
    assert answer.body["replace_original"] is True
    assert "RISK-1: likelihood raised to 4; score 16 (high)." in block_text(answer.body)
    assert "Likelihood raised by <@U2>" in block_text(answer.body)
    assert buttons(answer.body) == []
    updates = fake_slack.wait_for("chat.update", 2)  # the channel alert and the risk's card
    assert any("Likelihood raised by <@U2>" in block_text(u.body) for u in updates)
    with Session(engine) as db:
        stored = db.exec(select(Risk)).one()
        alert = db.exec(select(RiskAlert)).one()
    assert (stored.likelihood, stored.score, alert.raised_by is not None) == (4, 16, True)
    slack.click(button(post.body, "Raise likelihood to 4"), who=ADMIN)  # the DM copy or a double click
    second = fake_slack.wait_for("response_url", 2)[1]
    assert "RISK-1 has likelihood 4 now, so that button no longer applies." in block_text(second.body)
    with Session(engine) as db:
        assert db.exec(select(Risk.likelihood)).one() == 4


def test_watch_input_is_checked(slack, engine) -> None:
    slack.command("add thing category=fx likelihood=2 impact=2", command="/risk")
    cases = {
        "watch RISK-1 fx.USDCNY sideways 7": "`sideways` is neither above nor below.",
        "watch RISK-1 usdcny above 7": "`usdcny` is not a figure name",
        "watch RISK-1 fx.USDCNY above seven": "`seven` is not a number",
        "watch RISK-9 fx.USDCNY above 7": "RISK-9 does not exist",
        "watch RISK-1 fx.USDCNY": "Give the risk, a figure, above or below, and a value",
    }
    for text, expected in cases.items():
        assert expected in block_text(slack.command(text, command="/risk").json()), text
    with Session(engine) as db:
        assert db.exec(select(RiskWatch)).all() == []
    assert "no longer watches" not in block_text(slack.command("unwatch RISK-1 fx.USDCNY", command="/risk").json())


def stored(db: Session) -> dict[str, str]:
    """Every figure stored, of every workspace: plain figures and the exchange rates fed as `fx.*`."""
    found = {f.name: str(f.value) for f in db.exec(select(Figure))}
    for rate in db.exec(select(FxRate).order_by(FxRate.id)):  # type: ignore[arg-type]
        found[f"fx.{rate.base}{rate.quote}"] = str(rate.rate)
    return found


def token_of(slack: SlackSender) -> str:
    body = slack.command("figure token", command="/pm", who=ADMIN).json()
    assert body["response_type"] == "ephemeral"
    return re.search(r"`(twf_[A-Za-z0-9_\-]+)`", block_text(body)).group(1)


def test_the_http_push_needs_the_workspace_token(slack, slack_server, fake_slack, engine) -> None:
    watched_risk(slack)
    token = token_of(slack)
    with Session(engine) as db:
        stored_hash = db.exec(select(FigureToken.token_hash)).one()
    assert token not in stored_hash and len(stored_hash) == 64
    url = f"{slack_server.url}/api/figures"
    body = {"figures": {"fx.USDCNY": 6.9, "freight.CN-US.40ft": "4,200"}}
    for headers in ({}, {"Authorization": "Bearer twf_wrong"}, {"Authorization": f"Basic {token}"}):
        refused = httpx.post(url, json=body, headers=headers)
        assert refused.status_code == 401 and refused.json() == {"ok": False, "error": "invalid_token"}
    with Session(engine) as db:
        assert stored(db) == {}
    answer = httpx.post(url, json=body, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.json() == {"ok": True, "stored": 2, "alerts": 1}
    with Session(engine) as db:
        assert stored(db) == {
            "fx.USDCNY": "6.9",
            "freight.CN-US.40ft": "4200",
        }
    deadline = time.monotonic() + 5
    while len(alerts_sent(fake_slack)) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sorted(c.body["channel"] for c in alerts_sent(fake_slack)) == ["C1", "U2"]
    again = httpx.post(url, json={"name": "fx.USDCNY", "value": 6.8}, headers={"Authorization": f"Bearer {token}"})
    assert again.json() == {"ok": True, "stored": 1, "alerts": 0}


def test_a_bad_push_stores_nothing(slack, slack_server, engine) -> None:
    token = token_of(slack)
    url = f"{slack_server.url}/api/figures"
    auth = {"Authorization": f"Bearer {token}"}
    for payload, error in (
        ({"figures": {"fx.USDCNY": 6.9, "bad name": 1}}, "bad_name"),
        ({"figures": {"fx.USDCNY": 6.9, "returns.DE": "lots"}}, "bad_value"),
        ({"value": 3}, "bad_body"),
        ([1, 2], "bad_body"),
    ):
        answer = httpx.post(url, json=payload, headers=auth)
        assert answer.status_code == 400 and answer.json()["error"] == error, payload
    assert httpx.post(url, content=b"{not json", headers=auth).json()["error"] == "bad_body"
    assert httpx.post(url, json={"name": "fx.USDCNY", "value": 0}, headers=auth).json()["error"] == "bad_value"
    with Session(engine) as db:
        assert stored(db) == {}


def test_a_new_token_replaces_the_old_and_members_cannot_make_one(slack, slack_server) -> None:
    first = token_of(slack)
    second = token_of(slack)
    url = f"{slack_server.url}/api/figures"
    payload = {"name": "returns.DE", "value": "3.5%"}
    assert httpx.post(url, json=payload, headers={"Authorization": f"Bearer {first}"}).status_code == 401
    assert httpx.post(url, json=payload, headers={"Authorization": f"Bearer {second}"}).status_code == 200
    refused = block_text(slack.command("figure token", command="/pm", who=LI).json())
    assert "Only workspace admins can create the push token." in refused


def test_tokens_are_per_workspace(slack, slack_server, engine) -> None:
    token = token_of(slack)
    other = SlackUser(user="U1", team="T_OTHER")
    slack.command("add other team's risk category=fx likelihood=2 impact=2", command="/risk", who=other)
    slack.command("watch RISK-1 fx.USDCNY below 7.0", command="/risk", who=other)
    answer = httpx.post(f"{slack_server.url}/api/figures", json={"name": "fx.USDCNY", "value": 6.5},
                        headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert answer.json()["alerts"] == 0  # T1's token feeds T1's figures only
    with Session(engine) as db:
        assert len(stored(db)) == 1
    assert "No figures yet" in block_text(slack.command("figure", command="/pm", who=other).json())
