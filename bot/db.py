"""The database engine: SQLite tuned for a single web process, or PostgreSQL as given."""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from bot import deadline
from bot.deadline import STALLS, WATCHDOG, DeadlineExceeded

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 5000  # outside a request; inside one, what is left of its budget
BACKSTOP_CHECKPOINT_PAGES = 20_000  # if the checkpoint thread stalls, commits still bound the WAL (~80 MB)
CHECKPOINT_EVERY_S = 0.5
PG_CONNECT_TIMEOUT_S = 2
PG_STATEMENT_TIMEOUT_MS = 2000
PG_POOL_SIZE = 5
PG_MAX_OVERFLOW = 5
POOL_TIMEOUT_S = 1.0
# A peer that stops acknowledging what was sent (a cable pulled, a NAT entry gone) is given up after
# TCP_USER_TIMEOUT; an idle pooled connection to a vanished host is found by keep-alives.
PG_TCP_USER_TIMEOUT_MS = 2000
PG_KEEPALIVES = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 1, "keepalives_count": 3}
# The server refuses a COMMIT that reaches it this long before the request's deadline or later, so a
# COMMIT held up in the network cannot land after the user was told "temporarily unavailable".
COMMIT_MARGIN_MS = 100
WROTE = "tradewind.wrote"  # in a connection's info: a statement since forget_writes() changed rows
SQLITE_FILE_MODE = 0o600  # the team's data; SQLite gives its -wal, -shm and -journal files the same mode
READ_ONLY = {"read_only": True}  # execution options of a connection that only reads (see _on_begin)
DEFERRED = {"deferred": True}  # SQLite: begin without the write lock; see deferred() and upgrade_refused()
SQLITE_BUSY_CODES = (5, 517)  # SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT


def read_only(engine: Engine) -> dict[str, Any]:
    """Execution options for a connection that only reads: on SQLite it begins deferred, beside the
    writer; on PostgreSQL each statement runs on its own, without BEGIN and ROLLBACK round trips."""
    return {"isolation_level": "AUTOCOMMIT"} if engine.dialect.name == "postgresql" else READ_ONLY


def deferred(engine: Engine) -> Engine:
    """The engine whose transactions begin DEFERRED on SQLite: a unit that only reads never takes the
    write lock, so it runs beside another process's writer. A unit that reads and then writes while
    another connection writes is refused at its first write (upgrade_refused) and is run again on the
    plain engine, which takes the lock up front and waits for it. PostgreSQL: the engine itself."""
    return engine.execution_options(**DEFERRED) if engine.dialect.name == "sqlite" else engine


def upgrade_refused(err: BaseException) -> bool:
    """Whether SQLite refused a deferred transaction its write lock (another connection wrote since it
    began reading): nothing was written, and the unit can be run again with BEGIN IMMEDIATE."""
    orig = getattr(err, "orig", None)
    return isinstance(orig, sqlite3.OperationalError) and getattr(orig, "sqlite_errorcode", None) in SQLITE_BUSY_CODES


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
    return _postgres_engine(url, echo=echo)


def _postgres_engine(url: str, *, echo: bool) -> Engine:
    engine = create_engine(
        url,
        echo=echo,
        pool_size=PG_POOL_SIZE,
        max_overflow=PG_MAX_OVERFLOW,
        pool_timeout=POOL_TIMEOUT_S,
        connect_args={
            "connect_timeout": PG_CONNECT_TIMEOUT_S,
            "tcp_user_timeout": PG_TCP_USER_TIMEOUT_MS,
            **PG_KEEPALIVES,
            "options": f"-c statement_timeout={PG_STATEMENT_TIMEOUT_MS}",
        },
    )
    _bound_by_deadlines(engine, cut=_cut_postgres)

    @event.listens_for(engine, "do_connect")
    def _connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        current = deadline.current()
        if current is None:
            return None  # SQLAlchemy connects as usual
        return _connect_within(current, lambda: dialect.connect(*cargs, **cparams))

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        current = deadline.current()
        conn.info["commit_by_ms"] = None if current is None else int(current.remaining() * 1000) - COMMIT_MARGIN_MS

    @event.listens_for(engine, "commit")
    def _on_commit(conn: Any) -> None:
        commit_by_ms = conn.info.pop("commit_by_ms", None)
        if commit_by_ms is None:
            return
        deadline_check("COMMIT")
        dbapi_conn = conn.connection.dbapi_connection
        if dbapi_conn.info.transaction_status != _pg_idle():
            try:
                # One message: the server checks the time and commits only if the budget still holds
                # when the COMMIT reaches it. The driver's own commit() then finds nothing to do.
                dbapi_conn.execute(_guarded_commit(commit_by_ms))
            except Exception as err:
                if dbapi_conn.broken or dbapi_conn.closed:
                    conn.invalidate(err)  # nothing left to roll back on this connection
                raise DeadlineExceeded(f"COMMIT refused or lost: {err}") from err

    return engine


def _guarded_commit(commit_by_ms: int) -> bytes:
    return (
        "DO $$BEGIN IF clock_timestamp() > transaction_timestamp() + "
        f"interval '{max(commit_by_ms, 0)} milliseconds' THEN "
        "RAISE EXCEPTION 'request deadline passed' USING ERRCODE = 'query_canceled'; END IF; END$$; COMMIT"
    ).encode()


def _pg_idle() -> Any:
    from psycopg.pq import TransactionStatus

    return TransactionStatus.IDLE


def _cut_postgres(dbapi_conn: Any) -> None:
    deadline.shut_socket(dbapi_conn.pgconn.socket)


def _cut_sqlite(dbapi_conn: Any) -> None:
    dbapi_conn.interrupt()


def deadline_check(what: str) -> None:
    current = deadline.current()
    if current is not None:
        current.check(what)


def _bound_by_deadlines(engine: Engine, *, cut: Any) -> None:
    """Within a request's deadline: no statement or COMMIT after it, and a connection still checked
    out when it passes is cut (bot/deadline.py)."""

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        current = deadline.current()
        if current is not None:
            WATCHDOG.watch(dbapi_conn, current, cut)

    def _release(dbapi_conn: Any, *_rest: Any) -> None:
        WATCHDOG.unwatch(dbapi_conn)

    for name in ("checkin", "invalidate", "soft_invalidate", "close", "close_detached"):
        event.listen(engine, name, _release)

    @event.listens_for(engine, "before_cursor_execute")
    def _before_execute(*_args: Any) -> None:
        deadline_check("a statement")


_connector = ThreadPoolExecutor(max_workers=4, thread_name_prefix="db-connect")


def _connect_within(current: deadline.Deadline, connect: Any) -> Any:
    """A new connection, or an OperationalError once the request's budget is spent (the driver's own
    connect_timeout is whole seconds, at least two). A connection that arrives too late is closed."""
    import psycopg

    current.check("connecting")
    future = _connector.submit(connect)
    try:
        return future.result(timeout=max(current.remaining(), 0.0))
    except FutureTimeout:
        future.add_done_callback(_close_late)
        raise psycopg.OperationalError("connection timed out at the request deadline") from None


def _close_late(future: Any) -> None:
    if future.exception() is None:
        future.result().close()


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

    _bound_by_deadlines(engine, cut=_cut_sqlite)

    @event.listens_for(engine, "handle_error")
    def _on_error(context: Any) -> None:
        began_deferred = context.connection is not None and context.connection.info.get("began") == "BEGIN"
        if began_deferred:
            return  # refused at once, not stalled: the unit is run again (upgrade_refused)
        if deadline.current() is not None and "database is locked" in str(context.original_exception):
            STALLS.note()  # another process held the write lock for the whole budget

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        current = deadline.current()
        busy_ms = SQLITE_BUSY_TIMEOUT_MS if current is None else max(int(current.remaining() * 1000), 1)
        if conn.info.get("busy_timeout_ms") != busy_ms:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={busy_ms}")
            conn.info["busy_timeout_ms"] = busy_ms
        # A deferred transaction that reads and then writes fails at once with SQLITE_BUSY when
        # another connection wrote in between; taking the write lock up front makes it wait instead.
        # A connection marked READ_ONLY never writes, so it reads beside the writer without the lock; one
        # marked DEFERRED may write, and is run again with the lock if refused it (see deferred()).
        options = conn.get_execution_options()
        begin = "BEGIN" if options.get("read_only") or options.get("deferred") else "BEGIN IMMEDIATE"
        conn.info["began"] = begin
        conn.exec_driver_sql(begin)

    return engine


_DML = re.compile(r"\b(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def _track_writes(engine: Engine) -> None:
    @event.listens_for(engine, "before_cursor_execute")
    def _mark(conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool) -> None:
        head = statement.lstrip()[:6].upper()
        if head in ("INSERT", "UPDATE", "DELETE") or (head.startswith("WITH") and _DML.search(statement)):
            conn.info[WROTE] = True  # (a WITH may write: data-modifying CTEs, e.g. /req add on PostgreSQL)


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
    """One unit of work: committed when the block ends, rolled back when it raises.

    Inside a request's deadline (bot/deadline.py) it is refused once the budget is spent, and its
    statements and COMMIT are bounded by what is left."""
    deadline_check("starting a unit of work")
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_scope(engine: Engine) -> Iterator[Session]:
    """A unit of work that only reads: on SQLite it begins deferred and never takes the write lock, so
    it reads beside a writer (WAL); on PostgreSQL its statements run without BEGIN and COMMIT."""
    deadline_check("starting a unit of work")
    with (
        engine.connect().execution_options(**read_only(engine)) as conn,
        Session(bind=conn, expire_on_commit=False) as session,
    ):
        try:
            yield session
        finally:
            session.rollback()
