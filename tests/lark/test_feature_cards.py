"""Every reply of the risks, economics, experiments, scoring and approvals, and digest features drawn as a
Lark card, in English and in Chinese, from what the real handlers return to a Lark user; and the long replies
at their size limits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from bot.i18n import catalog
from bot.lark import inputs
from bot.render.lark import LarkRenderer
from bot.render.lark_card import MAX_CARD_BYTES, card_bytes, check_card
from bot.render.viewer import Viewer
from bot.runtime import Caller, Runtime
from handlers.core.reply import Attachment, DirectMessage, PostToChannel, Reply, UpdateTracked
from handlers.costs import cards as cost_view
from handlers.digest import cards as digest_cards
from handlers.risks import cards as risk_cards
from handlers.risks.reviews import remind_overdue_reviews
from handlers.scoring import cards as scoring_view
from handlers.standup import commands as standup
from handlers.suppliers import cards as supplier_cards
from models.approvals.approval import Approval
from models.costs.cost import Sku
from models.costs.queries import SkuPage
from models.digest.schedule import DigestChannel, Schedule
from models.experiments.experiment import Experiment
from models.requirements.requirement import Requirement, RequirementView
from models.risks.indicator import Figure
from models.risks.queries import FigurePage
from models.scoring.queries import HistoryPage
from models.scoring.ranking import By, Ranked, RankedPage
from models.scoring.rice import Budget
from models.scoring.score import ScoreEntry
from models.suppliers.queries import Compared, Scored
from models.suppliers.supplier import CRITERIA, Supplier, SupplierScore
from tests.experiments.data import daily_csv
from tests.support.lark_requests import buttons, card_text

ANA = Caller(platform="lark", team_ref="tenant_acme", user_ref="ou_ana", channel_ref="oc_product")
LI = Caller(platform="lark", team_ref="tenant_acme", user_ref="ou_li", channel_ref="oc_product")
PEOPLE = {"li": "ou_li"}
BROKEN = ("Something went wrong", "出了点问题")

SCRIPT = (
    "/pm fx EURCNY 7.82",
    "/pm fx",
    "/cost add TEE-01 purchase=23.50 currency=CNY weight=0.42kg dims=30x20x5cm",
    "/cost lane TEE-01 market=DE channel=sea freight=1200/cbm duty=12% vat=19% referral=15% fulfilment=3.40 "
    "storage=0.12 ads=8% returns=6% price=24.99",
    "/cost lane TEE-01 market=GB channel=sea freight=1200/cbm duty=0% price=9.99",
    "/cost show TEE-01",
    "/cost price TEE-01 market=DE margin=25%",
    "/cost price TEE-01 market=GB margin=25%",
    "/cost what-if TEE-01 fx=-10% freight=+30%",
    "/cost list",
    "/pm fx USDCNY 7.20",
    "/cost lane TEE-01 market=US channel=sea freight=0.90/unit freight_currency=USD duty=3.9% section301=25% "
    "additional=10% insurance=0.3% entry_units=200 after_arrival=10% category=clothing returns=5% price=19.99",
    "/cost vat not-reclaimed",
    "/cost show TEE-01 market=DE",
    "/cost vat reclaimed days=45",
    "/cost fees US referral.clothing=12%",
    "/supplier add 宏达 category=服装 city=深圳 lead_days=25 defects=3/200 certs=CE "
    'note="<b>x</b> & [link](http://x) **y**"',
    "/supplier score 宏达 quality=4 certification=5 capacity=3 lead_time=4 return_rate=2 service=4",
    "/supplier add 星达 city=义乌",
    "/supplier score 星达 quality=3 certification=3 capacity=5 lead_time=5 return_rate=4 service=3",
    "/supplier weights",
    "/supplier compare 宏达 星达",
    "/supplier link 宏达 sku=TEE-01 role=backup",
    "/supplier show 宏达",
    "/supplier list",
    "/market list",
    "/market add BR",
    '/market item add BR "Portuguese (pt-BR) labels" optional',
    "/market show FR",
    "/req add 德国站 T 恤 market=DE",
    "/market check REQ-1 DE",
    "/risk add Yantian port congestion category=logistics likelihood=4 impact=4 market=US exposure=USD120000",
    "/risk add small category=quality likelihood=1 impact=3",
    "/risk mitigate RISK-1 book a second forwarder",
    "/risk watch RISK-1 fx.USDCNY above 7.3",
    "/risk show RISK-1",
    "/risk list",
    "/risk matrix",
    "/risk playbook fx",
    "/pm figure fx.USDCNY 7.5",
    "/pm figure",
    "/pm figure token",
    "/exp add DE title test metric=conversion market=DE baseline=3% mde=10% traffic=4000/day",
    "/exp result EXP-1 control=10000/330 variant=10000/300",
    "/exp status EXP-1",
    "/exp list",
    "/score REQ-1 reach=4000 impact=2 confidence=80 effort=1.5",
    "/score REQ-1 ice=8,7,6",
    "/score REQ-1 moscow=must",
    "/score history REQ-1",
    "/pm markets US=0.5 DE=0.3 JP=0.2",
    "/score top by=weighted",
    "/pm role @li approver",
    "/pm role",
    "/pm me",
    "/req submit REQ-1 @li",
    "/pm home",
    "/pm audit REQ-1",
    "/digest schedule 09:30 Asia/Shanghai weekdays",
    "/digest remind 30",
    "/standup y: listed the <b>new</b> SKU t: A+ page b: waiting on the **supplier**",
    "/digest preview",
    "/digest now",
)


def replies_in(reply: Reply) -> Iterator[Reply]:
    yield reply
    for effect in reply.effects:
        if isinstance(effect, PostToChannel | UpdateTracked | DirectMessage):
            yield from replies_in(effect.reply)
        if isinstance(effect, PostToChannel):
            for threaded in effect.thread:
                yield from replies_in(threaded)


def run(runtime: Runtime, line: str) -> Reply:
    """As the Lark front end runs a typed line (bot/lark/app.py on_message), `@li` a mention of li."""
    mentions = []
    for name, open_id in PEOPLE.items():
        if f"@{name}" in line:
            key = f"@_user_{len(mentions) + 1}"
            mentions.append({"key": key, "id": {"open_id": open_id}, "name": name})
            line = line.replace(f"@{name}", key)
    typed, _ = inputs.canonical(line, mentions, bot_open_id=None)
    root, rest = inputs.split_command(typed)
    return runtime.command(ANA, root, rest).reply


def every_reply(runtime: Runtime, engine) -> list[Reply]:
    found: list[Reply] = []
    for line in SCRIPT:
        reply = run(runtime, line)
        assert reply.kind != "usage", (line, reply.card)
        found += replies_in(reply)
    with Session(engine) as db:
        experiment_id = db.exec(select(Experiment.id)).one()
    bad = daily_csv(days=1, markets=("DE",)) + "2026-03-02,variant,DE,100,300\n"
    problems = runtime.action(
        ANA, "experiment.file", {"id": experiment_id}, files=(Attachment("bad.csv", bad.encode()),)
    )
    found += replies_in(problems.reply)
    with Session(engine) as db:  # a year on, the review of RISK-1 is overdue: its owner is told
        deliveries = remind_overdue_reviews(db, datetime.now(UTC) + timedelta(days=365))
        db.commit()
    for delivery in deliveries:
        assert isinstance(delivery.effect, DirectMessage)
        found += replies_in(delivery.effect.reply)
    with Session(engine) as db:
        approval_id = db.exec(select(Approval.id)).one()
    found += replies_in(runtime.action(LI, "approval.approve", {"id": approval_id}).reply)
    later = datetime.now(UTC) + timedelta(days=3)
    with Session(engine) as db:  # days later, before a digest: ana has not answered since the last one
        settings = db.exec(select(DigestChannel)).one()
        reminders = standup.reminders(db, settings, Schedule.of(settings).next_slot(later), later)
    assert reminders
    found += [m.reply for m in reminders]
    found.append(digest_cards.unreachable_reply("oc_product", "lark"))  # as bot/digest_poster.py tells its owner
    return found


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_every_feature_reply_is_drawn_as_a_valid_card(runtime: Runtime, engine, lang: str) -> None:
    renderer = LarkRenderer()
    drawn: set[str] = set()
    for reply in every_reply(runtime, engine):
        if reply.kind == "silent":
            continue
        card = renderer.card(reply, Viewer(lang, "Asia/Shanghai"))
        check_card(card)
        text = card_text(card)
        assert text.strip() and card["config"]["summary"]["content"], reply.kind
        assert not any(b in text for b in BROKEN), (reply.kind, text)
        drawn.add(reply.kind)
    assert {"req_card", "approval_card", "person_notice", "roles", "me", "digest_preview"} <= drawn


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_no_card_speaks_of_slack(runtime: Runtime, engine, lang: str) -> None:
    """Messages that every front end shows are worded for any chat: no Slack, no /invite."""
    renderer = LarkRenderer()
    replies = every_reply(runtime, engine)
    console_only = run(runtime, "/exp result EXP-1 file=./daily.csv")  # a console-only option, typed in Lark
    assert console_only.kind == "usage" and console_only.card.summary.key == "exp.result.file_console_only"
    for reply in [*replies, console_only]:
        if reply.kind != "silent":
            text = card_text(renderer.card(reply, Viewer(lang)))
            assert not any(word in text for word in ("Slack", "/invite", "消息串")), (reply.kind, text)


def test_user_text_is_shown_as_typed_not_as_markdown(runtime: Runtime, engine) -> None:
    shown = ""
    for reply in every_reply(runtime, engine):
        if reply.kind == "supplier_card":
            shown = card_text(LarkRenderer().card(reply, Viewer("en")))
    assert "&#60;b&#62;x&#60;/b&#62; &#38; &#91;link&#93;(http://x) &#42;&#42;y&#42;&#42;" in shown
    assert "<b>" not in shown and "[link]" not in shown


# Lists that can hold hundreds of rows are paged: a page at its largest fits, and says where it is.
LONG_NAME = "长" * 120


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_the_largest_page_of_skus_fits_and_says_where_it_is(lang: str) -> None:
    """SKUs are paged: a page of the longest codes, each sold in thirty markets, is one valid card that
    holds every SKU of the page and says which of how many they are."""
    skus = [
        (Sku(id=n, workspace_id=1, code="码" * 60 + f"{n:04}", code_key="", purchase=Decimal("123456.78"),
             purchase_currency="CNY"), ["DE"] * 30)
        for n in range(cost_view.PAGE_SIZE)
    ]  # fmt: skip
    reply = cost_view.list_page(SkuPage(skus, total=400, more=True), page=2)
    card = LarkRenderer().card(reply, Viewer(lang))
    check_card(card)
    assert card_bytes(card) <= MAX_CARD_BYTES
    text = card_text(card)
    assert text.count("码" * 60) == cost_view.PAGE_SIZE  # a page is never cut: the next one starts after it
    first, last = cost_view.PAGE_SIZE + 1, 2 * cost_view.PAGE_SIZE
    assert catalog().t(lang, "common.page", first=first, last=last, total=400) in text
    labels = [b["text"]["content"] for b in buttons(card)]
    assert labels == [catalog().t(lang, "common.prev_page"), catalog().t(lang, "common.next_page")]


def compared(name: str) -> Compared:
    suppliers = [
        Scored(
            Supplier(id=n, workspace_id=1, name=name, name_key=f"{n}", category="类" * 60, city="城" * 60,
                     lead_days=30, defects=3, batch=200, certs=["CE", "FCC", "证" * 24]),
            SupplierScore(workspace_id=1, supplier_id=n, quality=4, certification=4, capacity=4, lead_time=4,
                          return_rate=4, service=4),
        )
        for n in range(1, 11)
    ]  # fmt: skip
    return Compared(suppliers, {c: Decimal("0.2") for c in CRITERIA})


def test_the_figures_at_their_largest_are_paged_and_say_how_many_there_are() -> None:
    """405 figures with the longest names: a page of them fits one card, which says which ones it holds."""
    now = datetime(2026, 1, 2, tzinfo=UTC)
    figures = [
        Figure(workspace_id=1, key=f"fx.{n:03}", name="fx." + "A" * 74 + f"{n:03}", value=Decimal("7.4100"),
               source="http", updated_at=now)
        for n in range(risk_cards.FIGURE_PAGE_SIZE)
    ]  # fmt: skip
    reply = risk_cards.figure_page_reply(FigurePage(figures, 405, True), page=1)
    card = LarkRenderer().card(reply, Viewer("zh-CN"))
    check_card(card)
    assert card_bytes(card) <= MAX_CARD_BYTES
    rows = [line for line in card_text(card).split("\n") if line.startswith("`")]
    assert 20 < len(rows) == risk_cards.FIGURE_PAGE_SIZE < 405
    assert catalog().t("zh-CN", "common.page", first=1, last=len(rows), total=405) in card_text(card)
    assert [b.label.key for b in reply.buttons] == ["common.next_page"]


def test_ten_suppliers_with_long_names_compare_inside_30_kb() -> None:
    """Ten suppliers of 120-character names: every card within Lark's limits, and nothing cut."""
    reply = Reply("supplier_compare", card=supplier_cards.compare_card(compared(LONG_NAME)))
    cards = LarkRenderer().cards(reply, Viewer("zh-CN"))
    for card in cards:
        check_card(card)
        assert card_bytes(card) <= MAX_CARD_BYTES
    text = "\n".join(card_text(card) for card in cards)
    assert text.count("4 ★") == 10 * len(CRITERIA) and text.count(LONG_NAME) == 10 + 10 * len(CRITERIA)
    # Names of a usual length compare in one card.
    usual = Reply("supplier_compare", card=supplier_cards.compare_card(compared("深圳宏达服装有限公司" * 2)))
    check_card(LarkRenderer().card(usual, Viewer("zh-CN")))


WHO = {"ref": "ou_" + "a" * 30, "name": "ana"}
ANGLES = "<" * 1000


def largest_score_pages() -> dict[str, Reply]:
    """The ranked backlog and a page of score history at their largest, with titles that markdown
    escaping makes five times longer, drawn by the scoring views."""
    now = datetime(2026, 1, 2, tzinfo=UTC)
    owner = (WHO["ref"], WHO["name"])
    items = [Ranked(n, n, f"REQ-{n}", ANGLES, "triaged", Decimal("1234567.8"), "must", owner) for n in range(1, 51)]
    budget = Budget(Decimal(7), Decimal(10), 3)
    ranked = RankedPage(items, total=1000, capped=True, more=True, budget=budget, weight=None)
    top = scoring_view.top_reply(ranked, by=By.RICE, market=None, size=50, offset=0)
    split = {f"M{n}": 1000 for n in range(30)}
    inputs = {"reach": 30000, "impact": "2", "confidence": 80, "effort": "1.5", "by_market": split}
    entries = [
        ScoreEntry(id=n, workspace_id=1, requirement_id=1, actor_id=1, method="rice", inputs=inputs,
                   value="4266.6667", at=now)
        for n in range(scoring_view.HISTORY_PAGE_SIZE)
    ]  # fmt: skip
    page = HistoryPage(entries, total=1000, offset=0, people={1: owner})
    view = RequirementView(Requirement(id=1, workspace_id=1, number=1, title="长" * 200, requester_id=1), ("DE",))
    history = scoring_view.history_reply(view, page)
    return {"score_top": top, "score_history": history}


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
@pytest.mark.parametrize("kind", ["score_history", "score_top"])
def test_the_largest_score_pages_fit_one_card_whole(kind: str, lang: str) -> None:
    reply = largest_score_pages()[kind]
    card = LarkRenderer().card(reply, Viewer(lang, "Asia/Shanghai"))  # one card: raises if it needs two
    check_card(card)
    assert card_bytes(card) <= MAX_CARD_BYTES
    text = card_text(card)
    if kind == "score_top":
        assert text.count("**REQ-") == 50  # a page is never cut: the next page starts after it
    else:
        assert text.count("**RICE 4,266.7**") == scoring_view.HISTORY_PAGE_SIZE  # the whole page
        assert catalog().t(lang, "common.page", first=1, last=20, total=1000) in text
    assert [b["text"]["content"] for b in buttons_of(card)] == [catalog().t(lang, "common.next_page")]


def buttons_of(card: dict) -> list[dict]:
    rows = [e for e in card["body"]["elements"] if e.get("tag") == "column_set" and e.get("flex_mode") == "flow"]
    return [c["elements"][0] for row in rows for c in row["columns"]]
