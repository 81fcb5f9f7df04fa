"""A new requirement is written the same way on both databases (PostgreSQL writes it in one statement):
its key number, fields, markets and audit entry."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.audit import AuditEntry
from models.requirements import requirement as req_model
from models.requirements.requirement import Requirement, RequirementMarket
from models.workspace import ensure_member, ensure_workspace


def test_create_writes_number_fields_markets_and_audit(engine: Engine) -> None:
    with Session(engine) as db:
        space = ensure_workspace(
            db=db, platform="console", external_id="T", name=None, default_lang="en", default_tz="UTC"
        )
        member, _ = ensure_member(db=db, workspace_id=space.id, external_id="mei")
        first = req_model.create(db=db, workspace_id=space.id, requester_id=member.id, values={"title": "one"})
        values = {
            "title": "两个 'quoted'",
            "platform": "amazon",
            "due": date(2026, 12, 31),
            "markets": ["US", "DE", "US"],
        }
        second = req_model.create(db=db, workspace_id=space.id, requester_id=member.id, values=values)
        db.commit()
        assert (first.item.number, second.item.number) == (1, 2)
        assert second.markets == ("US", "DE")
        stored = db.exec(select(Requirement).where(Requirement.id == second.item.id)).one()
        assert (stored.number, stored.title, stored.platform, stored.due, stored.status) == (
            2,
            "两个 'quoted'",
            "amazon",
            date(2026, 12, 31),
            "new",
        )
        assert stored.created_at == second.item.created_at
        markets = db.exec(select(RequirementMarket.market).where(RequirementMarket.requirement_id == stored.id))
        assert sorted(markets) == ["DE", "US"]
        assert list(db.exec(select(RequirementMarket).where(RequirementMarket.requirement_id == first.item.id))) == []
        [entry] = db.exec(select(AuditEntry).where(AuditEntry.entity_id == stored.id)).all()
        assert (entry.workspace_id, entry.actor_id, entry.entity, entry.action) == (
            space.id,
            member.id,
            "requirement",
            "create",
        )
        assert entry.changes == {
            "title": [None, "两个 'quoted'"],
            "platform": [None, "amazon"],
            "due": [None, "2026-12-31"],
            "markets": [None, ["US", "DE"]],
        }
        assert entry.at == stored.created_at
