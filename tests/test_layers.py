"""Import direction is bot → handlers → models; only bot/ may import a chat platform's SDK."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLATFORM_SDKS = ("slack_bolt", "slack_sdk", "lark_oapi", "uvicorn", "starlette", "matplotlib")


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


# Handlers whose queries have not moved into models/ yet; the list may only shrink.
SQL = {"select", "exec", "execute", "scalars", "scalar", "get", "query", "text", "insert", "update", "delete"}


def test_handlers_run_no_sql_of_their_own() -> None:
    """Queries live in models/; a handler calls them (db.get and friends included)."""
    bad = {}
    for file in ROOT.joinpath("handlers").rglob("*.py"):
        path, tree = str(file.relative_to(ROOT)), ast.parse(file.read_text())
        sql_imports = {
            a.asname or a.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module in ("sqlmodel", "sqlalchemy")
            for a in node.names
        }
        db_calls = {
            node.func.attr
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "db"
            and node.func.attr in SQL
        }
        if found := (sql_imports & SQL) | db_calls:
            bad[path] = found
    assert bad == {}


def test_cards_are_drawn_from_data_not_from_a_database() -> None:
    """A function that returns a Card is given what it draws; it takes no session to fetch it with."""
    bad = []
    for path in ROOT.joinpath("handlers").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and isinstance(node.returns, ast.Name | ast.Constant):
                returns = node.returns.id if isinstance(node.returns, ast.Name) else str(node.returns.value)
                args = {a.arg for a in (*node.args.args, *node.args.kwonlyargs)}
                if returns == "Card" and args & {"db", "engine", "session"}:
                    bad.append(f"{path.relative_to(ROOT)}:{node.name}")
    assert bad == []
