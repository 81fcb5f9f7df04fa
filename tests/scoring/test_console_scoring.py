"""/score, /score top, /pm markets and /req export through the real console."""

from __future__ import annotations

import io
from decimal import Decimal as D
from pathlib import Path

import pandas as pd
import pytest
from sqlmodel import Session, select

from models.audit import AuditEntry
from models.scoring.score import RequirementScore, ScoreEntry
from tests.support.console import ConsoleDriver


def current(engine) -> RequirementScore:
    with Session(engine) as db:
        return db.exec(select(RequirementScore)).one()


def test_rice_is_stored_shown_with_its_formula_and_kept_on_rescore(console: ConsoleDriver, engine) -> None:
    console.send("/req add DE A+ page market=DE,US")
    out = console.send("/score REQ-1 reach=4000 impact=2 confidence=80 effort=1.5")
    assert "RICE 4,266.7 = 4,000 × 2 × 80% ÷ 1.5" in out
    row = current(engine)
    assert (row.reach, row.impact, row.confidence, row.effort, row.rice) == (4000, D(2), 80, D("1.5"), D("4266.6667"))
    # Only the effort changes; the rest is kept. 4,000 × 2 × 0.8 ÷ 3 = 2,133.3
    out = console.as_user("li").send("/score REQ-1 effort=3")
    assert "RICE 2,133.3 = 4,000 × 2 × 80% ÷ 3 (was 4,266.7)" in out
    shown = console.send("/req show REQ-1")
    assert "Score: RICE 2,133.3" in shown
    assert "Moved: RICE 4,266.7 → 2,133.3" in shown
    assert "@li scored RICE 4,266.7 → 2,133.3" in shown
    with Session(engine) as db:
        entries = db.exec(select(ScoreEntry).order_by(ScoreEntry.id)).all()
        audits = db.exec(select(AuditEntry).where(AuditEntry.action == "score")).all()
    assert [(e.method, e.value, e.inputs["effort"]) for e in entries] == [
        ("rice", "4266.6667", "1.5"),
        ("rice", "2133.3333", "3"),
    ]
    assert len(audits) == 2


def test_ice_and_moscow(console: ConsoleDriver, engine) -> None:
    console.send("/req add bundle")
    out = console.send("/score 1 ice=8,7,6 moscow=must")
    assert "ICE 336 = 8 × 7 × 6 · average 7" in out and "MoSCoW Must" in out
    out = console.send("/score 1 moscow=should")
    assert "MoSCoW Should (was Must)" in out
    row = current(engine)
    assert (row.ice_impact, row.ice_confidence, row.ice_ease, row.ice, row.moscow) == (8, 7, 6, 336, "should")
    history = console.send("/score history REQ-1")
    assert history.index("MoSCoW Should") < history.index("MoSCoW Must")  # newest first


def test_reach_by_market_sums_and_must_name_the_requirements_markets(console: ConsoleDriver, engine) -> None:
    console.send("/req add EU checkout market=US,DE")
    refused = console.send("/score REQ-1 reach.US=3000 reach.JP=10 impact=1 confidence=50 effort=1")
    assert "REQ-1 is not for JP." in refused and "/req edit REQ-1 market=" in refused
    out = console.send("/score REQ-1 reach.US=3000 reach.DE=1200 impact=1 confidence=50 effort=1")
    # (3,000 + 1,200) × 1 × 0.5 ÷ 1 = 2,100
    assert "RICE 2,100 = 4,200 × 1 × 50% ÷ 1" in out and "DE 1,200 · US 3,000" in out


def test_rescoring_one_market_keeps_the_others(console: ConsoleDriver) -> None:
    console.send("/req add EU checkout market=US,DE")
    console.send("/score REQ-1 reach.US=3000 reach.DE=1200 impact=1 confidence=100 effort=1")
    out = console.send("/score REQ-1 reach.DE=2000")
    assert "RICE 5,000 = 5,000 × 1 × 100% ÷ 1 (was 4,200)" in out and "DE 2,000 · US 3,000" in out
    out = console.send("/score REQ-1 reach=100")  # a total replaces the split
    assert "RICE 100 = 100 × 1 × 100% ÷ 1" in out and "reach by market" not in out


def test_editing_markets_spreads_an_unsplit_reach_again(console: ConsoleDriver) -> None:
    console.send("/req add EU checkout market=US")
    console.send("/score REQ-1 reach=4000 impact=1 confidence=100 effort=1")
    console.send("/pm markets US=0.5 DE=0.5")
    assert "weighted RICE 2,000" in console.send("/req show REQ-1")  # 4,000 in US × 0.5
    console.send("/req edit REQ-1 market=US,JP")
    assert "weighted RICE 1,000" in console.send("/req show REQ-1")  # 2,000 in US × 0.5 + 2,000 in JP × 0


def test_off_scale_values_name_the_allowed_ones_and_store_nothing(console: ConsoleDriver, engine) -> None:
    console.send("/req add thing")
    cases = {
        "/score REQ-1 reach=100 impact=4 confidence=80 effort=1": (
            "use 3 (massive), 2 (high), 1 (medium), 0.5 (low) or 0.25 (minimal)"
        ),
        "/score REQ-1 reach=100 impact=1 confidence=70 effort=1": "use 100% (high), 80% (medium) or 50% (low)",
        "/score REQ-1 reach=100 impact=1 confidence=80 effort=0": "give person-months above 0",
        "/score REQ-1 ice=0,5,11": "each a whole number from 1 to 10",
        "/score REQ-1 moscow=maybe": "use must, should, could or wont",
        "/score REQ-1 impact=2": "RICE needs reach, impact, confidence and effort; missing: reach, confidence, effort.",
        "/score REQ-9 moscow=must": "REQ-9 does not exist",
    }
    for line, expected in cases.items():
        out = console.send(line)
        assert expected in out, (line, out)
        assert "Usage: /score REQ-12" in out
    with Session(engine) as db:
        assert db.exec(select(RequirementScore)).all() == []
        assert db.exec(select(ScoreEntry)).all() == []


def test_score_alone_opens_the_form_with_dropdowns(console: ConsoleDriver, engine) -> None:
    console.send("/req add thing")
    out = console.send("/score REQ-1", "2500", "high", "0.8", "2", "could")
    assert "Choose from: 3, 2, 1, 0.5, 0.25" in out and "Choose from: 100, 80, 50" in out
    # 2,500 × 2 × 0.8 ÷ 2 = 2,000
    assert "RICE 2,000 = 2,500 × 2 × 80% ÷ 2" in out
    assert current(engine).moscow == "could"


def test_top_ranks_open_items_with_unscored_after(console: ConsoleDriver) -> None:
    for title, score in [
        ("low", "reach=10"),
        ("high", "reach=4000"),
        ("none", None),
        ("tie", "reach=10"),
        ("gone", "reach=9999"),
    ]:
        console.send(f"/req add {title}")
        if score:
            console.send(
                f"/score REQ-{console.send('/req list').count('REQ-')} {score} impact=1 confidence=100 effort=1"
            )
    console.send("/req status REQ-5 rejected")
    out = console.send("/score top")
    lines = [line.strip() for line in out.splitlines() if line.strip()[:2].rstrip(".").isdigit()]
    assert [line.split()[1] for line in lines] == ["REQ-2", "REQ-1", "REQ-4", "REQ-3"]
    assert "1. REQ-2 high — 4,000 · new" in out
    assert "4. REQ-3 none — not scored · new" in out
    assert "1–4 of 4 · unscored last" in out


def test_top_pages_with_buttons(console: ConsoleDriver) -> None:
    for n in range(1, 8):
        console.send(f"/req add item {n}")
        console.send(f"/score REQ-{n} reach={n * 100} impact=1 confidence=100 effort=1")
    first = console.send("/score top 3")
    assert "1–3 of 7" in first and "REQ-7" in first and "[1] Next ›" in first
    second = console.send("1")
    assert "4–6 of 7" in second and "REQ-4" in second and "REQ-7" not in second


def test_moscow_budget_warning(console: ConsoleDriver) -> None:
    for n, (moscow, effort) in enumerate([("must", 4), ("must", 3), ("should", 2), ("could", 1)], 1):
        console.send(f"/req add item {n}")
        console.send(f"/score REQ-{n} reach=100 impact=1 confidence=100 effort={effort} moscow={moscow}")
    # Musts 4 + 3 = 7 of 10 planned person-months
    assert "Musts take 70% of the planned effort — more than the 60 % DSDM advises" in console.send("/score top")
    console.send("/score REQ-2 moscow=should")
    assert "Musts take 40% of the planned effort (DSDM advises at most 60 %)" in console.send("/score top")


def test_market_weights_need_an_approver_and_rerank(console: ConsoleDriver) -> None:
    console.as_user("mei").send("/req add US thing market=US")
    console.send("/score REQ-1 reach=3000 impact=1 confidence=100 effort=1")
    console.send("/req add DE thing market=DE")
    console.send("/score REQ-2 reach=1000 impact=1 confidence=100 effort=1")
    assert "Only admins and approvers can set market weights." in console.as_user("sam").send("/pm markets US=0.2")
    out = console.as_user("mei").send("/pm markets US=20% DE=80%")
    assert "Market weights saved" in out and "DE 0.8 (80%)" in out and "US 0.2 (20%)" in out
    top = console.send("/score top by=weighted")
    # 1,000 × 0.8 = 800 beats 3,000 × 0.2 = 600
    assert top.index("REQ-2") < top.index("REQ-1") and "— 800" in top and "— 600" in top
    assert "weighted RICE 600" in console.send("/req show REQ-1")
    assert "DE weight 0.8" in console.send("/score top market=DE by=weighted")
    assert "No market weights are set" in console.send("/pm markets none")


def test_export_writes_a_csv_with_scores(
    console: ConsoleDriver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    console.send("/req add 日本站包邮 market=JP platform=amazon")
    console.send("/score REQ-1 reach=4000 impact=2 confidence=80 effort=1.5 moscow=must ice=8,7,6")
    console.send("/req add unscored")
    out = console.send("/req export")
    assert "Exporting the backlog as CSV" in out
    [saved] = (tmp_path / "tradewind-files").iterdir()
    assert saved.name.startswith("tradewind-backlog-") and saved.suffix == ".csv"
    raw = saved.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so that Excel reads the Chinese text
    table = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    first = table.iloc[0]
    assert (first["key"], first["title"], first["markets"], first["moscow"]) == ("REQ-1", "日本站包邮", "JP", "must")
    assert (first["reach"], first["impact"], first["confidence_pct"], first["effort_person_months"]) == (
        "4000",
        "2",
        "80",
        "1.5",
    )
    assert (first["rice"], first["ice"]) == ("4266.6667", "336")
    assert table.iloc[1]["rice"] == ""
    assert "No requirements match" in console.send("/req export status=shipped")


def test_export_holds_acceptance_and_description_and_never_overwrites(
    console: ConsoleDriver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    console.send('/req add DE A+ market=DE ac="native review; cm and kg" desc="for Q1, see the brief"')
    console.send("/req export")
    console.send("/req export")
    saved = sorted((tmp_path / "tradewind-files").iterdir())
    assert len(saved) == 2  # a second export the same day (even the same second) is a second file
    for path in saved:
        table = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        row = table.iloc[0]
        assert (row["acceptance"], row["description"]) == ("native review; cm and kg", "for Q1, see the brief")
