"""Console forms answered as a person types them: Enter keeps what the form was opened with, and a
textarea takes several lines (each but the last ending with a backslash), so editing a playbook in
the console neither wipes its steps nor stops at one line."""

from __future__ import annotations

from tests.support.console import ConsoleDriver


def test_enter_keeps_a_playbook_and_several_lines_replace_it(console: ConsoleDriver) -> None:
    opened = console.send("/risk playbook fx edit", "")
    assert "Now:\n    Recalculate landed cost and margin per SKU" in opened
    assert "Playbook for FX saved: 5 steps." in opened  # Enter alone kept all five
    out = console.send("/risk playbook fx edit", "对账结算币种 +1d \\", "  second step +2d\\", "third step")
    assert "Playbook for FX saved: 3 steps." in out
    shown = console.send("/risk playbook fx")
    assert "1. 对账结算币种 (+1d)\n  2. second step (+2d)\n  3. third step" in shown


def test_the_playbook_form_speaks_chinese(console: ConsoleDriver) -> None:
    console.send("/pm lang zh")
    out = console.send("/risk playbook fx edit", "-")
    assert "现在：" in out and "多行：除最后一行外，每行末尾加 \\。" in out
    assert "按当日汇率" in out  # the current steps in the reader's language


def test_enter_keeps_a_score_and_a_new_value_replaces_it(console: ConsoleDriver) -> None:
    console.send("/req add one")
    console.send("/score REQ-1 reach=1000 impact=2 confidence=80 effort=2")
    out = console.send("/score REQ-1", "", "", "", "4", "")
    assert "RICE 400" in out  # 1000 × 2 × 0.8 ÷ 4: only effort changed
