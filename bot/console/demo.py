"""A believable cross-border seller's backlog for `tradewind console --demo`.

Seeded through the runtime, as a team would have typed it, so that the audit log is real. It lives in
a workspace of its own, so it loads on any database whatever has been typed in the console before, and
it appears whole or not at all: it is typed into a hidden workspace that takes the demo's name only
once every line has been accepted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.console.repl import CONSOLE_CHANNEL, canonical
from bot.db import session_scope
from bot.render.text import TextRenderer
from bot.render.viewer import Viewer
from bot.runtime import Caller, Runtime
from handlers.core.reply import Reply, Text
from models.workspace import Workspace

DEMO_TEAM = "demo"
DEMO_USER = "mei"  # the demo's PM and its admin; `/as @sam` acts as its approver


@dataclass
class DemoRefused(Exception):
    """A line of the script was refused: the demo was not loaded (nothing of it is visible)."""

    line: str
    answer: str


# (who types it, the command). A home-and-kitchen brand from Shenzhen selling on Amazon, Shopee,
# TikTok Shop, Temu and its own Shopify store into the US, EU, UK, Japan and South-East Asia.
SCRIPT: tuple[tuple[str, str], ...] = (
    ("mei", "/pm lang zh"),
    (
        "mei",
        '/req add 德国站 A+ 页面本地化 market=DE platform=amazon metric="DE 转化率 +8%" '
        'ac="德语母语审校；尺寸改用 cm/kg；A+ 模块 5 个" due=+3w owner=@mei',
    ),
    (
        "sam",
        '/req add "US listing: FCC ID in images and bullets" market=US platform=amazon '
        'metric="Listing suppression rate 0" ac="FCC ID visible on main image 7 and bullet 5" due=+1w owner=@sam',
    ),
    (
        "mei",
        "/req add Shopee 9.9 大促预热组合装 market=SG,MY,TH platform=shopee "
        'metric="大促 GMV ≥ ¥300k" ac="组合装 SKU 上架；优惠券叠加规则验证" due=+2w owner=@li',
    ),
    (
        "ana",
        '/req add "TikTok Shop UK: short-video product cards" market=GB platform=tiktok '
        'metric="Video-attributed orders 25%" desc="Creators post from the UK warehouse stock only" owner=@ana',
    ),
    ("li", '/req add 日本站包邮门槛调整到 3,500 日元 market=JP platform=amazon metric="AOV +12%" due=+4w'),
    (
        "sam",
        '/req add "Temu US semi-managed: price band check before listing" market=US platform=temu '
        'metric="Listings rejected for price 0"',
    ),
    (
        "ana",
        '/req add "Own store: VAT-inclusive checkout for the EU (OSS)" market=DE,FR,IT,ES,NL platform=shopify '
        'ac="Prices shown incl. VAT per country; OSS report exportable" due=+6w owner=@ana',
    ),
    (
        "mei",
        '/req add 德国服装尺码表减少退货 market=DE platform=amazon metric="DE 退货率 12% → 8%" owner=@mei',
    ),
    (
        "li",
        '/req add "Thailand COD failure dashboard" market=TH platform=lazada metric="COD failed delivery < 10%"',
    ),
    (
        "sam",
        '/req add "Smaller carton to drop one FBA size tier" market=US,GB,DE platform=amazon '
        'metric="FBA fee −$0.61/unit" ac="Drop test passes; dims ≤ 33×23×5 cm"',
    ),
    ("ana", '/req add "GDPR cookie consent on the own store" market=DE,FR platform=shopify due=+2w'),
    ("li", '/req add 墨西哥站上线：美客多西语 listing market=MX platform=mercadolibre metric="首月 300 单"'),
    ("mei", "/pm role @sam approver"),
    ("mei", "/pm role @ana approver"),
    ("mei", "/pm markets US=0.45 DE=0.2 GB=0.1 JP=0.1 SG=0.05 MY=0.05 TH=0.05"),
    ("mei", "/score REQ-1 reach.DE=1800 impact=2 confidence=80 effort=1 moscow=must ice=7,8,8"),
    ("sam", "/score REQ-2 reach=6000 impact=massive confidence=100 effort=0.5 moscow=must"),
    ("mei", "/score REQ-3 reach.SG=2500 reach.MY=2000 reach.TH=1500 impact=1 confidence=80 effort=1.5 moscow=should"),
    ("li", "/score REQ-5 reach=1200 impact=1 confidence=50 effort=0.5 moscow=could ice=5,6,9"),
    ("ana", "/score REQ-7 reach=9000 impact=0.5 confidence=80 effort=3 moscow=must"),
    ("mei", "/score REQ-8 reach=2400 impact=2 confidence=80 effort=2 moscow=should"),
    ("mei", "/req status REQ-1 triaged"),
    ("mei", "/req status REQ-1 approved"),
    ("mei", "/req status REQ-1 in_progress"),
    ("sam", "/req status REQ-2 triaged"),
    ("sam", "/req status REQ-2 approved"),
    ("sam", "/req status REQ-2 in_progress"),
    ("sam", "/req status REQ-2 shipped"),
    ("mei", "/req status REQ-3 triaged"),
    ("ana", "/req status REQ-7 triaged"),
    ("ana", "/req status REQ-7 approved"),
    ("li", "/req status REQ-9 parked"),
    ("mei", "/req status REQ-8 triaged"),
    ("mei", "/req submit REQ-8 @sam @ana"),
    ("mei", "/pm fx USDCNY 7.18"),
    ("mei", "/pm fx EURCNY 7.62"),
    ("mei", "/pm fx JPYCNY 0.0478"),
    (
        "mei",
        '/risk add "USD/CNY swing eats the US margin" category=fx likelihood=3 impact=4 owner=@mei '
        "market=US exposure=180000 currency=USD req=REQ-2",
    ),
    (
        "sam",
        '/risk add "Section 301 tariff change on HS 3924" category=tariff likelihood=2 impact=5 owner=@sam '
        "market=US review=weekly",
    ),
    ("li", "/risk add 红海绕行导致欧线海运延误 category=logistics likelihood=4 impact=3 owner=@li market=DE,FR,IT,ES"),
    (
        "ana",
        '/risk add "Amazon DE requires EPR registration numbers" category=platform likelihood=3 impact=3 '
        "owner=@ana market=DE",
    ),
    ("mei", "/risk mitigate RISK-3 预订中欧班列备用舱位 owner=@li due=+1w"),
    ("mei", "/pm figure fx.USDCNY 7.18"),
    ("mei", "/risk watch RISK-1 fx.USDCNY below 7.05"),
    ("mei", "/cost add SH-BOTTLE-500 purchase=23.50 currency=CNY weight=0.42kg dims=30x20x8cm"),
    (
        "mei",
        "/cost lane SH-BOTTLE-500 market=DE channel=sea freight=1200/cbm duty=4.7% vat=19% referral=15% "
        "fulfilment=3.40 storage=0.12 ads=8% returns=6% price=24.99",
    ),
    (
        "mei",
        "/cost lane SH-BOTTLE-500 market=US channel=air freight=38/kg duty=3.4% referral=15% "
        "fulfilment=3.86 storage=0.10 ads=10% returns=4% price=19.99",
    ),
    ("li", "/supplier add 义乌恒达塑料 category=kitchen city=义乌 lead_days=18 certs=LFGB,FDA"),
    ("li", "/supplier add 宁波佳美家居 category=kitchen city=宁波 lead_days=25 certs=LFGB"),
    ("li", "/supplier score 义乌恒达塑料 quality=4 certification=5 capacity=4 lead_time=4 return_rate=3 service=4"),
    ("li", "/supplier score 宁波佳美家居 quality=4 certification=4 capacity=5 lead_time=3 return_rate=4 service=3"),
    (
        "ana",
        '/exp add "DE main image with lifestyle photo" metric=conversion market=DE req=REQ-1 baseline=3.2% '
        "mde=10% traffic=4000/day",
    ),
    ("ana", "/exp start EXP-1"),
    ("ana", "/exp result EXP-1 control=41200/1318 variant=40900/1432"),
    ("mei", "/digest schedule 09:30 Asia/Shanghai weekdays market=US,DE,JP"),
    ("sam", "/standup y: FCC 标签已更新 t: Temu 价格带核对 b: none"),
    ("li", "/standup y: 对接中欧班列报价 t: 泰国 COD 看板 b: 海运舱位还没确认"),
)


def demo_loaded(runtime: Runtime) -> bool:
    with session_scope(runtime.engine) as db:
        query = select(Workspace.id).where(Workspace.platform == "console", Workspace.external_id == DEMO_TEAM)
        return db.exec(query).first() is not None


def seed_demo(runtime: Runtime, script: tuple[tuple[str, str], ...] = SCRIPT) -> bool:
    """Load the demo workspace once; False when it is already there. Raises DemoRefused."""
    if demo_loaded(runtime):
        return False
    staging = f"{DEMO_TEAM}-loading-{uuid.uuid4().hex[:12]}"
    for user, line in script:
        caller = Caller("console", staging, user, user_name=user, channel_ref=CONSOLE_CHANNEL)
        root, _, rest = line.lstrip("/").partition(" ")
        outcome = runtime.command(caller, root, canonical(rest))
        if _refused(outcome.reply):
            raise DemoRefused(line, TextRenderer().message(outcome.reply, Viewer("en", "UTC")))
    try:
        with session_scope(runtime.engine) as db:
            workspace = db.exec(
                select(Workspace).where(Workspace.platform == "console", Workspace.external_id == staging)
            ).one()
            workspace.external_id = DEMO_TEAM
            workspace.name = "Tradewind demo"
            db.add(workspace)
    except IntegrityError:
        return False  # another console loaded it at the same moment
    runtime.forget_people()
    return True


def _refused(reply: Reply) -> bool:
    """Bad input, or the database or the code failed (those answer with a common message)."""
    summary = reply.card.summary if reply.card else None
    failed = isinstance(summary, Text) and summary.key in ("common.internal_error", "common.unavailable")
    return reply.kind == "usage" or failed
