"""A channel's own standup questions in the console: set by who may change the digest, shown, reset;
the form asks them as typed, answers are kept with the question they answered, and the digest shows
them so; bad input is refused with a short message and stores nothing."""

from __future__ import annotations

import json

from sqlmodel import Session, select

from bot.runtime import Runtime
from models.standup.answer import StandupAnswer
from models.standup.questions import StandupQuestions
from tests.support.console import ConsoleDriver

SET = '/standup questions "What shipped?" | "What is next?" | "Anything <@channel> should know?"'


def stored(engine) -> list[StandupQuestions]:
    with Session(engine) as db:
        return list(db.exec(select(StandupQuestions)).all())


def test_questions_are_set_shown_asked_as_typed_and_reset(console: ConsoleDriver, engine) -> None:
    assert "1. Yesterday\n  2. Today\n  3. Blockers" in console.send("/standup questions")
    out = console.send(SET)
    assert "This channel's standup questions are saved." in out
    assert "3. Anything <@channel> should know?" in out  # as typed, nothing resolved
    asked = console.send("/standup", "SKU-12 listing \\", "and the DE A+ page", "", "customs papers")
    assert "What shipped?:" in asked and "Yesterday" not in asked
    assert "Your standup for" in asked and "customs papers" in asked
    with Session(engine) as db:
        row = db.exec(select(StandupAnswer)).one()
    assert (row.yesterday, row.today, row.blockers) == (None, None, None)
    assert json.loads(row.custom or "") == [
        ["What shipped?", "SKU-12 listing\nand the DE A+ page"],
        ["What is next?", None],
        ["Anything <@channel> should know?", "customs papers"],
    ]
    # Typed by number; a question not given keeps what the form said.
    assert "is updated." in console.send("/standup 2: JP bundle")
    # A question changed later does not relabel the answer given to the old one.
    console.send('/standup questions "Wins?" | "Next?"')
    preview = console.send("/digest preview")
    assert "What shipped?: SKU-12 listing" in preview and "What is next?: JP bundle" in preview
    assert "Wins?" not in preview
    assert "default standup questions again" in console.send("/standup questions reset")
    assert "1. Yesterday" in console.send("/standup questions")
    assert "Yesterday:" in console.send("/standup", "-")  # the default form again (cancelled)


def test_bad_questions_get_a_short_message_and_store_nothing(console: ConsoleDriver, engine) -> None:
    assert "At most 5 questions; you gave 6." in console.send("/standup questions a | b | c | d | e | f")
    assert "Question 2 is empty" in console.send('/standup questions "a" | "" | "c"')
    assert "Question 1 is 151 characters long; at most 150." in console.send("/standup questions " + "x" * 151)
    assert "Question 1 is empty" in console.send('/standup questions ""')
    assert stored(engine) == []
    console.send("/standup questions a | b")
    assert "answer them by number" in console.send("/standup y: old style")
    assert "This channel asks 2 questions: 3: is not one of them." in console.send("/standup 3: x")
    with Session(engine) as db:
        assert db.exec(select(StandupAnswer)).all() == []


def test_only_digest_editors_may_change_them(runtime: Runtime, engine) -> None:
    mei = ConsoleDriver(runtime)
    mei.send("/standup questions")  # mei, first in, is the admin
    li = ConsoleDriver(runtime, user="li")
    assert "Only admin, approver can change this channel's standup questions." in li.send("/standup questions a | b")
    assert "can change this channel's standup questions" in li.send("/standup questions reset")
    assert stored(engine) == []
    assert "1. Yesterday" in li.send("/standup questions")  # anyone may look


def test_in_chinese_defaults_are_translated_and_custom_ones_shown_as_typed(console: ConsoleDriver) -> None:
    console.send("/pm lang zh")
    assert "默认问题" in console.send("/standup questions") and "1. 昨天" in console.send("/standup questions")
    assert "最多 5 个问题；你写了 6 个。" in console.send("/standup questions 一|二|三|四|五|六")
    out = console.send("/standup questions “昨天上架了什么？”｜“今天做什么？”")
    assert "已保存本频道的站会问题。" in out and "1. 昨天上架了什么？\n  2. 今天做什么？" in out
    asked = console.send("/standup", "德国站 A+ 页面", "")
    assert "昨天上架了什么？:" in asked and "已保存你" in asked
    assert "请按编号回答" in console.send("/standup y: 旧格式")
    assert "昨天上架了什么？: 德国站 A+ 页面" in console.send("/digest preview")


def test_the_questions_form_is_filled_line_by_line_and_keeps_what_enter_leaves(console: ConsoleDriver) -> None:
    out = console.send("/standup questions edit", "What shipped?", "What is next?", "", "", "")
    assert "Question 1:" in out
    assert "standup questions are saved" in out and "1. What shipped?\n  2. What is next?" in out
    again = console.send("/standup questions edit", "", "Next, and why?", "", "", "")
    assert "1. What shipped?\n  2. Next, and why?" in again  # Enter kept question 1
    asked = console.send("/standup", "SKU-12", "")
    assert "Next, and why?:" in asked
    li = ConsoleDriver(console.console.runtime, user="li")
    assert "can change this channel's standup questions" in li.send("/standup questions edit")
