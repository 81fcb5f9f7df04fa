"""/market through the real console: profiles with shipped defaults, the launch checklist and its gate."""

from __future__ import annotations

from sqlmodel import Session, select

from handlers.markets.commands import launch_refusal
from models.audit import AuditEntry
from models.markets.launch_check import LaunchCheck, MarketLaunch, open_required_all, open_required_items
from models.markets.profile import MarketProfile
from models.requirements.requirement import Requirement
from models.workspace import Member
from tests.economics.support import count
from tests.support.console import ConsoleDriver

DE_REQUIRED = ("translation", "listing", "units", "marks", "privacy", "returns", "epr")


def requirement_id(engine) -> int:
    with Session(engine) as db:
        return db.exec(select(Requirement.id)).one()


def test_shipped_profiles_in_english_and_chinese(console: ConsoleDriver, engine) -> None:
    out = console.send("/market show DE")
    assert "Market profile · DE · Germany" in out and "not yet kept for this workspace" in out
    assert "Currency: EUR" in out and "amazon, otto, ebay" in out
    assert "shelf prices include VAT/GST (19% standard)" in out
    assert "Payment methods: PayPal, invoice (Kauf auf Rechnung" in out
    assert "9. EPR registrations and numbers in place" in out
    us = console.send("/market show US")
    assert "shelf prices exclude sales tax" in us and "duty on FOB value" in us
    sg = console.send("/market show SG")
    assert "Currency: SGD" in sg and "PayNow" in sg and "GST included" in sg
    console.send("/pm lang zh")
    jp = console.send("/market show JP")
    assert "市场画像 · JP · 日本" in jp and "便利店付款" in jp and "标准税率 10%" in jp
    for code in ("US", "GB", "DE", "FR", "JP", "SG", "MY"):
        assert "用户画像：年龄段: —" not in console.send(f"/market show {code}"), code
    assert count(engine, MarketProfile) == 0  # showing stores nothing


def test_add_edit_and_restore_a_default(console: ConsoleDriver, engine) -> None:
    assert "Profile for GB added" in console.send("/market add UK")
    assert "GB already has a profile." in console.send("/market add gb")
    out = console.send('/market edit GB payments="Cards, PayPal, Klarna" platforms=amazon,ebay,tiktok')
    assert "GB profile updated: platforms, payments." in out
    assert "Payment methods: Cards, PayPal, Klarna" in out and "Preferred platforms: amazon, ebay, tiktok" in out
    restored = console.send("/market edit GB payments=none")
    assert "Payment methods: Debit and credit cards, PayPal" in restored
    with Session(engine) as db:
        profile = db.exec(select(MarketProfile)).one()
        edits = db.exec(select(AuditEntry).where(AuditEntry.entity == "market", AuditEntry.action == "edit")).all()
    assert (profile.market, profile.payments, profile.platforms) == ("GB", None, ["amazon", "ebay", "tiktok"])
    assert edits[0].changes["payments"] == [None, "Cards, PayPal, Klarna"]
    bad = console.send("/market edit GB currency=XYZ")
    assert "XYZ is not a currency code I know" in bad
    assert "colour is not an option here" in console.send("/market edit GB colour=red")


def test_a_market_without_shipped_defaults(console: ConsoleDriver) -> None:
    out = console.send("/market add BR")
    assert "Tradewind ships no profile for BR" in out and "Currency: BRL" in out
    assert "Language: —" in out
    assert "Language: Portuguese" in console.send("/market edit BR language=Portuguese")


def test_own_checklist_items(console: ConsoleDriver) -> None:
    out = console.send('/market item add DE "Amazon Vine enrolled" optional')
    assert "10. Amazon Vine enrolled (optional)" in out
    assert "11. Label files sent to the factory" in console.send(
        '/market item add DE "Label files sent to the factory"'
    )
    out = console.send("/market item drop DE 10")
    assert "Amazon Vine" not in out and "10. Label files sent to the factory" in out
    assert "has no item 12" in console.send("/market item drop DE 12")


def test_walk_the_checklist_with_buttons_and_record_who_ticked_what(console: ConsoleDriver, engine) -> None:
    console.send("/req add 德国站 T 恤 market=DE,US")
    assert "tagged with DE, US: say which market" in console.send("/market check REQ-1")
    assert "REQ-1 is not tagged with FR" in console.send("/market check REQ-1 FR")
    out = console.send("/market check REQ-1 DE")
    assert "Launch check · REQ-1 · DE · Germany" in out and "0 of 9 done" in out
    assert "[1] ✓ 1  [2] ✓ 2" in out and "[10] Approve launch" in out
    console.send("1")  # mei ticks item 1
    li = ConsoleDriver(console.console.runtime, user="li")
    out = li.send("/market check REQ-1 DE")
    assert "✅ 1. Translation reviewed by a native speaker · @mei" in out
    assert "⬜ 2. Listing title" in out
    li.send("2")  # li ticks item 2
    li.send("1")  # li unticks item 1
    with Session(engine) as db:
        people = {m.id: m.external_id for m in db.exec(select(Member))}
        checks = {c.item_key: (c.done, people[c.done_by]) for c in db.exec(select(LaunchCheck))}
        trail = [
            (people[e.actor_id], e.changes["item"][1], e.changes["done"][1])
            for e in db.exec(select(AuditEntry).where(AuditEntry.action == "launch_check").order_by(AuditEntry.id))
        ]
    assert checks == {"translation": (False, "li"), "listing": (True, "li")}
    assert trail == [("mei", "translation", True), ("li", "listing", True), ("li", "translation", False)]


def test_a_stale_button_changes_nothing_and_redraws(console: ConsoleDriver, engine) -> None:
    console.send("/req add thing market=FR")
    console.send("/market check REQ-1")  # the only market
    li = ConsoleDriver(console.console.runtime, user="li")
    li.send("/market check REQ-1 FR")
    li.send("1")
    out = console.send("1")  # mei's card still offers "✓ 1"
    assert "Someone changed that item already" in out
    assert count(engine, LaunchCheck) == 1


def test_launch_is_refused_while_a_required_item_is_open(console: ConsoleDriver, engine) -> None:
    console.send("/req add 德国站 T 恤 market=DE")
    console.send("/market check REQ-1 DE")
    req = requirement_id(engine)
    refused = console.send("/market launch REQ-1 DE")
    assert (
        "The launch of REQ-1 in DE cannot be approved yet. Required items still open: Translation reviewed" in refused
    )
    assert "EPR registrations and numbers in place" in refused
    assert "Image alt text" not in refused  # optional
    with Session(engine) as db:
        assert [i.key for i in open_required_items(db, req, "DE")] == list(DE_REQUIRED)
    for n in (1, 2, 4, 5, 6, 7):
        console.send(str(n))
    out = console.send("10")  # the Approve launch button, with item 9 still open
    assert "Required items still open: EPR registrations and numbers in place." in out
    assert count(engine, MarketLaunch) == 0
    console.send("9")
    with Session(engine) as db:
        assert open_required_items(db, req, "DE") == []
        assert launch_refusal(db, req, "DE") is None
    li = ConsoleDriver(console.console.runtime, user="li")
    assert "Only admins and approvers can approve a launch." in li.send("/market launch REQ-1 DE")
    out = console.send("/market launch REQ-1 DE")
    assert "Launch of REQ-1 in DE approved." in out and "Launch approved by @mei" in out
    assert "is approved already" in console.send("/market launch REQ-1 DE")
    with Session(engine) as db:
        launch = db.exec(select(MarketLaunch)).one()
        approved = db.exec(select(AuditEntry).where(AuditEntry.action == "launch")).one()
    assert (launch.market, approved.entity, approved.entity_id) == ("DE", "requirement", req)
    assert "approved a launch" in console.send("/req show REQ-1")


def test_launch_refusal_for_other_features_names_the_open_items(console: ConsoleDriver, engine) -> None:
    console.send("/req add thing market=JP")
    req = requirement_id(engine)
    with Session(engine) as db:
        text = launch_refusal(db, req, "JP")
        unknown = open_required_items(db, req + 99, "JP")
    assert text is not None and text.key == "market.launch.blocked"
    assert text.params["key"] == "REQ-1" and text.params["market"] == "JP"
    assert len(text.params["items"]) == 6  # JP: the eight shipped items less two optional ones
    assert unknown == []
    console.send("/req add other market=US,DE")
    with Session(engine) as db:
        other = db.exec(select(Requirement.id).where(Requirement.title == "other")).one()
        blocking = open_required_all(db, other)
    assert sorted(blocking) == ["DE", "US"] and len(blocking["DE"]) == 7 and len(blocking["US"]) == 6
