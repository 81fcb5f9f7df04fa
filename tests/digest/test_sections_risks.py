"""The risk sections of the digest, built by the real digest builder from what the console stored: new
risks, risks escalated into high or critical, and overdue reviews, for the channel's markets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from tests.digest.support import digest_now, section, text_of
from tests.support.console import ConsoleDriver

T0 = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)  # 09:00 on 1 June in Shanghai


def test_new_and_escalated_risks_and_overdue_reviews_of_the_channels_markets(console: ConsoleDriver, engine):
    with time_machine.travel(T0, tick=True) as clock:
        console.send("/digest market DE")
        console.send("/risk add EU VAT audit category=tariff likelihood=2 impact=3 market=DE review=2026-06-05")
        console.send("/risk add carton damage category=quality likelihood=1 impact=2 market=DE owner=@li")
        console.send("/risk add platform ban category=platform likelihood=3 impact=4 market=DE,FR")
        console.send("/risk add JP recall category=quality likelihood=2 impact=2 market=JP review=2026-06-03")
        console.send("/risk add DE carrier strike category=logistics likelihood=2 impact=2 market=DE review=2026-06-20")
        clock.move_to(T0 + timedelta(hours=1))
        console.send("/digest now")
        clock.move_to(T0 + timedelta(days=8))
        console.send("/risk update RISK-1 likelihood=4")  # medium (6) → high (12)
        console.as_user("li").send("/risk update RISK-2 likelihood=2")  # low (2) → low (4): no escalation
        console.as_user("li").send("/risk update RISK-3 likelihood=5 impact=4")  # high (12) → critical (20)
        console.as_user("mei").send("/risk update RISK-4 likelihood=5 impact=5")  # JP: another channel's
        console.send("/risk add EUR/CNY swing category=fx likelihood=3 impact=4 market=DE")
        console.send("/risk add USD swing category=fx likelihood=3 impact=3 market=US")
        clock.move_to(T0 + timedelta(days=9))
        text = text_of(digest_now(engine))
    assert "• New risks: 1" in text and "• Escalated risks: 2" in text and "• Overdue risk reviews: 2" in text
    assert section(text, "New risks") == ["• RISK-6 EUR/CNY swing — high (12) · FX · DE · @mei"]
    assert section(text, "Escalated risks") == [
        "• RISK-1 EU VAT audit — escalated medium (6) → high (12) · @mei",
        "• RISK-3 platform ban — escalated high (12) → critical (20) · @li",
    ]
    # 10 June in Shanghai. RISK-1 was due on the 5th; RISK-3, filed high, got a weekly review (the 8th).
    # RISK-5's is not due yet; RISK-4 is JP.
    assert section(text, "Overdue risk reviews") == [
        "• RISK-1 EU VAT audit — review was due 2026-06-05, 5 day(s) ago · @mei",
        "• RISK-3 platform ban — review was due 2026-06-08, 2 day(s) ago · @mei",
    ]


def test_a_review_that_stays_overdue_is_listed_but_makes_no_digest_alone(console: ConsoleDriver, engine):
    with time_machine.travel(T0, tick=True) as clock:
        console.send(
            "/risk add EU VAT audit category=tariff likelihood=2 impact=3 market=DE review=2026-06-03 owner=@li"
        )
        clock.move_to(T0 + timedelta(days=3))
        became_overdue = digest_now(engine)  # the 3rd passed in this window
        console.send("/digest now")
        clock.move_to(T0 + timedelta(days=4))
        still_overdue = digest_now(engine)
    assert became_overdue.news and "• Overdue risk reviews: 1" in text_of(became_overdue)
    assert not still_overdue.news
    text = text_of(still_overdue)
    assert "Nothing new since the last digest." in text
    assert "• RISK-1 EU VAT audit — review was due 2026-06-03, 2 day(s) ago · @li" in text


def test_a_risk_escalated_and_calmed_within_the_window_is_not_listed(console: ConsoleDriver, engine):
    with time_machine.travel(T0, tick=True) as clock:
        console.send("/risk add carton damage category=quality likelihood=2 impact=2")
        clock.move_to(T0 + timedelta(hours=1))
        console.send("/digest now")
        clock.move_to(T0 + timedelta(hours=2))
        console.send("/risk update RISK-1 likelihood=5 impact=4")
        console.send("/risk update RISK-1 likelihood=2 impact=2")
        clock.move_to(T0 + timedelta(hours=3))
        digest = digest_now(engine)
    assert not digest.news and "Escalated risks" not in text_of(digest)
