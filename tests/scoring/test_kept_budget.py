"""The MoSCoW budget /score top reads is kept up to date by every write that can move it: after any run
of adds, re-scores, market edits, archives and status moves it equals a recount from the scores."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.requirements import requirement as req_model
from models.requirements.requirement import TRANSITIONS, Requirement, Status
from models.scoring import budget, ranking
from models.scoring import rice as math
from models.scoring import score as score_model
from models.scoring.ranking import By
from models.scoring.rice import RiceInputs
from models.workspace import ensure_member, ensure_workspace
from tests.support.databases import empty_all_tables

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MARKETS = st.lists(st.sampled_from(["US", "DE", "JP"]), unique=True, max_size=3)
EFFORT = st.none() | st.sampled_from(["0.29", "0.5", "1", "2.55", "8"])
MOSCOW = st.sampled_from([None, "must", "should", "could", "wont"])
step = st.one_of(
    st.tuples(st.just("add"), MARKETS, MOSCOW, EFFORT),
    st.tuples(st.just("score"), st.integers(0, 20), MOSCOW, EFFORT),
    st.tuples(st.just("moscow"), st.integers(0, 20), MOSCOW),
    st.tuples(st.just("markets"), st.integers(0, 20), MARKETS),
    st.tuples(st.just("archive"), st.integers(0, 20), st.booleans()),
    st.tuples(st.just("move"), st.integers(0, 20), st.integers(0, 3)),
)


def workspace(engine: Engine) -> tuple[int, int]:
    empty_all_tables(engine)
    with Session(engine) as db:
        space = ensure_workspace(
            db=db, platform="console", external_id="T", name=None, default_lang="en", default_tz="UTC"
        )
        member, _ = ensure_member(db=db, workspace_id=space.id, external_id="mei")
        db.commit()
        return space.id, member.id


def run(db: Session, workspace_id: int, actor: int, ids: list[int], action: tuple) -> None:
    kind = action[0]
    if kind == "add":
        _, markets, moscow, effort = action
        created = req_model.create(
            db=db, workspace_id=workspace_id, requester_id=actor, values={"title": "x", "markets": markets}
        )
        ids.append(created.item.id)
        rice = RiceInputs(10, D(1), 100, D(effort)) if effort else None
        score_model.save(
            db=db,
            workspace_id=workspace_id,
            requirement_id=ids[-1],
            actor_id=actor,
            markets=markets,
            rice=rice,
            moscow=moscow,
        )
        return
    if not ids:
        return
    rid = ids[action[1] % len(ids)]
    view = req_model.get_by_id(db=db, workspace_id=workspace_id, requirement_id=rid)
    assert view is not None
    if kind == "score":
        rice = RiceInputs(10, D(1), 100, D(action[3])) if action[3] else RiceInputs(10, D(1), 100, D("1.25"))
        score_model.save(
            db=db,
            workspace_id=workspace_id,
            requirement_id=rid,
            actor_id=actor,
            markets=view.markets,
            rice=rice,
            moscow=action[2],
        )
    elif kind == "moscow":
        score_model.save(
            db=db, workspace_id=workspace_id, requirement_id=rid, actor_id=actor, markets=view.markets, moscow=action[2]
        )
    elif kind == "markets":
        changes = req_model.update(db=db, view=view, actor_id=actor, values={"markets": action[2]})
        if "markets" in changes:
            score_model.markets_changed(db=db, workspace_id=workspace_id, requirement_id=rid, markets=action[2])
    elif kind == "archive":
        assert isinstance(view.item, Requirement)
        req_model.set_archived(db=db, item=view.item, actor_id=actor, archived=action[2])
    else:
        assert isinstance(view.item, Requirement)
        allowed = TRANSITIONS[Status(view.item.status)]
        if allowed:
            req_model.move(db=db, item=view.item, actor_id=actor, target=allowed[action[2] % len(allowed)])


@SETTINGS
@given(steps=st.lists(step, max_size=25))
def test_kept_budget_equals_a_recount(migrated_engine: Engine, steps: list[tuple]) -> None:
    workspace_id, actor = workspace(migrated_engine)
    ids: list[int] = []
    with Session(migrated_engine) as db:
        for n, action in enumerate(steps):
            run(db, workspace_id, actor, ids, action)
            if n % 3 == 0:
                db.commit()
        db.commit()
        recounted = budget.recount(db=db, workspace_id=workspace_id)
        assert budget.kept(db=db, workspace_id=workspace_id) == recounted
        for market in (None, "US", "DE", "JP"):
            page = ranking.top(db=db, workspace_id=workspace_id, by=By.RICE, market=market, offset=0, limit=1)
            assert page.budget == recounted.get(market or budget.EVERY, math.budget(()))


def test_rebuild_puts_the_recount_in_place(migrated_engine: Engine) -> None:
    workspace_id, actor = workspace(migrated_engine)
    ids: list[int] = []
    with Session(migrated_engine) as db:
        for action in [
            ("add", ["US"], "must", "2.55"),
            ("add", ["US", "DE"], "could", None),
            ("add", [], "should", "1"),
        ]:
            run(db, workspace_id, actor, ids, action)
        db.exec(budget.ScoreBudget.__table__.delete())  # type: ignore[attr-defined,call-overload]
        budget.rebuild(db=db, workspace_id=workspace_id)
        db.commit()
        kept = budget.kept(db=db, workspace_id=workspace_id)
        assert kept == budget.recount(db=db, workspace_id=workspace_id)
        assert kept[budget.EVERY] == math.Budget(D("2.55"), D("3.55"), 1)
        assert kept["DE"] == math.Budget(D(0), D(0), 1)
