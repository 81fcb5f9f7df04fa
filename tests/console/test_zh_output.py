"""Chinese output holds no English left over: CSV exports name their columns and statuses in Chinese,
a digest previewed in an English channel says "preview" in the asker's language, and counts read
right in English (1 unit, 2 units)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.support.console import ConsoleDriver


def test_a_zh_export_names_columns_and_statuses_in_chinese(
    console: ConsoleDriver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    console.send("/pm lang zh")
    console.send('/req add 德国站尺码表 market=DE ac="覆盖全部 SKU" desc="减少退货"')
    console.send("/req add 日本包邮")
    console.send("/req status REQ-2 triaged")
    assert "已保存到" in console.send("/req export")
    console.send("/pm lang en")
    console.send("/req export")
    zh_file, en_file = sorted((tmp_path / "tradewind-files").iterdir(), key=lambda p: p.stat().st_mtime_ns)
    zh = pd.read_csv(zh_file, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(zh.columns)[:4] == ["编号", "标题", "状态", "市场"]
    assert "验收标准" in zh.columns and "描述" in zh.columns
    assert sorted(zh["状态"]) == sorted(["新建", "已评估"])
    assert set(zh["验收标准"]) == {"覆盖全部 SKU", ""}
    en = pd.read_csv(en_file, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(en.columns)[:4] == ["key", "title", "status", "markets"]  # English files keep their names
    assert sorted(en["status"]) == ["new", "triaged"]


def test_the_preview_note_is_in_the_askers_language(console: ConsoleDriver) -> None:
    console.send("/req add something")
    console.send("/pm lang zh")
    out = console.send("/digest preview")  # the channel's digest is in English, the note to the asker in Chinese
    assert "👀 预览，仅你可见。" in out and "Preview, only you can see it." not in out
    assert "Standup digest" in out
    console.send("/pm lang en")
    console.send("/digest lang zh")
    out = console.send("/digest preview")
    assert "👀 Preview, only you can see it." in out and "站会日报" in out


@pytest.mark.parametrize(
    ("key", "params", "expected"),
    [
        ("cost.carton", {"dims": "60×40×40", "weight": "12", "units": 1}, "carton 60×40×40 cm, 12 kg, 1 unit"),
        ("cost.carton", {"dims": "60×40×40", "weight": "12", "units": 24}, "carton 60×40×40 cm, 12 kg, 24 units"),
        ("cost.mpf.within", {"units": 1, "since": "FY2026"}, "(an entry of 1 unit) · CBP FY2026"),
        ("approval.submitted_all", {"key": "REQ-1", "count": 1}, "all 1 approver must approve"),
    ],
)
def test_counts_go_through_the_catalogue_plurals(key: str, params: dict, expected: str) -> None:
    from bot.i18n import catalog

    found = catalog()
    assert expected in found.fill(key, found.template("en", key), params)
