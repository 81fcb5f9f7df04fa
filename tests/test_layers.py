"""Import direction is bot → handlers → models; only bot/ may import a chat platform's SDK."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLATFORM_SDKS = ("slack_bolt", "slack_sdk", "lark_oapi", "uvicorn", "starlette")


def imports(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in ROOT.joinpath(package).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_models_import_neither_handlers_nor_bot_nor_any_sdk() -> None:
    bad = {p: n & {"handlers", "bot", *PLATFORM_SDKS} for p, n in imports("models").items()}
    assert {p: n for p, n in bad.items() if n} == {}


def test_handlers_import_no_bot_and_no_sdk() -> None:
    bad = {p: n & {"bot", *PLATFORM_SDKS} for p, n in imports("handlers").items()}
    assert {p: n for p, n in bad.items() if n} == {}
