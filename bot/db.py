"""The database engine: SQLite tuned for a single web process, or PostgreSQL as given."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 5000
BACKSTOP_CHECKPOINT_PAGES = 20_000  # if the checkpoint thread stalls, commits still bound the WAL (~80 MB)
CHECKPOINT_EVERY_S = 0.5
PG_CONNECT_TIMEOUT_S = 2
PG_STATEMENT_TIMEOUT_MS = 2000
WROTE = "tradewind.wrote"  # in a connection's info: a statement since forget_writes() changed rows
SQLITE_FILE_MODE = 0o600  # the team's data; SQLite gives its -wal, -shm and -journal files the same mode
READ_ONLY = {"read_only": True}  # execution options of a connection that only reads (see _on_begin)


def read_only(engine: Engine) -> dict[str, Any]:
    """Execution options for a connection that only reads: on SQLite it begins deferred, beside the
    writer; on PostgreSQL each statement runs on its own, without BEGIN and ROLLBACK round trips."""
    return {"isolation_level": "AUTOCOMMIT"} if engine.dialect.name == "postgresql" else READ_ONLY


def make_engine(url: str, *, echo: bool = False, background_checkpoints: bool = False) -> Engine:
    """The engine for a database URL.

    `background_checkpoints` (long-running SQLite processes): a thread copies the WAL back into the
    database every half second, instead of the commit that crosses the threshold doing it while a
    user waits (it was the p99 of /req add).
    """
    engine = _make_engine(url, echo=echo, background_checkpoints=background_checkpoints)
    _track_writes(engine)
    return engine


def _make_engine(url: str, *, echo: bool, background_checkpoints: bool) -> Engine:
    if url.startswith("sqlite"):
        engine = _sqlite_engine(
            url, echo=echo, autocheckpoint=BACKSTOP_CHECKPOINT_PAGES if background_checkpoints else None
        )
        if background_checkpoints and engine.url.database not in (None, "", ":memory:"):
            _start_checkpointer(engine.url.database)
        return engine
    return create_engine(
        url,
        echo=echo,
        pool_size=5,
        max_overflow=5,
        pool_timeout=2,
        connect_args={
            "connect_timeout": PG_CONNECT_TIMEOUT_S,
            "options": f"-c statement_timeout={PG_STATEMENT_TIMEOUT_MS}",
        },
    )


def _sqlite_engine(url: str, *, echo: bool, autocheckpoint: int | None) -> Engine:
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
    )
    if engine.url.database and engine.url.database != ":memory:" and not engine.url.database.startswith("file:"):
        _private_file(engine.url.database)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so that BEGIN IMMEDIATE can be issued below.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        if autocheckpoint is not None:
            cur.execute(f"PRAGMA wal_autocheckpoint={autocheckpoint}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A deferred transaction that reads and then writes fails at once with SQLITE_BUSY when
        # another connection wrote in between; taking the write lock up front makes it wait instead.
        # A connection marked READ_ONLY never writes, so it reads beside the writer without the lock.
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get("read_only") else "BEGIN IMMEDIATE")

    return engine


def _track_writes(engine: Engine) -> None:
    @event.listens_for(engine, "before_cursor_execute")
    def _mark(conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            conn.info[WROTE] = True


def forget_writes(db: Session) -> None:
    db.connection().info[WROTE] = False


def wrote(db: Session) -> bool:
    """Whether the session's transaction changed rows since forget_writes() (pending ORM changes included)."""
    db.flush()
    return bool(db.connection().info.get(WROTE))


def _private_file(path: str) -> None:
    """Create a new database file readable by its owner alone, before SQLite creates it with the
    umask's mode (often 0644). A file that exists keeps its mode: it is the user's, and may be shared
    on purpose; a warning says when others can read it."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, SQLITE_FILE_MODE)
    except FileExistsError:
        pass
    except OSError:
        return  # a directory that does not exist, say: SQLite will say so on connect
    else:
        os.fchmod(fd, SQLITE_FILE_MODE)  # whatever the umask
        os.close(fd)
        return
    mode = stat.S_IMODE(os.stat(path).st_mode)
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("database file %s has mode %o: other users on this machine can read it", path, mode)


def _start_checkpointer(path: str) -> None:
    def run() -> None:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=1)
        while True:
            time.sleep(CHECKPOINT_EVERY_S)
            try:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error:
                log.warning("WAL checkpoint of %s failed; retrying", path, exc_info=True)

    threading.Thread(target=run, name="sqlite-checkpoint", daemon=True).start()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back when it raises."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
