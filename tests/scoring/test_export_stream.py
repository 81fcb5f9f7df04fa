"""/req export answers at once and builds its file after the answer: the rows, their markets and their
split reach streamed from three queries in key order and merged, with filters, on both databases."""

from __future__ import annotations

import csv
import io
from functools import partial

from bot.built_files import build
from bot.i18n import catalog
from bot.runtime import Caller, Runtime
from handlers.core.reply import FileQuery, Text, UploadFile

CALLER = Caller("slack", "T1", "U1", channel_ref="C1")


def _export(runtime: Runtime, text: str = "export") -> tuple[UploadFile, UploadFile]:
    outcome = runtime.command(CALLER, "/req", text)
    assert outcome.reply.card is not None and outcome.reply.card.summary == Text("req.export.started")
    [upload] = [e for e in outcome.reply.effects if isinstance(e, UploadFile)]
    assert isinstance(upload.content, FileQuery)  # nothing of the file was built in the request
    return upload, build(upload, runtime.engine, partial(catalog().t, "en"))


def _rows(built: UploadFile) -> list[dict[str, str]]:
    assert isinstance(built.content, bytes) and built.content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(built.content.decode("utf-8-sig"))))


def test_markets_and_split_reach_are_merged_onto_their_own_rows(runtime: Runtime) -> None:
    runtime.command(CALLER, "/req", "add Shopee bundle market=SG,MY")
    runtime.command(CALLER, "/req", "add no market at all")
    runtime.command(CALLER, "/req", "add DE A+ market=DE,US")
    runtime.command(CALLER, "/score", "REQ-1 reach.SG=2500 reach.MY=2000 impact=1 confidence=80 effort=1.5")
    runtime.command(CALLER, "/score", "REQ-3 reach=4000 impact=2 confidence=80 effort=1.5")
    _, built = _export(runtime)
    rows = _rows(built)
    assert [(r["key"], r["markets"], r["reach_by_market"]) for r in rows] == [
        ("REQ-1", "MY,SG", "MY:2000;SG:2500"),
        ("REQ-2", "", ""),
        ("REQ-3", "DE,US", ""),  # reach not split by market
    ]
    # (2,500 + 2,000) × 1 × 0.8 ÷ 1.5 = 2,400; 4,000 × 2 × 0.8 ÷ 1.5 = 4,266.6667
    assert [r["rice"] for r in rows] == ["2400", "", "4266.6667"]
    assert built.comment == Text("req.export.comment", {"count": 3})


def test_a_filter_narrows_every_stream_alike(runtime: Runtime) -> None:
    runtime.command(CALLER, "/req", "add one market=US")
    runtime.command(CALLER, "/req", "add two market=DE,JP")
    runtime.command(CALLER, "/req", "add three market=DE")
    runtime.command(CALLER, "/score", "REQ-2 reach.DE=10 reach.JP=30 impact=1 confidence=50 effort=1")
    _, built = _export(runtime, "export market=DE")
    rows = _rows(built)
    assert [(r["key"], r["markets"], r["reach_by_market"]) for r in rows] == [
        ("REQ-2", "DE,JP", "DE:10;JP:30"),
        ("REQ-3", "DE", ""),
    ]
    assert built.comment == Text("req.export.comment", {"count": 2})


def test_nothing_to_export_is_said_in_the_request_and_uploads_nothing(runtime: Runtime) -> None:
    runtime.command(CALLER, "/req", "add one market=US")
    outcome = runtime.command(CALLER, "/req", "export market=JP")
    assert outcome.reply.card is not None
    assert outcome.reply.card.summary == Text("req.export.empty") and outcome.reply.effects == []
