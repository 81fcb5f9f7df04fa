"""A CSV table drawn in the reader's language, as the bytes of a file spreadsheet programs open."""

from __future__ import annotations

import csv
import io

from handlers.core.card import Text
from handlers.core.reply import Translate
from handlers.core.spreadsheet import CsvTable


def csv_bytes(table: CsvTable, t: Translate) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([t(column) for column in table.columns])
    for row in table.rows:
        writer.writerow(["" if cell is None else t(cell) if isinstance(cell, Text) else cell for cell in row])
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read Chinese text correctly
