"""The console's side of capture and calendars: `/req capture` walks the form filled from pasted text,
`/pm settings calendar=` picks the team's holidays; in English and Chinese."""

from __future__ import annotations

from sqlmodel import Session, select

from models.requirements.requirement import Requirement
from models.workspace import Member, Workspace
from tests.support.console import ConsoleDriver

FIELDS = 8  # title, markets, platform, metric, acceptance, due, description, source


def test_capture_fills_the_form_and_enter_keeps_what_was_filled(console: ConsoleDriver, engine) -> None:
    answers = ["", "DE", "", "", "", "", "", "marketplace"]
    out = console.send("/req capture Amazon DE flagged our size chart from=@li", *answers)
    assert "Filled in: Amazon DE flagged our size chart (Enter keeps it)" in out
    assert "REQ-1 logged." in out
    assert "Source" in out and "marketplace" in out
    with Session(engine) as db:
        item = db.exec(select(Requirement)).one()
        requester = db.get(Member, item.requester_id)
    assert (item.title, item.source, item.source_link) == ("Amazon DE flagged our size chart", "marketplace", None)
    assert requester is not None and requester.external_id == "li"


def test_source_is_set_edited_filtered_and_refused_when_unknown(console: ConsoleDriver) -> None:
    console.send("/req add Shopee MY free shipping source=客户")
    console.send("/req add Temu price floor")
    listed = console.send("/req list source=customer")
    assert "Shopee MY free shipping" in listed and "Temu price floor" not in listed
    edited = console.send("/req edit REQ-2 source=competitor")
    assert "REQ-2 updated: Source." in edited
    assert "changed Source — → competitor" in edited
    assert "Source: competitor" in edited
    refused = console.send("/req add Bundle source=rumour")
    assert "rumour is not a source" in refused
    assert "customer, marketplace, competitor, ops, data" in refused


def test_capture_without_text_says_what_to_do_in_chinese(console: ConsoleDriver) -> None:
    console.send("/pm lang zh")
    out = console.send("/req capture")
    assert "请把内容粘贴在 /req capture 之后" in out


def test_calendar_setting_is_for_admins_and_shown_in_both_languages(console: ConsoleDriver, engine) -> None:
    out = console.send("/pm settings calendar=CN")
    assert "Settings saved." in out
    assert "China (public holidays and make-up workdays)" in out
    with Session(engine) as db:
        assert db.exec(select(Workspace.calendar).where(Workspace.platform == "console")).one() == "CN"
    console.send("/pm lang zh")
    assert "中国（法定节假日与调休上班日）" in console.send("/pm settings")
    assert "不是可用的日历" in console.send("/pm settings calendar=Mars")
    assert "不使用（仅工作日）" in console.send("/pm settings calendar=none")
