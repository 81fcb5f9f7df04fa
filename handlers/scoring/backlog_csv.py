"""The `/req export` file, built after the answer: rows streamed from the database straight into CSV,
never a table of all of them in memory at once."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlmodel import Session

from handlers.core.reply import BuiltFile, FileQuery, Text, Translate
from handlers.core.spreadsheet import text_cell
from models.requirements import export as backlog_export
from models.requirements.requirement import ListFilter

KIND = "backlog_csv"
BOM = "\ufeff"  # makes Excel read Chinese text correctly


def query(workspace_id: int, where: ListFilter) -> FileQuery:
    return FileQuery(
        KIND,
        {
            "workspace_id": workspace_id,
            "status": where.status,
            "market": where.market,
            "platform": where.platform,
            "member_id": where.member_id,
        },
    )


def build(db: Session, params: dict[str, Any], t: Translate) -> BuiltFile:
    where = ListFilter(
        status=params.get("status"),
        market=params.get("market"),
        platform=params.get("platform"),
        member_id=params.get("member_id"),
    )
    keep = frozenset(backlog_export.NUMERIC_COLUMNS)
    # Numbers the scoring computed stay numbers; every other cell is text a spreadsheet must not run.
    guarded = [i for i, column in enumerate(backlog_export.EXPORT_COLUMNS) if column not in keep]
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([t(Text(f"req.export.column.{name}")) for name in backlog_export.EXPORT_COLUMNS])
    status = backlog_export.EXPORT_COLUMNS.index("status")
    count = 0
    for row in backlog_export.stream(db=db, workspace_id=params["workspace_id"], where=where):
        cells = list(row)
        if cells[status]:
            cells[status] = t(Text(f"status.{cells[status]}"))
        for i in guarded:
            cells[i] = text_cell(cells[i])
        writer.writerow(cells)
        count += 1
    return BuiltFile(buffer.getvalue().encode("utf-8"), Text("req.export.comment", {"count": count}))


FILES = {KIND: build}
