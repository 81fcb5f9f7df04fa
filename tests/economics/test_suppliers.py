"""/supplier through the real console: facts, weighted scorecards, comparison and backup links."""

from __future__ import annotations

from decimal import Decimal as D

from sqlmodel import Session, select

from models.audit import AuditEntry
from models.requirements.requirement import Requirement
from models.suppliers.link import SupplierLink, backup_suppliers, suppliers_for
from models.suppliers.supplier import Supplier, SupplierScore, SupplierWeight
from tests.economics.support import TEE, count
from tests.support.console import ConsoleDriver

HONGDA = '/supplier add "Shenzhen Hongda" category=apparel city=Shenzhen lead_days=25 defects=3/200 certs=CE,oeko-tex'
HONGDA_SCORE = (
    '/supplier score "Shenzhen Hongda" quality=4 certification=5 capacity=3 lead_time=4 return_rate=2 service=4'
)
XINDA = "/supplier add 义乌星达 category=服装 city=义乌 lead_days=18"
XINDA_SCORE = "/supplier score 星达 quality=3 certification=3 capacity=5 lead_time=5 return_rate=4 service=3"


def test_add_and_show_facts(console: ConsoleDriver, engine) -> None:
    out = console.send(HONGDA)
    assert "Supplier SUP-1 Shenzhen Hongda added: from now on SUP-1 names it" in out
    assert (
        "apparel · Shenzhen · lead time 25 days · defect rate 1.50% (3/200 in sample) · certified CE, OEKO-TEX" in out
    )
    with Session(engine) as db:
        s = db.exec(select(Supplier)).one()
    assert (s.lead_days, s.defects, s.batch, s.certs, s.defect_rate) == (25, 3, 200, ["CE", "OEKO-TEX"], D("0.015"))
    assert "exists already" in console.send('/supplier add "shenzhen  HONGDA"')
    assert "lead time 30 days" in console.send("/supplier edit hongda lead_days=30")


def test_weighted_scores_with_the_default_weights_and_history(console: ConsoleDriver, engine) -> None:
    console.send(HONGDA)
    # Default weights 0.30/0.15/0.15/0.15/0.15/0.10:
    # 0.3·4 + 0.15·5 + 0.15·3 + 0.15·4 + 0.15·2 + 0.1·4 = 1.2 + 0.75 + 0.45 + 0.6 + 0.3 + 0.4 = 3.70
    assert "Weighted score 3.70 / 5" in console.send(HONGDA_SCORE)
    # A later scorecard keeps what it does not name: quality 5 → 3.70 + 0.3 = 4.00.
    out = console.send('/supplier score "Shenzhen Hongda" quality=5 note="new QC lead"')
    assert "Weighted score 4.00 / 5" in out
    assert "4.00 (5/5/3/4/2/4) · new QC lead" in out and "3.70 (4/5/3/4/2/4)" not in out  # only what changed
    assert "3.70 (4/5/3/4/2/4)" in console.send("full")
    with Session(engine) as db:
        rows = db.exec(select(SupplierScore).order_by(SupplierScore.id)).all()
        audited = db.exec(select(AuditEntry).where(AuditEntry.action == "score")).all()
    assert [r.quality for r in rows] == [4, 5] and rows[1].service == 4
    assert audited[1].changes["quality"] == [4, 5]


def test_compare_ranks_by_weighted_total_with_criteria_side_by_side(console: ConsoleDriver) -> None:
    for line in (HONGDA, XINDA, HONGDA_SCORE, XINDA_SCORE):
        console.send(line)
    # 义乌星达: 0.3·3 + 0.15·3 + 0.15·5 + 0.15·5 + 0.15·4 + 0.1·3 = 0.9+0.45+0.75+0.75+0.6+0.3 = 3.75 > 3.70
    out = console.send('/supplier compare "Shenzhen Hongda" 星达')
    assert out.index("1. 义乌星达 · Weighted score 3.75 / 5") < out.index(
        "2. Shenzhen Hongda · Weighted score 3.70 / 5"
    )
    assert "Quality (30%): 义乌星达 3 · Shenzhen Hongda 4 ★" in out
    assert "Return rate (15%): 义乌星达 4 ★ · Shenzhen Hongda 2" in out
    # Weights of the workspace change the ranking: quality 0.5, the rest 0.1 each.
    console.send(
        "/supplier weights quality=0.5 certification=0.1 capacity=0.1 lead_time=0.1 return_rate=0.1 service=0.1"
    )
    # Hongda 0.5·4 + 0.1·(5+3+4+2+4) = 2 + 1.8 = 3.80; 星达 0.5·3 + 0.1·(3+5+5+4+3) = 1.5 + 2.0 = 3.50
    out = console.send("/supplier compare")
    assert "1. Shenzhen Hongda · Weighted score 3.80 / 5" in out and "2. 义乌星达 · Weighted score 3.50 / 5" in out


def test_weights_must_sum_to_one_and_are_for_deciders(console: ConsoleDriver, engine) -> None:
    console.send("/pm me")  # mei: admin
    refused = console.send(
        "/supplier weights quality=0.4 certification=0.2 capacity=0.1 lead_time=0.1 return_rate=0.1 service=0.2"
    )
    assert "The weights add up to 1.1; they must sum to exactly 1." in refused
    assert "service: this field is required" in console.send("/supplier weights quality=1")
    li = ConsoleDriver(console.console.runtime, user="li")
    assert "Only admins and approvers" in li.send(
        "/supplier weights quality=0.5 certification=0.1 capacity=0.1 lead_time=0.1 return_rate=0.1 service=0.1"
    )
    assert count(engine, SupplierWeight) == 0
    out = console.send(
        "/supplier weights quality=40% certification=15% capacity=10% lead_time=10% return_rate=15% service=10%"
    )
    assert "Weights saved." in out and "Quality: 40%" in out
    with Session(engine) as db:
        stored = {w.criterion: w.weight for w in db.exec(select(SupplierWeight))}
    assert stored["quality"] == D("0.4") and sum(stored.values()) == 1


def test_backup_supplier_link_answers_the_playbook_query(console: ConsoleDriver, engine) -> None:
    console.send(HONGDA)
    console.send(XINDA)
    console.send("/req add 德国站 T 恤 market=DE")
    console.send(TEE)
    console.send('/supplier link "Shenzhen Hongda" req=REQ-1')
    out = console.send("/supplier link 星达 req=1 role=backup")
    assert "义乌星达 now supplies REQ-1 as the backup supplier." in out
    assert "Supplies: REQ-1 · backup supplier" in out
    console.send("/supplier link 星达 sku=tee-01 role=备用")
    with Session(engine) as db:
        ws, req_id = db.exec(select(Requirement.workspace_id, Requirement.id)).one()
        backups = backup_suppliers(db=db, workspace_id=ws, requirement_id=req_id)
        linked = suppliers_for(db=db, workspace_id=ws, requirement_id=req_id)
        sku_backups = backup_suppliers(db=db, workspace_id=ws, sku_id=1)
    assert [s.name for s in backups] == ["义乌星达"]
    assert sorted((link.supplier.name, link.role) for link in linked) == [
        ("Shenzhen Hongda", "main"),
        ("义乌星达", "backup"),
    ]
    assert [s.name for s in sku_backups] == ["义乌星达"]
    assert "already supplies REQ-1" in console.send("/supplier link 星达 req=REQ-1 role=backup")
    assert "no longer linked to REQ-1" in console.send("/supplier unlink 星达 req=REQ-1")
    with Session(engine) as db:
        assert backup_suppliers(db=db, workspace_id=ws, requirement_id=req_id) == []
    assert count(engine, SupplierLink) == 2


def test_bad_input_is_refused_and_nothing_is_stored(console: ConsoleDriver, engine) -> None:
    console.send(HONGDA)
    before = (count(engine, SupplierScore), count(engine, AuditEntry))
    cases = {
        '/supplier score "Shenzhen Hongda" quality=6': "6 is not a score",
        "/supplier score hongda quality=4": "A first scorecard needs every criterion; missing: certification",
        "/supplier score hongda": "Give at least one score",
        "/supplier score nobody quality=4": "There is no supplier nobody here.",
        "/supplier edit hongda defects=5/3": "is not a defect count",
        "/supplier edit hongda lead_days=-4": "must be a whole number from 0 to 365",
        "/supplier link hongda req=REQ-9": "REQ-9 does not exist",
        "/supplier link hongda": "Link to one requirement",
        "/supplier link hongda sku=NOPE": "There is no SKU NOPE here.",
        "/supplier compare hongda": "Name at least two suppliers",
        "/supplier add": "Which supplier?",
    }
    for line, expected in cases.items():
        out = console.send(line)
        assert expected in out, (line, out)
        assert "Usage:" in out and "Traceback" not in out
    assert (count(engine, SupplierScore), count(engine, AuditEntry)) == before


def test_chinese(console: ConsoleDriver) -> None:
    console.send("/pm lang zh")
    console.send(XINDA)
    out = console.send(XINDA_SCORE)
    assert "已为 义乌星达 新增一张评分卡。" in out
    assert "加权得分 3.75 / 5" in out and "退货率 (15%): 4/5" in out


def test_suppliers_have_keys_typed_wherever_a_name_is(console: ConsoleDriver) -> None:
    console.send(HONGDA)
    assert "已添加供应商 SUP-2 义乌星达" in (console.send("/pm lang zh") and console.send(XINDA))
    console.send("/pm lang en")
    listed = console.send("/supplier list")
    assert "SUP-1 Shenzhen Hongda" in listed and "SUP-2 义乌星达" in listed
    assert "== SUP-2 · 义乌星达 ==" in console.send("/supplier show sup-2")
    assert "/supplier score SUP-2 quality=4" in console.send("/supplier show SUP-2")
    assert "Weighted score 3.70 / 5" in console.send(
        "/supplier score SUP-1 quality=4 certification=5 capacity=3 lead_time=4 return_rate=2 service=4"
    )
    assert "lead time 20 days" in console.send("/supplier edit ＳＵＰ－2 lead_days=20")  # full-width as typed
    compared = console.send("/supplier compare SUP-1 SUP-2")
    assert "1. Shenzhen Hongda" in compared and "义乌星达" in compared
    console.send("/req add 尺码表")
    assert "REQ-1" in console.send("/supplier link SUP-2 req=REQ-1")
    assert "There is no supplier SUP-9 here." in console.send("/supplier show SUP-9")


def test_supplier_keys_count_per_workspace(console: ConsoleDriver) -> None:
    console.send(HONGDA)
    other = ConsoleDriver(console.console.runtime, user="ana", team="T-OTHER")
    assert "Supplier SUP-1 Ningbo Acme added" in other.send('/supplier add "Ningbo Acme"')
    assert "SUP-2" in console.send(XINDA)
    assert "There is no supplier SUP-2 here." in other.send("/supplier show SUP-2")


def test_the_migration_numbers_existing_suppliers_and_the_counter_goes_on(engine, console: ConsoleDriver) -> None:
    import sqlalchemy as sa
    from alembic import command

    from bot.migrate import alembic_config
    from models.workspace import Workspace

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    command.downgrade(cfg, "0010")
    from models.base import UTCDateTime, utcnow

    columns = ("workspace_id", "name", "name_key")
    stamps = (sa.column("created_at", UTCDateTime()), sa.column("updated_at", UTCDateTime()))
    old = sa.table("supplier", *map(sa.column, columns), sa.column("certs", sa.JSON), *stamps)
    with engine.begin() as conn:
        ws = [
            conn.execute(
                sa.insert(Workspace).values(platform="console", external_id=t).returning(Workspace.id)
            ).scalar()
            for t in ("T-A", "T-B")
        ]
        for workspace_id, name in ((ws[0], "one"), (ws[1], "uno"), (ws[0], "two")):
            now = utcnow()
            row = {"workspace_id": workspace_id, "name": name, "name_key": name, "certs": []}
            conn.execute(sa.insert(old).values(**row, created_at=now, updated_at=now))
    command.upgrade(cfg, "head")
    with Session(engine) as db:
        numbers = {(s.workspace_id, s.name): s.key for s in db.exec(select(Supplier))}
    assert numbers == {(ws[0], "one"): "SUP-1", (ws[0], "two"): "SUP-2", (ws[1], "uno"): "SUP-1"}
    team_a = ConsoleDriver(console.console.runtime, user="ana", team="T-A")
    assert "Supplier SUP-3 three added" in team_a.send("/supplier add three")
