"""Cells of a file meant for spreadsheet programs (CSV exports).

Excel, LibreOffice and Google Sheets run a cell that starts with `= + - @` (and, in some versions, one
that starts with a tab or carriage return followed by those) as a formula: `=HYPERLINK(...)` in a
title becomes a live link. OWASP's advice, which the programs honour, is a leading single quote: the
cell is shown as the text typed, and the quote is not shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handlers.core.card import Text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: Any) -> Any:
    """A text cell as it is safe to open: prefixed with `'` when a spreadsheet would run it."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_rows(rows: list[dict[str, Any]], *, numeric: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Every cell neutralised except those of `numeric` columns: numbers the program computed
    (never text a person typed), which stay numbers, a negative one included."""
    keep = frozenset(numeric)
    return [{k: v if k in keep else text_cell(v) for k, v in row.items()} for row in rows]


@dataclass(frozen=True)
class CsvTable:
    """A CSV file drawn when it is sent, in the reader's language: its column names are catalogue texts
    and a cell may be one too (a status); every other cell is a plain value, already neutralised."""

    columns: tuple[Text, ...]
    rows: tuple[tuple[Any, ...], ...]
