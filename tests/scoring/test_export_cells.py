"""/req export: text that a spreadsheet would run as a formula is written as text (OWASP's rule: a
leading single quote), while the numbers the scoring computed stay numbers."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from handlers.core.spreadsheet import text_cell
from tests.fakes.slack_api import FakeSlack
from tests.support.console import ConsoleDriver
from tests.support.slack_requests import SlackSender, SlackUser

# What a spreadsheet program runs, and what it must show instead (the quote itself is not shown).
DANGEROUS = {
    '=HYPERLINK("http://x","hi")': '\'=HYPERLINK("http://x","hi")',
    "+1": "'+1",
    "-2+3": "'-2+3",
    "@SUM(A1)": "'@SUM(A1)",
    "\t=1": "'\t=1",
    "\r=1": "'\r=1",
}


@pytest.mark.parametrize(("typed", "written"), DANGEROUS.items())
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_quote(typed: str, written: str) -> None:
    assert text_cell(typed) == written


@pytest.mark.parametrize("plain", ["DE A+ page", "a=b", "日本站包邮", "", "'quoted", " =1"])
def test_plain_text_is_written_as_typed(plain: str) -> None:
    assert text_cell(plain) == plain


def _export(console: ConsoleDriver, tmp_path: Path) -> list[dict[str, str]]:
    out = console.send("/req export")
    assert "Exporting" in out, out
    [saved] = (tmp_path / "tradewind-files").iterdir()
    return list(csv.DictReader(io.StringIO(saved.read_bytes().decode("utf-8-sig"))))


def test_titles_and_metrics_that_look_like_formulas_are_exported_as_text(
    console: ConsoleDriver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    titles = ['=HYPERLINK("http://x","hi")', "+1", "-2+3"]  # the console reads @word as a person
    for title in titles:
        out = console.send(f"/req add '{title}' metric=-1+1")
        assert "REQ-" in out, out
    console.send("/score REQ-1 reach=4000 impact=2 confidence=80 effort=1.5")
    rows = _export(console, tmp_path)
    assert [row["title"] for row in rows] == ["'" + t for t in titles]
    assert {row["metric"] for row in rows} == {"'-1+1"}
    # Scores are numbers the bot computed, never typed text: written as numbers, without a quote.
    # 4,000 × 2 × 0.8 ÷ 1.5 = 4,266.6667
    assert (rows[0]["reach"], rows[0]["impact"], rows[0]["rice"]) == ("4000", "2", "4266.6667")


def test_on_slack_an_at_formula_and_a_display_name_that_is_a_formula_are_text(
    slack: SlackSender, fake_slack: FakeSlack
) -> None:
    slack.command("add @SUM(A1) metric==1+1 owner=<@U2|+li>")
    slack.command("add ok", who=SlackUser(user="U3", name="=ana"))
    slack.command("export")
    [(_, blob)] = fake_slack.wait_for_upload()
    rows = list(csv.DictReader(io.StringIO(blob.decode("utf-8-sig"))))
    cells = [(r["title"], r["metric"], r["owner"], r["requester"]) for r in rows]
    assert cells == [("'@SUM(A1)", "'=1+1", "'+li", "ana"), ("ok", "", "", "'=ana")]
