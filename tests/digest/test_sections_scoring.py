"""The scoring and approval sections of the digest, built by the real digest builder from what the
console stored: the top five by the channel's score, re-scores that changed the top ten, approval
decisions and requests still waiting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from tests.digest.support import digest_now, section, text_of
from tests.support.console import ConsoleDriver

T0 = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)
RICE_ONE = "impact=1 confidence=100 effort=1"  # RICE = reach


def backlog(console: ConsoleDriver) -> None:
    """Requirements whose scores for a DE,US channel are worked by hand in the tests below."""
    console.send("/req add checkout one market=DE,US")
    console.send(f"/score REQ-1 reach.DE=1000 reach.US=3000 {RICE_ONE}")  # DE 1,000 + US 3,000
    console.send("/req add JP bundle market=JP")
    console.send("/score REQ-2 reach=10000 impact=3 confidence=100 effort=1")  # 30,000, JP only
    console.send("/req add US coupon market=US")
    console.send("/score REQ-3 reach=2000 impact=2 confidence=50 effort=1")  # 2,000 in US
    console.send("/req add DE returns market=DE")
    console.send("/score REQ-4 reach=5000 impact=1 confidence=80 effort=2")  # 2,000 in DE
    console.send("/req add DE and JP labels market=DE,JP")
    console.send(f"/score REQ-5 reach=6000 {RICE_ONE}")  # spread evenly: DE 3,000, JP 3,000
    console.send("/req add US banner market=US")  # not scored
    console.send("/req add US dropped one market=US")
    console.send(f"/score REQ-7 reach=99999 {RICE_ONE}")
    console.send("/req status REQ-7 rejected")  # closed: not in the backlog's top
    console.send("/req add DE copy market=DE")  # not scored


def test_the_top_five_is_by_the_channels_score_with_unscored_items_last(console: ConsoleDriver, engine):
    backlog(console)
    console.send("/digest market DE,US")
    # RICE in DE and US: REQ-1 1,000 + 3,000; REQ-5 3,000 (its DE half); REQ-3 and REQ-4 2,000 each
    # (the tie goes to the older key); then the unscored REQ-6 and REQ-8 by key.
    assert section(text_of(digest_now(engine)), "Top 5 of the backlog by RICE") == [
        "• REQ-1 checkout one — RICE 4,000 · new · DE, US · @mei",
        "• REQ-5 DE and JP labels — RICE 3,000 · new · DE, JP · @mei",
        "• REQ-3 US coupon — RICE 2,000 · new · US · @mei",
        "• REQ-4 DE returns — RICE 2,000 · new · DE · @mei",
        "• REQ-6 US banner — not scored · new · US · @mei",
    ]
    # Weights 0.3 for DE, 0.5 for US: REQ-1 300 + 1,500 = 1,800; REQ-3 1,000; REQ-5 900; REQ-4 600.
    console.send("/pm markets DE=0.3 US=0.5 JP=0.2")
    assert section(text_of(digest_now(engine)), "Top 5 of the backlog by weighted RICE") == [
        "• REQ-1 checkout one — weighted RICE 1,800 · new · DE, US · @mei",
        "• REQ-3 US coupon — weighted RICE 1,000 · new · US · @mei",
        "• REQ-5 DE and JP labels — weighted RICE 900 · new · DE, JP · @mei",
        "• REQ-4 DE returns — weighted RICE 600 · new · DE · @mei",
        "• REQ-6 US banner — not scored · new · US · @mei",
    ]
    # A channel for every market ranks by each requirement's weighted RICE: REQ-2 30,000 × 0.2 = 6,000;
    # REQ-5 3,000 × 0.3 + 3,000 × 0.2 = 1,500; REQ-1 1,800; REQ-3 1,000; REQ-4 600.
    console.send("/digest market all")
    assert section(text_of(digest_now(engine)), "Top 5 of the backlog by weighted RICE") == [
        "• REQ-2 JP bundle — weighted RICE 6,000 · new · JP · @mei",
        "• REQ-1 checkout one — weighted RICE 1,800 · new · DE, US · @mei",
        "• REQ-5 DE and JP labels — weighted RICE 1,500 · new · DE, JP · @mei",
        "• REQ-3 US coupon — weighted RICE 1,000 · new · US · @mei",
        "• REQ-4 DE returns — weighted RICE 600 · new · DE · @mei",
    ]


def test_a_one_market_channel_ranks_as_score_top_does_for_that_market(console: ConsoleDriver, engine):
    backlog(console)
    console.send("/pm markets DE=0.3 US=0.5 JP=0.2")
    console.send("/digest market DE")
    ranked = console.send("/score top 5 market=DE by=weighted")
    keys = [word for line in ranked.splitlines() for word in line.split() if word.startswith("REQ-")]
    lines = section(text_of(digest_now(engine)), "Top 5 of the backlog by weighted RICE")
    assert [line.split()[1] for line in lines] == keys[:5]
    assert lines[0] == "• REQ-5 DE and JP labels — weighted RICE 900 · new · DE, JP · @mei"  # 3,000 × 0.3


def test_rescores_that_changed_the_top_ten_are_listed_once_each(console: ConsoleDriver, engine):
    with time_machine.travel(T0, tick=True) as clock:
        console.send("/digest market DE,US")
        for n in range(1, 13):  # REQ-1 1,200 … REQ-12 100: the top ten is REQ-1 … REQ-10
            console.send(f"/req add item {n} market=US")
            console.send(f"/score REQ-{n} reach={100 * (13 - n)} {RICE_ONE}")
        console.send("/req add JP item market=JP")
        console.send(f"/score REQ-13 reach=10 {RICE_ONE}")
        clock.move_to(T0 + timedelta(hours=1))
        console.send("/digest now")
        clock.move_to(T0 + timedelta(hours=2))
        li = console.as_user("li")
        li.send("/score REQ-12 reach=700")
        li.send("/score REQ-12 reach=5000")  # twice in the window: from what it was before, 100
        li.send("/score REQ-11 reach=1300")
        li.send("/score REQ-8 reach=1150")
        li.send("/score REQ-3 reach=50")
        li.send("/score REQ-9 ice=5,5,5")  # ICE only: the ranking is by RICE
        li.send("/score REQ-13 reach=900000")  # JP: not this channel's
        clock.move_to(T0 + timedelta(hours=3))
        text = text_of(digest_now(engine))
    # Now: REQ-12 5,000 · REQ-11 1,300 · REQ-1 1,200 · REQ-8 1,150 · REQ-2 1,100 · REQ-4 900 · REQ-5 800
    # · REQ-6 700 · REQ-7 600 · REQ-9 400 | REQ-10 300 · REQ-3 50.
    assert "• Top ten changes: 5" in text
    assert section(text, "Top ten changes") == [
        "• REQ-12 item 12 — into the top ten at #1 · RICE 100 → 5,000 · @li",
        "• REQ-11 item 11 — into the top ten at #2 · RICE 200 → 1,300 · @li",
        "• REQ-8 item 8 — #8 → #4 · RICE 500 → 1,150 · @li",
        "• REQ-3 item 3 — out of the top ten (was #3) · RICE 1,000 → 50 · @li",
        "• REQ-10 item 10 — out of the top ten (was #10), pushed down by re-scored items",
    ]
    ranked = console.send("/score top 10 market=US")
    keys = [word for line in ranked.splitlines() for word in line.split() if word.startswith("REQ-")]
    assert keys[:4] == ["REQ-12", "REQ-11", "REQ-1", "REQ-8"] and "REQ-10" not in keys[:10]


def test_rescores_far_below_the_top_ten_are_weighed_but_not_listed(console: ConsoleDriver, engine):
    with time_machine.travel(T0, tick=True) as clock:
        console.send("/pm markets US=0.5 DE=0.5")
        for n in range(1, 16):  # REQ-1 1,500 … REQ-15 100 (RICE); weighted: half of it
            console.send(f"/req add item {n} market=US")
            console.send(f"/score REQ-{n} reach={100 * (16 - n)} {RICE_ONE}")
        clock.move_to(T0 + timedelta(hours=1))
        console.send("/digest now")
        clock.move_to(T0 + timedelta(hours=2))
        console.send("/score REQ-14 reach=150")  # 14th before and after: weighed, not listed
        console.send("/score REQ-15 reach=2000")
        console.send("/score REQ-2 reach=50")
        clock.move_to(T0 + timedelta(hours=3))
        text = text_of(digest_now(engine))
    assert section(text, "Top ten changes") == [
        "• REQ-15 item 15 — into the top ten at #1 · weighted RICE 50 → 1,000 · @mei",
        "• REQ-2 item 2 — out of the top ten (was #2) · weighted RICE 700 → 25 · @mei",
    ]


def test_a_rescore_that_changes_no_place_in_the_top_ten_is_not_news(console: ConsoleDriver, engine):
    with time_machine.travel(T0, tick=True) as clock:
        for n in range(1, 4):
            console.send(f"/req add item {n} market=US")
            console.send(f"/score REQ-{n} reach={1000 * n} {RICE_ONE}")
        clock.move_to(T0 + timedelta(hours=1))
        console.send("/digest now")
        clock.move_to(T0 + timedelta(hours=2))
        console.send("/score REQ-3 reach=3500")  # still first
        clock.move_to(T0 + timedelta(hours=3))
        digest = digest_now(engine)
    assert not digest.news
    assert "Top ten changes" not in text_of(digest)


def test_decisions_and_requests_still_waiting_with_how_long(console: ConsoleDriver, engine):
    with time_machine.travel(T0, tick=True) as clock:
        console.send("/digest market DE,US")
        console.send("/req add DE A+ page market=DE")
        console.send("/req add US listing market=US")
        console.send("/req add JP bundle market=JP")
        console.send("/req add US coupon market=US")
        console.send("/pm settings adhoc_approvers=on")  # li is a plain member, named ad hoc
        console.send("/req submit REQ-1 @li")
        console.as_user("mei").send("/req submit REQ-3 @li")
        clock.move_to(T0 + timedelta(minutes=30))
        console.as_user("mei").send("/req submit REQ-4 @li")
        clock.move_to(T0 + timedelta(hours=1))
        console.as_user("mei").send("/digest now")
        clock.move_to(T0 + timedelta(hours=2, minutes=5, seconds=30))
        console.as_user("li").send("2", "no budget this quarter")  # rejects REQ-4 on the last card shown
        clock.move_to(T0 + timedelta(hours=3))
        console.as_user("mei").send("/req submit REQ-2 @li @sam mode=all")
        clock.move_to(T0 + timedelta(hours=5, minutes=10, seconds=30))
        text = text_of(digest_now(engine))
    assert "• Approval decisions: 1" in text and "• Waiting for approval: 2" in text
    assert section(text, "Approval decisions") == [
        "• REQ-4 US coupon — rejected after waiting 1 h 35 min · @li",
    ]
    assert section(text, "Waiting for approval") == [  # oldest first; REQ-3 is JP
        "• REQ-1 DE A+ page — waiting 5 h 10 min · 1 approver still to decide · @mei",
        "• REQ-2 US listing — waiting 2 h 10 min · 2 approvers still to decide · @mei",
    ]


def test_requests_that_only_kept_waiting_make_no_digest(console: ConsoleDriver, engine):
    with time_machine.travel(T0, tick=True) as clock:
        console.send("/req add DE A+ page market=DE")
        console.send("/pm settings adhoc_approvers=on")  # li is a plain member, named ad hoc
        console.send("/req submit REQ-1 @li")
        clock.move_to(T0 + timedelta(hours=1))
        console.send("/digest now")
        clock.move_to(T0 + timedelta(days=1, hours=1, seconds=30))
        digest = digest_now(engine)
    assert not digest.news
    text = text_of(digest)
    assert "Nothing new since the last digest." in text
    assert "• REQ-1 DE A+ page — waiting 1 d 1 h · 1 approver still to decide · @mei" in text
