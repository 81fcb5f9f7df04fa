"""Workspaces (a Slack team, a Lark tenant, the console), their members and key counters."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, UniqueConstraint, bindparam, event, false, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel, func, select

from models.base import UTCDateTime, dialect_insert, utcnow


class Role(StrEnum):
    ADMIN = "admin"
    APPROVER = "approver"
    MEMBER = "member"


ROLE_ORDER = (Role.ADMIN, Role.APPROVER, Role.MEMBER)
DEFAULT_EDITORS = "admin,approver"  # who may change digest settings and FX rates unless an admin says otherwise
BLOCKER_DAYS = 3
DECIDING = frozenset({Role.ADMIN, Role.APPROVER})  # who may decide an approval that names nobody


class Workspace(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    external_id: str = Field(max_length=64)
    name: str | None = Field(default=None, max_length=120)
    default_lang: str = Field(default="en", max_length=8)
    default_tz: str = Field(default="UTC", max_length=64)
    # The roles, comma-separated, that may change each channel's digest and the team's FX rates.
    digest_editors: str = Field(
        default=DEFAULT_EDITORS, sa_column=Column(String(48), nullable=False, server_default=DEFAULT_EDITORS)
    )
    fx_editors: str = Field(
        default=DEFAULT_EDITORS, sa_column=Column(String(48), nullable=False, server_default=DEFAULT_EDITORS)
    )
    # Whether a requester may name any member to decide, not only those with the approver role.
    adhoc_approvers: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    # The public-holiday calendar standups and digests follow (models/team_calendar.py); None: weekdays only.
    calendar: str | None = Field(default=None, max_length=8)
    blocker_days: int | None = None  # a blocker open this many days is raised in the digest; None: BLOCKER_DAYS
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # When the app was removed from this workspace (Slack's app_uninstalled / tokens_revoked): nothing
    # is posted there any more, its data is kept, and installing again clears it.
    uninstalled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Bumped in the transaction of any change to who its people are (role, language, time zone, name)
    # or to its settings; every process compares it with what it cached (see people_version below).
    people_version: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))


def roles_in(value: str | None) -> tuple[Role, ...]:
    """The roles a stored editors setting names, most senior first; admins are always among them."""
    named = {part.strip() for part in (value or DEFAULT_EDITORS).split(",")}
    return tuple(r for r in ROLE_ORDER if r == Role.ADMIN or r.value in named)


class Member(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workspace_id", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), nullable=False))
    external_id: str = Field(max_length=64)
    display_name: str | None = Field(default=None, max_length=120)
    lang: str | None = Field(default=None, max_length=8)
    tz: str | None = Field(default=None, max_length=64)
    role: str = Field(default=Role.MEMBER, max_length=16)
    platform_admin: bool = Field(  # an admin or owner of the Slack workspace, as users.info says
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )
    profile_checked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    away_until: date | None = None  # not asked for standups nor reminded through this day
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Counter(SQLModel, table=True):
    """The last key number handed out per workspace and kind (REQ, RISK, EXP...)."""

    workspace_id: int = Field(sa_column=Column(Integer, ForeignKey("workspace.id"), primary_key=True))
    kind: str = Field(primary_key=True, max_length=16)
    value: int = 0


def ensure_workspace(
    *, db: Session, platform: str, external_id: str, name: str | None, default_lang: str, default_tz: str
) -> Workspace:
    query = select(Workspace).where(Workspace.platform == platform, Workspace.external_id == external_id)
    found = db.exec(query).first()
    if found is not None:
        return found
    stmt = (
        dialect_insert(db, Workspace)
        .values(
            platform=platform,
            external_id=external_id,
            name=name,
            default_lang=default_lang,
            default_tz=default_tz,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["platform", "external_id"])
    )
    db.exec(stmt)
    return db.exec(query).one()


def set_installed(*, db: Session, platform: str, external_id: str, installed: bool) -> bool:
    """Mark a workspace (un)installed; False when the bot has never seen it."""
    workspace = db.exec(
        select(Workspace).where(Workspace.platform == platform, Workspace.external_id == external_id)
    ).first()
    if workspace is None:
        return False
    workspace.uninstalled_at = None if installed else utcnow()
    db.add(workspace)
    return True


def ensure_member(
    *, db: Session, workspace_id: int, external_id: str, display_name: str | None = None
) -> tuple[Member, bool]:
    """The member, created on first sight; the first member of a workspace becomes its admin.

    Returns the member and whether it was created by this call.
    """
    found = db.exec(
        select(Member).where(Member.workspace_id == workspace_id, Member.external_id == external_id)
    ).first()
    if found is not None:
        return found, False
    has_members = db.exec(select(Member.id).where(Member.workspace_id == workspace_id).limit(1)).first()
    stmt = (
        dialect_insert(db, Member)
        .values(
            workspace_id=workspace_id,
            external_id=external_id,
            display_name=display_name,
            role=Role.MEMBER if has_members else Role.ADMIN,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["workspace_id", "external_id"])
        .returning(Member.id)
    )
    created = db.exec(stmt).first() is not None
    member = db.exec(select(Member).where(Member.workspace_id == workspace_id, Member.external_id == external_id)).one()
    return member, created


def next_number(*, db: Session, workspace_id: int, kind: str) -> int:
    """Hand out the next key number; atomic under concurrent writers on SQLite and PostgreSQL."""
    connection = db.connection()
    stmt = next_number_statement(connection.dialect.name)
    return int(connection.execute(stmt, {"workspace_id": workspace_id, "kind": kind}).scalar_one())


@cache
def next_number_statement(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(Counter)
        .values(workspace_id=bindparam("workspace_id"), kind=bindparam("kind"), value=1)
        .on_conflict_do_update(index_elements=["workspace_id", "kind"], set_={"value": Counter.value + 1})
        .returning(Counter.value)
    )


def names_of(*, db: Session, member_ids: Iterable[int | None]) -> dict[int, tuple[str, str | None]]:
    """Platform id and display name of each member, by member id."""
    wanted = sorted({i for i in member_ids if i is not None})
    if not wanted:
        return {}
    rows = db.connection().execute(_NAMES_OF, {"ids": wanted})
    return {row.id: (row.external_id, row.display_name) for row in rows}


_NAMES_OF = select(Member.id, Member.external_id, Member.display_name).where(
    Member.id.in_(bindparam("ids", expanding=True))  # type: ignore[union-attr]
)


def member_by_id(*, db: Session, member_id: int) -> Member | None:
    return db.get(Member, member_id)


def workspace_by_id(*, db: Session, workspace_id: int) -> Workspace | None:
    return db.get(Workspace, workspace_id)


def member_ids_with_roles(*, db: Session, workspace_id: int, roles: Iterable[str]) -> list[int]:
    """The workspace's members holding any of `roles`, in the order they joined."""
    query = (
        select(Member.id)
        .where(Member.workspace_id == workspace_id, Member.role.in_([str(r) for r in roles]))  # type: ignore[attr-defined]
        .order_by(Member.id)  # type: ignore[arg-type]
    )
    return [i for i in db.exec(query).all() if i is not None]


def role_holders(*, db: Session, workspace_id: int) -> dict[str, list[int]]:
    """The admins and approvers of a workspace, by role, in the order they joined."""
    query = (
        select(Member.id, Member.role)
        .where(Member.workspace_id == workspace_id, Member.role.in_([Role.ADMIN, Role.APPROVER]))  # type: ignore[attr-defined]
        .order_by(Member.id)  # type: ignore[arg-type]
    )
    held: dict[str, list[int]] = {Role.ADMIN: [], Role.APPROVER: []}
    for member_id, role in db.exec(query).all():
        held[role].append(member_id)
    return held


def admin_count(*, db: Session, workspace_id: int) -> int:
    query = select(func.count()).where(Member.workspace_id == workspace_id, Member.role == Role.ADMIN)
    return int(db.exec(query).one())


def member_by_ref(*, db: Session, workspace_id: int, external_id: str) -> Member | None:
    """A workspace's member by their platform id."""
    return db.exec(select(Member).where(Member.workspace_id == workspace_id, Member.external_id == external_id)).first()


def apply_profile(
    *,
    db: Session,
    member_id: int,
    tz: str | None,
    locale: str | None,
    display_name: str | None,
    platform_admin: bool,
) -> Member | None:
    """Copy what the platform's profile says of a member. A time zone or language the member chose is
    kept; a platform admin or owner may be granted roles (workspace roles follow it)."""
    member = db.get(Member, member_id)
    if member is None:
        return None
    member.tz = member.tz or tz
    if member.lang is None and (locale or "").lower().startswith("zh"):
        member.lang = "zh-CN"
    member.display_name = display_name or member.display_name
    member.platform_admin = platform_admin
    member.profile_checked_at = utcnow()
    db.add(member)
    return member


# What a process caches of a workspace and its members; a change to any of these bumps people_version.
MEMBER_CACHED = ("role", "lang", "tz", "display_name", "platform_admin")
WORKSPACE_CACHED = (
    "name",
    "default_lang",
    "default_tz",
    "digest_editors",
    "fx_editors",
    "adhoc_approvers",
    "uninstalled_at",
)


def people_version(*, db: Session, platform: str, external_id: str) -> int | None:
    """The workspace's people_version (one row by its unique key), or None when it does not exist yet."""
    row = db.connection().execute(_PEOPLE_VERSION, {"platform": platform, "external_id": external_id}).first()
    return None if row is None else int(row[0])


_PEOPLE_VERSION = select(Workspace.people_version).where(  # type: ignore[call-overload]
    Workspace.platform == bindparam("platform"), Workspace.external_id == bindparam("external_id")
)


def _changed(obj: Any, names: tuple[str, ...]) -> bool:
    from sqlalchemy import inspect

    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


@event.listens_for(Session, "before_flush")
def _bump_people_version(session: Session, _context: Any, _instances: Any) -> None:
    """Every change to cached people or settings bumps its workspace's version in the same flush, so
    the change and the signal that caches are stale commit together or not at all."""
    workspaces: set[int] = set()
    for obj in session.dirty:
        if isinstance(obj, Member) and _changed(obj, MEMBER_CACHED):
            workspaces.add(obj.workspace_id)
        elif isinstance(obj, Workspace) and obj.id is not None and _changed(obj, WORKSPACE_CACHED):
            workspaces.add(obj.id)
    if workspaces:
        session.execute(
            update(Workspace)
            .where(Workspace.id.in_(sorted(workspaces)))  # type: ignore[union-attr]
            .values(people_version=Workspace.people_version + 1)
            .execution_options(synchronize_session=False)
        )
