"""Files built after the answer (an UploadFile whose content is a FileQuery): the feature's builder runs
on one read transaction of its own, a consistent snapshot that holds no write lock."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.db import READ_ONLY
from handlers import FILES
from handlers.core.reply import FileQuery, Translate, UploadFile


def build(effect: UploadFile, engine: Engine, t: Translate) -> UploadFile:
    """The same upload with its bytes, drawn in the reader's language by `t` (and the builder's comment,
    when it has one)."""
    query = effect.content
    if not isinstance(query, FileQuery):
        return effect
    builder = FILES[query.kind]
    # PostgreSQL: one snapshot for the builder's several streamed reads; SQLite: a deferred BEGIN in WAL
    # mode is a snapshot already, beside the writer.
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else READ_ONLY
    with engine.connect().execution_options(**options) as connection, connection.begin():
        built = builder(Session(bind=connection), query.params, t)
    return replace(effect, content=built.content, comment=built.comment or effect.comment)
