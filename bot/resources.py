"""Where the files read at run time live: the templates and catalogues, and the Alembic migrations.

An installed wheel carries the checkout's `templates/` as `bot/templates/` (pyproject.toml maps it);
a source checkout (an editable install, the tests) reads `templates/` beside the packages.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _directory(package: str, *parts: str) -> Path:
    # A wheel is installed unpacked, so the resource is a real directory that jinja2 and Alembic can read.
    return Path(str(files(package).joinpath(*parts)))


def templates_dir() -> Path:
    packaged = _directory("bot", "templates")
    if packaged.is_dir():
        return packaged
    return _directory("bot").parent / "templates"


def migrations_dir() -> Path:
    return _directory("models", "migrations")


TEMPLATES = templates_dir()
MIGRATIONS = migrations_dir()
