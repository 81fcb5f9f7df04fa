"""Requirements: the backlog items a PM logs, with their markets and lifecycle."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    delete,
    func,
    insert,
    or_,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased
from sqlmodel import Field, Session, SQLModel, select

from models import audit
from models.base import UTCDateTime, utcnow
from models.scoring.budget import CLOSED, Share
from models.scoring.budget import apply as apply_budget
from models.workspace import Member, next_number, next_number_statement

KEY_PREFIX = "REQ"
ENTITY = "requirement"

TITLE_MAX = 200
TEXT_MAX = 2000
SHORT_MAX = 200
PLATFORM_MAX = 40
MARKETS_MAX = 30
SOURCE_LINK_MAX = 1000


class Source(StrEnum):
    """Where a requirement came from."""

    CUSTOMER = "customer"
    MARKETPLACE = "marketplace"
    COMPETITOR = "competitor"
    OPS = "ops"
    DATA = "data"


class Status(StrEnum):
    NEW = "new"
    TRIAGED = "triaged"
    APPROVED = "approved"
    IN_PROGRESS = "in_progress"
    SHIPPED = "shipped"
    REJECTED = "rejected"
    PARKED = "parked"


# A due date still binds these; shipped, rejected and parked ones are not late.
OPEN_STATUSES = frozenset({Status.NEW, Status.TRIAGED, Status.APPROVED, Status.IN_PROGRESS})

# Forward along new → triaged → approved → in_progress → shipped; aside to rejected or parked;
# parked and rejected items can be brought back.
TRANSITIONS: dict[Status, tuple[Status, ...]] = {
    Status.NEW: (Status.TRIAGED, Status.REJECTED, Status.PARKED),
    Status.TRIAGED: (Status.APPROVED, Status.REJECTED, Status.PARKED),
    Status.APPROVED: (Status.IN_PROGRESS, Status.PARKED),
    Status.IN_PROGRESS: (Status.SHIPPED, Status.PARKED),
    Status.SHIPPED: (),
    Status.REJECTED: (Status.NEW,),
    Status.PARKED: (Status.NEW, Status.TRIAGED),
}


class Requirement(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("workspace_id", "number"),
        Index("ix_requirement_workspace_status", "workspace_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), nullable=False))
    number: int
    title: str = Field(max_length=TITLE_MAX)
    description: str | None = Field(default=None, sa_column=Column(Text))
    platform: str | None = Field(default=None, max_length=PLATFORM_MAX)
    metric: str | None = Field(default=None, max_length=SHORT_MAX)
    acceptance: str | None = Field(default=None, sa_column=Column(Text))
    due: date | None = None
    status: str = Field(default=Status.NEW, max_length=16)
    requester_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id"), nullable=False))
    owner_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("member.id")))
    channel_ref: str | None = Field(default=None, max_length=64)
    source: str | None = Field(default=None, max_length=16)
    source_link: str | None = Field(default=None, max_length=SOURCE_LINK_MAX)  # the message it was captured from
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    archived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # hidden from lists, never deleted

    @property
    def key(self) -> str:
        return f"{KEY_PREFIX}-{self.number}"


class RequirementMarket(SQLModel, table=True):
    __tablename__ = "requirement_market"
    __table_args__ = (Index("ix_requirement_market_market", "market", "requirement_id"),)

    requirement_id: int = Field(
        sa_column=Column(Integer, ForeignKey("requirement.id", ondelete="CASCADE"), primary_key=True)
    )
    market: str = Field(primary_key=True, max_length=2)


COUNT_CAP = 1000  # lists say "1000+" beyond this rather than count a huge backlog on every page

# Every optional column, so that an INSERT always names the same columns (one cached statement).
BLANK: dict[str, Any] = {
    "description": None,
    "platform": None,
    "metric": None,
    "acceptance": None,
    "due": None,
    "owner_id": None,
    "channel_ref": None,
    "archived_at": None,
    "source": None,
    "source_link": None,
}

_INSERT = insert(Requirement).returning(Requirement.id)  # type: ignore[arg-type]
_INSERT_MARKET = insert(RequirementMarket)
_MARKETS_OF = (
    select(RequirementMarket.requirement_id, RequirementMarket.market)
    .where(RequirementMarket.requirement_id.in_(bindparam("ids", expanding=True)))  # type: ignore[attr-defined]
    .order_by(RequirementMarket.requirement_id, RequirementMarket.market)
)

# Fields a user may set, in the order they are shown; `markets` lives in its own table.
EDITABLE_FIELDS = (
    "title",
    "markets",
    "platform",
    "metric",
    "acceptance",
    "due",
    "description",
    "owner_id",
    "source",
)


@dataclass(frozen=True)
class RequirementRow:
    """A read-only copy of a requirement row, for lists and fresh cards (far cheaper than an ORM object)."""

    id: int
    workspace_id: int
    number: int
    title: str
    description: str | None
    platform: str | None
    metric: str | None
    acceptance: str | None
    due: date | None
    status: str
    requester_id: int
    owner_id: int | None
    channel_ref: str | None
    source: str | None
    source_link: str | None
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None

    @property
    def key(self) -> str:
        return f"{KEY_PREFIX}-{self.number}"


ROW_FIELDS = tuple(f.name for f in fields(RequirementRow))


@dataclass(frozen=True)
class RequirementView:
    """A requirement with its markets, as the handlers show it."""

    item: Requirement | RequirementRow
    markets: tuple[str, ...]


@dataclass(frozen=True)
class ListFilter:
    status: str | None = None
    market: str | None = None
    platform: str | None = None
    member_id: int | None = None  # "mine": requested or owned by this member
    owner_id: int | None = None
    words: tuple[str, ...] = ()  # each found in the title, description or acceptance criteria
    due_before: date | None = None  # due strictly before this day
    due_after: date | None = None  # due strictly after this day
    overdue_on: date | None = None  # open and due before this day (today, where the asker is)
    source: str | None = None

    def params(self) -> dict[str, Any]:
        """The values the statement of this filter's shape binds."""
        found = {f"word{i}": "%" + _like_escaped(w) + "%" for i, w in enumerate(self.words)}
        return {
            "status": self.status,
            "platform": self.platform,
            "member_id": self.member_id,
            "market": self.market,
            "owner_id": self.owner_id,
            "source": self.source,
            **found,
            "due_before": self.due_before,
            "due_after": self.due_after,
            "overdue_on": self.overdue_on,
            "open_statuses": [s.value for s in OPEN_STATUSES],
        }

    @property
    def shape(self) -> tuple[bool, bool, bool, bool, bool, int, bool, bool, bool, bool]:
        has = (bool(self.status), bool(self.platform), self.member_id is not None, bool(self.market))
        due = (self.due_before is not None, self.due_after is not None, self.overdue_on is not None)
        return (*has, self.owner_id is not None, len(self.words), *due, bool(self.source))


def _like_escaped(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def create(*, db: Session, workspace_id: int, requester_id: int, values: dict[str, Any]) -> RequirementView:
    fields = dict(values)
    markets = tuple(dict.fromkeys(fields.pop("markets", ()) or ()))
    now = utcnow()
    row: dict[str, Any] = {
        **BLANK,
        **fields,
        "workspace_id": workspace_id,
        "requester_id": requester_id,
        "status": Status.NEW.value,
        "created_at": now,
        "updated_at": now,
    }
    changes = {k: [None, _plain(v)] for k, v in {**fields, "markets": list(markets)}.items() if v}
    connection = db.connection()
    if connection.dialect.name == "postgresql":
        names = tuple(sorted(row))
        values = {f"r_{name}": row[name] for name in names}
        bound = {"workspace_id": workspace_id, "kind": KEY_PREFIX, "markets": list(markets), "changes": changes}
        new_id, row["number"] = connection.execute(_create_statement(names), {**values, **bound}).one()
        return RequirementView(RequirementRow(id=new_id, **row), markets)
    row["number"] = next_number(db=db, workspace_id=workspace_id, kind=KEY_PREFIX)
    new_id = int(connection.execute(_INSERT, row).scalar_one())
    if markets:
        connection.execute(_INSERT_MARKET, [{"requirement_id": new_id, "market": m} for m in markets])
    audit.record(
        db=db,
        workspace_id=workspace_id,
        actor_id=requester_id,
        entity=ENTITY,
        entity_id=new_id,
        action="create",
        changes=changes,
        at=now,
    )
    return RequirementView(RequirementRow(id=new_id, **row), markets)


@cache
def _create_statement(names: tuple[str, ...]) -> Any:
    """PostgreSQL: the key number, the requirement, its markets and the audit entry in one statement
    (one round trip); `names` are the requirement's columns bound as r_<name>, besides its number."""
    columns = Requirement.__table__.c  # type: ignore[attr-defined]
    numbered = next_number_statement("postgresql").cte("numbered")
    values = [bindparam(f"r_{name}", type_=columns[name].type) for name in names]
    created = (
        insert(Requirement)
        .from_select([*names, "number"], select(*values, numbered.c.value))
        .returning(Requirement.id, Requirement.number)  # type: ignore[arg-type]
        .cte("created")
    )
    tagged = (
        insert(RequirementMarket)
        .from_select(
            ["requirement_id", "market"],
            select(created.c.id, func.unnest(bindparam("markets", type_=postgresql.ARRAY(String)))),
        )
        .cte("tagged")
    )
    logged = audit.insert_from(
        select(
            bindparam("workspace_id"),
            bindparam("r_requester_id"),
            bindparam("entity", ENTITY),
            created.c.id,
            bindparam("action", "create"),
            bindparam("changes", type_=audit.AuditEntry.__table__.c.changes.type),  # type: ignore[attr-defined]
            bindparam("r_created_at"),
        )
    ).cte("logged")
    return select(created.c.id, created.c.number).add_cte(tagged, logged)


def get_by_number(*, db: Session, workspace_id: int, number: int) -> RequirementView | None:
    item = db.exec(
        select(Requirement).where(Requirement.workspace_id == workspace_id, Requirement.number == number)
    ).first()
    if item is None:
        return None
    return RequirementView(item, _markets_of(db, [_id(item)]).get(_id(item), ()))


def get_by_id(*, db: Session, workspace_id: int, requirement_id: int) -> RequirementView | None:
    item = db.get(Requirement, requirement_id)
    if item is None or item.workspace_id != workspace_id:
        return None
    return RequirementView(item, _markets_of(db, [requirement_id]).get(requirement_id, ()))


def update(*, db: Session, view: RequirementView, actor_id: int, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Apply the changed fields; returns {field: [old, new]} of what really changed."""
    item = view.item
    assert isinstance(item, Requirement), "edit a requirement loaded by get_by_number or get_by_id"
    changes: dict[str, list[Any]] = {}
    for name, new in values.items():
        old: Any = list(view.markets) if name == "markets" else getattr(item, name)
        if name == "markets":
            new = list(new)
        if old == new:
            continue
        changes[name] = [_plain(old), _plain(new)]
        if name == "markets":
            before = Share.of(db, _id(item))
            _set_markets(db, item, tuple(new), replace=True)
            apply_budget(db, before, Share.of(db, _id(item)))
        else:
            setattr(item, name, new)
    if changes:
        _touch(db, item, actor_id, "edit", changes)
    return changes


def set_archived(*, db: Session, item: Requirement, actor_id: int, archived: bool) -> bool:
    """Archive (hide from lists, search, ranking and digests) or restore; False when it already was so.
    Nothing is deleted: the row, its score and its history stay."""
    if (item.archived_at is not None) == archived:
        return False
    old = item.archived_at
    item.archived_at = utcnow() if archived else None
    _touch(
        db,
        item,
        actor_id,
        "archive" if archived else "restore",
        {"archived_at": [_plain(old), _plain(item.archived_at)]},
    )
    return True


def last_archived_by(*, db: Session, workspace_id: int, actor_id: int) -> Requirement | None:
    """The requirement this member archived last, when it is still archived and that archiving is their
    last archive or restore (what `/req undo` takes back)."""
    entry = db.exec(
        select(audit.AuditEntry)
        .where(
            audit.AuditEntry.workspace_id == workspace_id,
            audit.AuditEntry.actor_id == actor_id,
            audit.AuditEntry.entity == ENTITY,
            audit.AuditEntry.action.in_(("archive", "restore")),  # type: ignore[attr-defined]
        )
        .order_by(audit.AuditEntry.id.desc())  # type: ignore[union-attr]
        .limit(1)
    ).first()
    if entry is None or entry.action != "archive":
        return None
    item = db.get(Requirement, entry.entity_id)
    return item if item is not None and item.archived_at is not None else None


class IllegalTransition(Exception):
    def __init__(self, current: Status, target: Status) -> None:
        super().__init__(f"{current} -> {target}")
        self.current = current
        self.target = target
        self.allowed = TRANSITIONS[current]


def move(*, db: Session, item: Requirement, actor_id: int, target: Status) -> Status:
    """Move along the lifecycle or raise IllegalTransition; returns the previous status."""
    current = Status(item.status)
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(current, target)
    closing = (current in CLOSED) != (target in CLOSED)
    before = Share.of(db, _id(item)) if closing else None
    item.status = target
    _touch(db, item, actor_id, "status", {"status": [current.value, target.value]})
    if before is not None:
        db.flush()
        apply_budget(db, before, Share.of(db, _id(item)))
    return current


def _touch(db: Session, item: Requirement, actor_id: int, action: str, changes: dict[str, list[Any]]) -> None:
    """Stamp the change on the row and write it to the audit log."""
    item.updated_at = utcnow()
    db.add(item)
    audit.record(
        db=db,
        workspace_id=item.workspace_id,
        actor_id=actor_id,
        entity=ENTITY,
        entity_id=_id(item),
        action=action,
        changes=changes,
    )


@dataclass(frozen=True)
class Page:
    items: list[RequirementView]
    total: int  # how many match, counted up to COUNT_CAP
    capped: bool  # more than COUNT_CAP match
    more: bool  # another page follows
    people: dict[int, tuple[str, str | None]]  # requesters and owners: member id → (platform id, name)


def page(*, db: Session, workspace_id: int, where: ListFilter, offset: int, limit: int) -> Page:
    """One page of the backlog, newest first."""
    params = {"workspace_id": workspace_id, **where.params()}
    shape = where.shape
    connection = db.connection()
    counted = int(connection.execute(_count_statement(*shape), {**params, "cap": COUNT_CAP + 1}).scalar_one())
    rows = connection.execute(_page_statement(*shape), {**params, "offset": offset, "limit": limit + 1}).all()
    views: list[RequirementView] = []
    people: dict[int, tuple[str, str | None]] = {}
    for row in rows[:limit]:
        values = row._mapping
        item = RequirementRow(**{name: values[name] for name in ROW_FIELDS})
        markets = tuple(sorted(values["markets_csv"].split(","))) if values["markets_csv"] else ()
        views.append(RequirementView(item, markets))
        people[item.requester_id] = (values["requester_ref"], values["requester_name"])
        if item.owner_id is not None:
            people[item.owner_id] = (values["owner_ref"], values["owner_name"])
    return Page(views, min(counted, COUNT_CAP), counted > COUNT_CAP, len(rows) > limit, people)


@cache
def _filtered(*shape: Any) -> Select[Any]:
    return filter_rows(select(Requirement), *shape)


def filter_rows(
    query: Select[Any],
    has_status: bool,
    has_platform: bool,
    has_member: bool,
    has_market: bool,
    has_owner: bool = False,
    words: int = 0,
    has_due_before: bool = False,
    has_due_after: bool = False,
    has_overdue: bool = False,
    has_source: bool = False,
) -> Select[Any]:
    """A query over the requirements not archived, narrowed to a ListFilter's shape (its values are bound
    at run time)."""
    query = query.where(
        Requirement.workspace_id == bindparam("workspace_id"),
        Requirement.archived_at.is_(None),  # type: ignore[union-attr]
    )
    if has_due_before:
        query = query.where(Requirement.due < bindparam("due_before"))  # type: ignore[operator]
    if has_due_after:
        query = query.where(Requirement.due > bindparam("due_after"))  # type: ignore[operator]
    if has_overdue:
        query = query.where(
            Requirement.due < bindparam("overdue_on"),  # type: ignore[operator]
            Requirement.status.in_(bindparam("open_statuses", expanding=True)),  # type: ignore[attr-defined]
        )
    if has_status:
        query = query.where(Requirement.status == bindparam("status"))
    if has_platform:
        query = query.where(Requirement.platform == bindparam("platform"))
    if has_member:
        query = query.where(
            or_(Requirement.requester_id == bindparam("member_id"), Requirement.owner_id == bindparam("member_id"))
        )
    if has_market:
        query = query.where(
            Requirement.id.in_(  # type: ignore[union-attr]
                select(RequirementMarket.requirement_id).where(RequirementMarket.market == bindparam("market"))
            )
        )
    if has_owner:
        query = query.where(Requirement.owner_id == bindparam("owner_id"))
    if has_source:
        query = query.where(Requirement.source == bindparam("source"))
    for i in range(words):  # every word, in any of the three texts (ILIKE: lower() LIKE lower() on SQLite)
        word = bindparam(f"word{i}")
        query = query.where(
            or_(
                Requirement.title.ilike(word, escape="\\"),  # type: ignore[attr-defined]
                Requirement.description.ilike(word, escape="\\"),  # type: ignore[union-attr]
                Requirement.acceptance.ilike(word, escape="\\"),  # type: ignore[union-attr]
            )
        )
    return query


@cache
def _page_statement(*shape: Any) -> Select[Any]:
    """The page's rows with their markets and people in the same round trip."""
    requester, owner = aliased(Member), aliased(Member)
    markets = (
        select(func.aggregate_strings(RequirementMarket.market, ","))
        .where(RequirementMarket.requirement_id == Requirement.id)
        .scalar_subquery()
    )
    return (
        _filtered(*shape)
        .add_columns(
            markets.label("markets_csv"),
            requester.external_id.label("requester_ref"),  # type: ignore[attr-defined]
            requester.display_name.label("requester_name"),  # type: ignore[attr-defined]
            owner.external_id.label("owner_ref"),  # type: ignore[attr-defined]
            owner.display_name.label("owner_name"),  # type: ignore[attr-defined]
        )
        .join(requester, requester.id == Requirement.requester_id)
        .outerjoin(owner, owner.id == Requirement.owner_id)
        .order_by(Requirement.number.desc())  # type: ignore[attr-defined]
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )


@cache
def _count_statement(*shape: Any) -> Select[Any]:
    capped = _filtered(*shape).with_only_columns(Requirement.id).limit(bindparam("cap")).subquery()
    return select(func.count()).select_from(capped)


def _set_markets(db: Session, item: Requirement, markets: tuple[str, ...], *, replace: bool = False) -> None:
    if replace:
        db.exec(delete(RequirementMarket).where(RequirementMarket.requirement_id == _id(item)))  # type: ignore[arg-type]
    for market in dict.fromkeys(markets):
        db.add(RequirementMarket(requirement_id=_id(item), market=market))
    db.flush()


def _markets_of(db: Session, ids: list[int]) -> dict[int, tuple[str, ...]]:
    if not ids:
        return {}
    rows = db.connection().execute(_MARKETS_OF, {"ids": ids}).all()
    found: dict[int, list[str]] = {}
    for requirement_id, market in rows:
        found.setdefault(requirement_id, []).append(market)
    return {k: tuple(v) for k, v in found.items()}


def _id(item: Requirement | RequirementRow) -> int:
    assert item.id is not None, "requirement not flushed"
    return item.id


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value for the audit log."""
    if isinstance(value, date):  # a datetime too
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value
