"""/req through the real console: the same commands a Slack user types, drawn as text."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from models.audit import AuditEntry
from models.requirements.requirement import Requirement, RequirementMarket
from tests.support.console import ConsoleDriver


def stored(engine) -> list[Requirement]:
    with Session(engine) as db:
        return list(db.exec(select(Requirement).order_by(Requirement.number)).all())


def markets_of(engine, requirement_id: int) -> list[str]:
    with Session(engine) as db:
        return sorted(
            db.exec(select(RequirementMarket.market).where(RequirementMarket.requirement_id == requirement_id))
        )


def test_add_stores_every_field_and_shows_the_card(console: ConsoleDriver, engine) -> None:
    out = console.send(
        '/req add Localise the DE A+ page market=US,de platform=Amazon metric="DE conversion +8%" '
        'ac="native review; cm and kg" due=2026-12-01 desc="for Q1" owner=@li'
    )
    assert "REQ-1 logged." in out
    assert "== REQ-1 · Localise the DE A+ page ==" in out
    [item] = stored(engine)
    assert (item.number, item.title, item.platform, item.metric) == (
        1,
        "Localise the DE A+ page",
        "amazon",
        "DE conversion +8%",
    )
    assert item.acceptance == "native review; cm and kg"
    assert item.description == "for Q1"
    assert item.due == date(2026, 12, 1)
    assert item.status == "new"
    assert markets_of(engine, item.id) == ["DE", "US"]
    assert "@li" in out


def test_full_width_punctuation_parses_like_ascii(console: ConsoleDriver, engine) -> None:
    out = console.send("/req add 日本站包邮门槛　market＝JP，US　desc＝“满 3500 日元 包邮”　due：2026年12月1日")
    assert "REQ-1" in out
    [item] = stored(engine)
    assert item.title == "日本站包邮门槛"
    assert item.description == "满 3500 日元 包邮"
    assert markets_of(engine, item.id) == ["JP", "US"]


def test_chinese_colon_inside_a_title_stays_in_the_title(console: ConsoleDriver, engine) -> None:
    console.send("/req add 修复：德语标题翻译 market=DE")
    assert stored(engine)[0].title == "修复：德语标题翻译"


def test_keys_count_up_per_workspace_and_are_never_reused(console: ConsoleDriver, engine) -> None:
    for title in ("one", "two", "three"):
        console.send(f"/req add {title}")
    assert [r.number for r in stored(engine)] == [1, 2, 3]
    console.send("/req add four due=notadate")  # refused: no number is spent on it
    console.send("/req add five")
    assert [(r.number, r.title) for r in stored(engine)][-1] == (4, "five")


def test_bad_input_gets_usage_and_stores_nothing(console: ConsoleDriver, engine) -> None:
    cases = {
        "/req add": "A requirement needs a title.",
        "/req add x market=XX": "XX is not an ISO country code",
        "/req add x due=2026-02-30": "is not a date I can read",
        "/req add x colour=red": "colour is not an option here",
        "/req add x markte=US": "Did you mean market?",
        "/req add x market=US market=DE": "market is given twice",
        '/req add "unclosed': "is opened but never closed",
        "/req add " + "x" * 201: "too long (201 characters; at most 200)",
        "/req frobnicate": "I don't know /req frobnicate. /pm help lists what I can do.",
        "/nosuch thing": "I don't know /nosuch thing.",
    }
    for line, expected in cases.items():
        out = console.send(line)
        assert expected in out, (line, out)
        assert "Usage:" in out or "don't know" in out, out
        assert "Traceback" not in out
    assert stored(engine) == []


def test_list_filters_and_pages(console: ConsoleDriver) -> None:
    for n in range(1, 24):
        market = "DE" if n % 2 else "US"
        console.send(f"/req add item {n} market={market} platform={'shopee' if n % 3 == 0 else 'amazon'}")
    out = console.send("/req list")
    assert "1–10 of 23" in out
    assert "REQ-23" in out and "REQ-14" in out and "REQ-13" not in out
    assert "[1] Next ›" in out
    page2 = console.send("1")
    assert "11–20 of 23" in page2 and "REQ-13" in page2 and "REQ-4" in page2
    assert "[1] ‹ Previous  [2] Next ›" in page2
    page3 = console.send("2")
    assert "21–23 of 23" in page3 and "REQ-1" in page3
    de = console.send("/req list market=de")
    assert "1–10 of 12" in de and "REQ-22" not in de
    shopee_de = console.send("/req list market=DE platform=Shopee")
    assert "of 4" in shopee_de  # 3, 9, 15, 21
    assert "No requirements match." in console.send("/req list status=shipped")


def test_list_mine_means_requested_or_owned(console: ConsoleDriver) -> None:
    console.as_user("li").send("/req add li's own")
    console.as_user("mei").send("/req add for li owner=@li")
    console.as_user("mei").send("/req add mei's")
    out = console.as_user("li").send("/req list mine")
    assert "of 2" in out and "mei's" not in out


def test_show_by_key_or_number(console: ConsoleDriver) -> None:
    console.send("/req add something market=JP")
    for line in ("/req show REQ-1", "/req show 1", "/req show req-1", "/req REQ-1", "/req show ＲＥＱ－１"):
        assert "== REQ-1 · something ==" in console.send(line), line
    assert "REQ-9 does not exist in this workspace." in console.send("/req show REQ-9")


def test_edit_changes_fields_and_audits_old_and_new(console: ConsoleDriver, engine) -> None:
    console.send("/req add title market=US due=2026-12-01")
    out = console.send('/req edit REQ-1 market=US,GB platform=temu due=none title="better title"')
    assert "REQ-1 updated:" in out
    [item] = stored(engine)
    assert (item.title, item.platform, item.due) == ("better title", "temu", None)
    assert markets_of(engine, item.id) == ["GB", "US"]
    with Session(engine) as db:
        edit = db.exec(select(AuditEntry).where(AuditEntry.action == "edit")).one()
    assert edit.changes == {
        "markets": [["US"], ["GB", "US"]],
        "platform": [None, "temu"],
        "due": ["2026-12-01", None],
        "title": ["title", "better title"],
    }
    assert "nothing changed" in console.send("/req edit REQ-1 platform=temu")
    assert "Nothing to change" in console.send("/req edit REQ-1")


def test_lifecycle_moves_and_refusals(console: ConsoleDriver, engine) -> None:
    console.send("/req add thing")
    assert "REQ-1 is now triaged." in console.send("/req status REQ-1 triaged")
    refused = console.send("/req status REQ-1 shipped")
    assert "REQ-1 is triaged; it can move to approved, rejected, parked, not shipped." in refused
    for state in ("approved", "in_progress", "shipped"):
        console.send(f"/req status 1 {state}")
    assert "REQ-1 is shipped, which is final." in console.send("/req status 1 parked")
    assert "done is not a status" in console.send("/req status 1 done")
    assert stored(engine)[0].status == "shipped"
    with Session(engine) as db:
        moves = [e.changes["status"] for e in db.exec(select(AuditEntry).where(AuditEntry.action == "status"))]
    assert moves == [
        ["new", "triaged"],
        ["triaged", "approved"],
        ["approved", "in_progress"],
        ["in_progress", "shipped"],
    ]


def test_card_buttons_move_the_requirement(console: ConsoleDriver, engine) -> None:
    out = console.send("/req add thing")
    assert "[1] Triage  [2] Reject  [3] Park" in out
    moved = console.send("1")
    assert "REQ-1 is now triaged." in moved
    assert "[1] Approve  [2] Reject  [3] Park" in moved
    assert stored(engine)[0].status == "triaged"


def test_a_stale_button_says_so_and_changes_nothing(console: ConsoleDriver, engine) -> None:
    console.send("/req add thing")  # buttons: Triage, Reject, Park
    ConsoleDriver(console.console.runtime, user="li").send("/req status 1 parked")
    out = console.send("1")  # Triage, pressed on the old card
    assert "REQ-1 is parked now, so that move no longer applies." in out
    assert stored(engine)[0].status == "parked"


def test_form_asks_each_field_and_refuses_bad_ones_field_by_field(console: ConsoleDriver, engine) -> None:
    out = console.send("/req", "Bundle for 9.9", "SG, MY", "shopee", "GMV", "", "2026-13-40", "", "", "2026-09-01")
    assert "! due:" in out
    assert "REQ-1 logged." in out
    [item] = stored(engine)
    assert (item.title, item.platform, item.due) == ("Bundle for 9.9", "shopee", date(2026, 9, 1))
    assert markets_of(engine, item.id) == ["MY", "SG"]


def test_form_cancel_stores_nothing(console: ConsoleDriver, engine) -> None:
    out = console.send("/req", "A title", "-")
    assert "Form cancelled" in out
    assert stored(engine) == []


def test_pm_umbrella_and_chinese(console: ConsoleDriver) -> None:
    assert "REQ-1 logged." in console.send("/pm req add via umbrella")
    assert "语言已设为简体中文。" in console.send("/pm lang zh")
    out = console.send("/req status REQ-1 shipped")
    assert "REQ-1 当前是「新建」，只能改为 已评估、已拒绝、已搁置，不能改为「已上线」。" in out
    assert "用法：/req status" in out
    assert "Tradewind 能做什么" in console.send("/pm help")
    assert "Language set to English." in console.send("/pm lang en")


def test_help_lists_every_command(console: ConsoleDriver) -> None:
    out = console.send("/pm help")
    for line in ("/req add", "/req list", "/req show", "/req edit", "/req status", "/pm lang", "/pm tz"):
        assert line in out
    assert "Lifecycle:" in console.send("/req help")


def test_title_none_is_refused_not_stored(console: ConsoleDriver, engine) -> None:
    console.send("/req add real title")
    out = console.send("/req edit REQ-1 title=none")
    assert "A requirement always has a title, so none cannot clear it" in out
    assert "需求必须有标题" in (console.send("/pm lang zh") and console.send("/req edit REQ-1 title=无"))
    assert stored(engine)[0].title == "real title"


def test_a_past_due_date_is_kept_and_said(console: ConsoleDriver, engine) -> None:
    out = console.send("/req add old due=2020-01-01")
    assert "REQ-1 logged. Its due date, 2020-01-01, is already past." in out
    assert stored(engine)[0].due == date(2020, 1, 1)
    assert "already past" not in console.send("/req add later due=+1w")
    out = console.send("/pm lang zh") and console.send("/req edit REQ-2 due=2021-03-04")
    assert "REQ-2 已更新：截止日期。截止日期 2021-03-04 已经过去了。" in out


def test_a_month_and_day_already_past_is_read_as_next_year_and_said(console: ConsoleDriver, engine) -> None:
    from handlers.core.fields import local_today

    today = local_today("UTC")
    past = today.replace(day=1) if today.day > 1 else today.replace(month=1, day=1)
    if past >= today:
        return  # 1 January: no earlier day this year (the fields tests cover the arithmetic)
    out = console.send(f"/req add x due={past.month}月{past.day}日")
    expected = past.replace(year=today.year + 1)
    assert f"{past.month}月{past.day}日 is past this year, so it was read as {expected.isoformat()}." in out
    assert stored(engine)[0].due == expected


def test_the_history_shows_old_and_new_values(console: ConsoleDriver) -> None:
    console.send("/req add draft market=US due=2026-12-01")
    out = console.send('/req edit REQ-1 title="DE A+ page" market=US,DE owner=@li due=none')
    assert "REQ-1 updated: Title, Markets, Owner, Due date." in out
    assert "changed Title draft → DE A+ page, Markets US → DE, US, Owner — → @li, Due date 2026-12-01 → —" in out
    zh = console.send("/pm lang zh") and console.send("/pm audit REQ-1")
    assert "修改了 标题 draft → DE A+ page、市场 US → DE, US、负责人 — → @li、截止日期 2026-12-01 → —" in zh


def test_12_yue_1_ri_typed_on_2_december() -> None:
    from handlers.core.fields import due_date, due_note
    from handlers.core.reply import Text

    today = date(2026, 12, 2)
    due = due_date("due", "12月1日", today=today)
    assert due == date(2027, 12, 1)
    assert due_note("12月1日", due, today=today) == Text("field.due_next_year", {"value": "12月1日", "date": due})
    assert due_note("12月2日", due_date("due", "12月2日", today=today), today=today) is None  # today is not past
    assert due_note("2026-12-01", date(2026, 12, 1), today=today) == Text("field.due_past", {"date": date(2026, 12, 1)})
