"""The ranked backlog's order, against a reference sort written here: best first, ties to the older
requirement, unscored after the scored, closed requirements left out; pages fit together."""

from __future__ import annotations

from decimal import ROUND_HALF_UP
from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.requirements import requirement as req_model
from models.requirements.requirement import Requirement, Status
from models.scoring import ranking
from models.scoring import rice as math
from models.scoring import score as score_model
from models.scoring.ranking import By
from models.scoring.rice import RiceInputs
from models.workspace import ensure_member, ensure_workspace
from tests.support.databases import empty_all_tables

OPEN = {"new", "triaged", "approved", "in_progress", "parked"}
item = st.fixed_dictionaries(
    {
        "reach": st.none() | st.sampled_from([0, 10, 300, 300, 4000]),  # repeats force ties
        "ice": st.none() | st.sampled_from([(1, 1, 1), (2, 3, 4), (4, 3, 2), (10, 10, 10)]),
        "status": st.sampled_from([s.value for s in Status]),
        "markets": st.lists(st.sampled_from(["US", "DE", "JP"]), unique=True, max_size=3),
    }
)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def seed(engine: Engine, items: list[dict]) -> int:
    """Requirements REQ-1… in order; returns the workspace id."""
    empty_all_tables(engine)
    with Session(engine) as db:
        workspace = ensure_workspace(
            db=db, platform="console", external_id="T", name=None, default_lang="en", default_tz="UTC"
        )
        member, _ = ensure_member(db=db, workspace_id=workspace.id, external_id="mei")
        for spec in items:
            created = req_model.create(
                db=db,
                workspace_id=workspace.id,
                requester_id=member.id,
                values={"title": "x", "markets": spec["markets"]},
            )
            rid = created.item.id
            if spec["status"] != "new":
                db.exec(update(Requirement).where(Requirement.id == rid).values(status=spec["status"]))
            if spec["reach"] is not None or spec["ice"] is not None:
                # impact 1, confidence 100 %, effort 1: RICE equals reach
                rice = RiceInputs(spec["reach"], D(1), 100, D(1)) if spec["reach"] is not None else None
                score_model.save(
                    db=db,
                    workspace_id=workspace.id,
                    requirement_id=rid,
                    actor_id=member.id,
                    markets=spec["markets"],
                    rice=rice,
                    ice=spec["ice"],
                )
        db.commit()
        return workspace.id


def reference(items: list[dict], value) -> list[str]:
    numbered = [(n, spec) for n, spec in enumerate(items, start=1) if spec["status"] in OPEN]
    values = [(n, value(spec)) for n, spec in numbered]
    scored = sorted(((v, n) for n, v in values if v is not None), key=lambda vn: (-vn[0], vn[1]))
    unscored = [n for n, v in values if v is None]
    return [f"REQ-{n}" for _, n in scored] + [f"REQ-{n}" for n in unscored]


def ranked(engine: Engine, workspace_id: int, by: By, market: str | None = None, size: int = 1000) -> list[str]:
    keys: list[str] = []
    with Session(engine) as db:
        while True:
            page = ranking.top(db=db, workspace_id=workspace_id, by=by, market=market, offset=len(keys), limit=size)
            keys += [r.key for r in page.items]
            if not page.more:
                return keys


@SETTINGS
@given(items=st.lists(item, max_size=18), size=st.integers(min_value=1, max_value=7))
def test_rice_order_and_pages(migrated_engine: Engine, items: list[dict], size: int) -> None:
    workspace_id = seed(migrated_engine, items)
    expected = reference(items, lambda spec: spec["reach"])
    assert ranked(migrated_engine, workspace_id, By.RICE) == expected
    assert ranked(migrated_engine, workspace_id, By.RICE, size=size) == expected
    # No market weights: weighted RICE ranks like RICE.
    assert ranked(migrated_engine, workspace_id, By.WEIGHTED) == expected


@SETTINGS
@given(items=st.lists(item, max_size=18))
def test_ice_order(migrated_engine: Engine, items: list[dict]) -> None:
    workspace_id = seed(migrated_engine, items)
    product = lambda spec: spec["ice"][0] * spec["ice"][1] * spec["ice"][2] if spec["ice"] else None  # noqa: E731
    assert ranked(migrated_engine, workspace_id, By.ICE) == reference(items, product)


@SETTINGS
@given(items=st.lists(item, max_size=18))
def test_one_markets_order_uses_its_share_of_the_reach(migrated_engine: Engine, items: list[dict]) -> None:
    workspace_id = seed(migrated_engine, items)
    in_de = [dict(spec, status=spec["status"] if "DE" in spec["markets"] else "shipped") for spec in items]

    def de_share(spec: dict) -> D | None:
        if spec["reach"] is None:
            return None
        return (D(spec["reach"]) / len(spec["markets"])).quantize(D("0.0001"), rounding=ROUND_HALF_UP)

    assert ranked(migrated_engine, workspace_id, By.RICE, market="DE") == reference(in_de, de_share)


def test_weighted_ranking_and_market_weights(engine: Engine) -> None:
    items = [
        {"reach": None, "ice": None, "status": "new", "markets": []},
        {"reach": 3000, "ice": None, "status": "new", "markets": ["US"]},  # weighted 3,000 × 0.2 = 600
        {"reach": 1000, "ice": None, "status": "new", "markets": ["DE"]},  # weighted 1,000 × 0.8 = 800
        {"reach": 2000, "ice": None, "status": "new", "markets": ["JP"]},  # no weight: 0
    ]
    workspace_id = seed(engine, items)
    assert ranked(engine, workspace_id, By.RICE) == ["REQ-2", "REQ-4", "REQ-3", "REQ-1"]
    with Session(engine) as db:
        score_model.set_weights(db=db, workspace_id=workspace_id, actor_id=1, new={"US": D("0.2"), "DE": D("0.8")})
        db.commit()
        page = ranking.top(db=db, workspace_id=workspace_id, by=By.WEIGHTED, market=None, offset=0, limit=10)
    assert [(r.key, r.value) for r in page.items] == [
        ("REQ-3", D("800.0000")),
        ("REQ-2", D("600.0000")),
        ("REQ-4", D("0.0000")),
        ("REQ-1", None),
    ]
    with Session(engine) as db:
        de = ranking.top(db=db, workspace_id=workspace_id, by=By.WEIGHTED, market="DE", offset=0, limit=10)
    assert [(r.key, r.value) for r in de.items] == [("REQ-3", D("800.0000"))]
    assert de.weight == D("0.8")


def test_budget_counts_the_whole_ranked_set(engine: Engine) -> None:
    workspace_id = seed(engine, [{"reach": 1, "ice": None, "status": "new", "markets": []} for _ in range(4)])
    with Session(engine) as db:
        for rid, (moscow, effort) in enumerate([("must", "5"), ("must", "2.5"), ("should", "2.5"), ("wont", "9")], 1):
            score_model.save(
                db=db,
                workspace_id=workspace_id,
                requirement_id=rid,
                actor_id=1,
                markets=[],
                rice=RiceInputs(1, D(1), 100, D(effort)),
                moscow=moscow,
            )
        db.commit()
        page = ranking.top(db=db, workspace_id=workspace_id, by=By.RICE, market=None, offset=0, limit=1)
    # Must 5 + 2.5 = 7.5 of a planned 10 (Won't is not planned): 75 %, over DSDM's 60 %.
    assert (page.budget.must_effort, page.budget.planned_effort, page.budget.over) == (D("7.5"), D("10"), True)
    assert (page.total, page.more, len(page.items)) == (4, True, 1)


planned_item = st.fixed_dictionaries(
    {
        "status": st.sampled_from([s.value for s in Status]),
        "markets": st.lists(st.sampled_from(["US", "DE"]), unique=True, max_size=2),
        "moscow": st.sampled_from([None, "must", "should", "could", "wont"]),
        "effort": st.none() | st.sampled_from(["0.5", "1", "2.5", "8"]),
    }
)


@SETTINGS
@given(items=st.lists(planned_item, max_size=12))
def test_budget_is_that_of_the_open_planned_items_alone(migrated_engine: Engine, items: list[dict]) -> None:
    workspace_id = seed(migrated_engine, [{"reach": None, "ice": None, **spec} for spec in items])
    with Session(migrated_engine) as db:
        for rid, spec in enumerate(items, 1):
            rice = RiceInputs(1, D(1), 100, D(spec["effort"])) if spec["effort"] else None
            score_model.save(
                db=db,
                workspace_id=workspace_id,
                requirement_id=rid,
                actor_id=1,
                markets=spec["markets"],
                rice=rice,
                moscow=spec["moscow"],
            )
        db.commit()
        for market in (None, "DE"):
            page = ranking.top(db=db, workspace_id=workspace_id, by=By.RICE, market=market, offset=0, limit=1)
            chosen = [s for s in items if s["status"] in OPEN and (market is None or market in s["markets"])]
            expected = math.budget((s["moscow"], D(s["effort"]) if s["effort"] else None) for s in chosen)
            assert page.budget == expected
