"""Chinese output holds no English left over: every reply kind the handlers build (each card of
handlers/*/cards.py and the shared message, usage and help replies), driven by a command typed in a
zh-CN console session, shows no English words beyond names, codes and keys; CSV exports name their
columns and statuses in Chinese; a digest previewed in an English channel says "preview" in the
asker's language; counts read right in English (1 unit, 2 units)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from bot.render.text import TextRenderer
from bot.render.viewer import Viewer
from bot.runtime import Runtime
from handlers.digest import cards as digest_cards
from handlers.risks import cards as risk_cards
from handlers.standup import cards as standup_cards
from models.risks.risk import Risk
from tests.support.console import ConsoleDriver

HANDLERS = Path(__file__).resolve().parents[2] / "handlers"
KIND = re.compile(r"Reply\(\s*\"(\w+)\"")
# Kinds the console cannot be made to print: they are sent by the clock process, not in answer to a line.
# They are drawn here from their card functions instead.
BY_THE_CLOCK = {
    "standup_reminder": lambda: standup_cards.reminder_reply("console", "09:30", "Asia/Shanghai", 30),
    "risk_review_due": lambda: risk_cards.review_due_reply(
        Risk(
            workspace_id=1,
            key="RISK-1",
            title="美元兑人民币波动",
            category="fx",
            likelihood=4,
            impact=4,
            score=16,
            band="high",
            next_review=date(2026, 12, 1),
        ),
        today=date(2026, 12, 3),
    ),
    "digest_unreachable": lambda: digest_cards.unreachable_reply("console", None),
}
# Words that stay as they are in Chinese text: product and platform names, units, statistics.
KEPT = {
    "tradewind", "amazon", "shopee", "shopify", "temu", "tiktok", "lazada", "rakuten", "mercado", "ebay", "etsy",
    "walmart", "otto", "zalando", "allegro", "coupang", "slack", "lark", "feishu", "lucid", "verpackg", "elektrog",
    "impressum", "widerrufsrecht", "dsgvo", "kg", "cm", "cbm", "oz", "pp", "pt", "ft", "csv", "png", "sku", "moscow",
    "paypal", "klarna", "sofort", "giropay", "alipay", "wechat", "konbini", "paypay", "gcash", "line", "kakao",
    "naver", "yahoo", "qoo", "google", "apple", "pay", "fba", "fbm", "cif", "fob", "vat", "hs", "ior", "ddp",
}  # fmt: skip


# Words typed as they are: option values, default arm names, category and size-tier keys, console words.
TYPED = {
    "none", "value", "key", "on", "off", "admins", "approvers", "members", "en", "zh", "full", "more",
    "control", "variant", "conversion", "beauty", "clothing", "electronics", "everything", "else", "home",
    "kitchen", "jewelry", "sports", "toys", "standard", "bulky", "small", "large", "oversize", "shein", "own",
    "sie", "kauf", "auf", "rechnung", "prime", "default", "authorization", "bearer",
    "date", "visitors", "conversions", "market",
}  # fmt: skip


def reply_kinds() -> set[str]:
    """Every reply kind a handler builds (the cards of handlers/*/cards.py among them), less `silent`."""
    found = {kind for path in HANDLERS.rglob("*.py") for kind in KIND.findall(path.read_text())}
    found |= {"message"}  # Reply.message
    return found - {"silent"}


def english_words(text: str) -> list[str]:
    """English words left in Chinese output, once names, codes, keys, commands and links are taken out."""
    text = "\n".join(line for line in text.splitlines() if "://" not in line)  # a source cited by its link
    text = re.sub(r"(?<!\w)/\w+(?:/\w+)+", " ", text)  # URL paths
    text = re.sub(r"(?<![\w/])/[a-z][\w\-]*(?: [\x21-\x7e]+)*", " ", text)  # commands and what they take
    text = re.sub(
        r"[\w.\-]+/[\w.\-/]+\.\w+|(?<!\w)/\w+(?:/\w+)+|\b[A-Z][a-z]+/[A-Z][\w/+\-]+", " ", text
    )  # files, time zones
    text = re.sub(r"[\w.\-]+=\S*", " ", text)  # key=value
    text = re.sub(r"[@#][\w.\-]+", " ", text)  # people and channels
    text = re.sub(r"\b[A-Za-z]+[-_.][\w.\-]*\w", " ", text)  # keys and figures: REQ-1, fx.USDCNY, SH-BOTTLE-500
    words = re.findall(r"[A-Za-z]+", text)
    return [w for w in words if len(w) > 1 and not w.isupper() and w.lower() not in KEPT | _typed_words()]


def _typed_words() -> set[str]:
    """What a person types as it is, in any language: option keys (market=, owner=) and their words."""
    from handlers import REGISTRY

    words = {word for spec in REGISTRY.commands for key in spec.keys for word in re.findall(r"[a-z]+", key)}
    return words | TYPED


def test_a_zh_export_names_columns_and_statuses_in_chinese(
    console: ConsoleDriver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    console.send("/pm lang zh")
    console.send('/req add 德国站尺码表 market=DE ac="覆盖全部 SKU" desc="减少退货"')
    console.send("/req add 日本包邮")
    console.send("/req status REQ-2 triaged")
    assert "已保存到" in console.send("/req export")
    console.send("/pm lang en")
    console.send("/req export")
    zh_file, en_file = sorted((tmp_path / "tradewind-files").iterdir(), key=lambda p: p.stat().st_mtime_ns)
    zh = pd.read_csv(zh_file, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(zh.columns)[:4] == ["编号", "标题", "状态", "市场"]
    assert "验收标准" in zh.columns and "描述" in zh.columns
    assert sorted(zh["状态"]) == sorted(["新建", "已评估"])
    assert set(zh["验收标准"]) == {"覆盖全部 SKU", ""}
    en = pd.read_csv(en_file, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(en.columns)[:4] == ["key", "title", "status", "markets"]  # English files keep their names
    assert sorted(en["status"]) == ["new", "triaged"]


def test_the_preview_note_is_in_the_askers_language(console: ConsoleDriver) -> None:
    console.send("/req add something")
    console.send("/pm lang zh")
    out = console.send("/digest preview")  # the channel's digest is in English, the note to the asker in Chinese
    assert "👀 预览，仅你可见。" in out and "Preview, only you can see it." not in out
    assert "Standup digest" in out
    console.send("/pm lang en")
    console.send("/digest lang zh")
    out = console.send("/digest preview")
    assert "👀 Preview, only you can see it." in out and "站会日报" in out


@pytest.mark.parametrize(
    ("key", "params", "expected"),
    [
        ("cost.carton", {"dims": "60×40×40", "weight": "12", "units": 1}, "carton 60×40×40 cm, 12 kg, 1 unit"),
        ("cost.carton", {"dims": "60×40×40", "weight": "12", "units": 24}, "carton 60×40×40 cm, 12 kg, 24 units"),
        ("cost.mpf.within", {"units": 1, "since": "FY2026"}, "(an entry of 1 unit) · CBP FY2026"),
        ("approval.submitted_all", {"key": "REQ-1", "count": 1}, "all 1 approver must approve"),
    ],
)
def test_counts_go_through_the_catalogue_plurals(key: str, params: dict, expected: str) -> None:
    from bot.i18n import catalog

    found = catalog()
    assert expected in found.fill(key, found.template("en", key), params)


SESSION: list[str | tuple[str, ...]] = [
    "/pm lang zh",
    "/pm tz Asia/Shanghai",
    "/pm me",
    "/pm help",
    "/req help",
    "/req 无此命令",
    "/as @sam",
    "/pm lang zh",
    "/as @mei",
    "/pm role @sam approver",
    "/pm role",
    "/pm settings",
    "/pm markets US=0.5 DE=0.3 JP=0.2",
    "/pm fx USDCNY 7.18",
    "/pm fx EURCNY 7.8",
    "/pm fx",
    "/pm figure fx.USDCNY 7.2",
    "/pm figure",
    '/req add 德国站尺码表 market=DE ac="覆盖全部 SKU" desc="减少退货" due=2020-01-01',
    "/req add 日本包邮 market=JP",
    "/req list",
    "/req search 尺码",
    "/req show REQ-1",
    "/req edit REQ-1 owner=@sam",
    "/score REQ-1 reach=4000 impact=2 confidence=80 effort=1.5",
    "/score REQ-2 ice=8,7,6",
    "/score history REQ-1",
    "/score top",
    "/req submit REQ-1 @sam",
    "/as @sam",
    "1",
    "/as @mei",
    "/pm audit REQ-1",
    '/risk add "美元兑人民币波动" category=fx likelihood=4 impact=4',
    "/risk list",
    "/risk show RISK-1",
    "/risk mitigate RISK-1 锁定汇率 owner=@mei due=2027-01-10",
    "/risk matrix",
    "/risk playbook fx",
    "/risk watch RISK-1 fx.USDCNY above 7.3",
    "/pm fx USDCNY 7.4",
    "/pm figure token",
    '/exp add "德国主图" metric=conversion baseline=3.2% mde=10%',
    "/exp start EXP-1",
    "/exp result EXP-1 control=41200/1318 variant=40900/1432",
    "/exp list",
    "/exp result EXP-1 control=10/1 variant=1000/40",
    '/exp add "日本首页" metric=conversion baseline=3% mde=10%',
    "/exp result EXP-2 file=bad.csv",
    "/cost add 水杯 purchase=23.50 currency=CNY weight=0.42kg dims=30x20x5cm",
    "/cost lane 水杯 market=DE channel=sea freight=38/kg duty=4.7% price=24.99",
    "/cost show 水杯",
    "/cost price 水杯 market=DE margin=25%",
    "/cost what-if 水杯 fx=-5% freight=+30%",
    "/cost list",
    "/cost fees US",
    "/cost vat",
    '/supplier add "深圳宏达" category=包装 city=深圳 lead_days=30',
    '/supplier add "义乌百货" city=义乌',
    "/supplier score SUP-1 quality=4 certification=5 capacity=3 lead_time=4 return_rate=2 service=4",
    "/supplier weights",
    "/supplier compare SUP-1 SUP-2",
    "/supplier show SUP-1",
    "/supplier list",
    "/market add DE",
    "/market show DE",
    "/market list",
    "/market check REQ-1 DE",
    "/digest schedule 09:30 Asia/Shanghai weekdays",
    "/digest show",
    "/digest lang zh",
    "/standup y: 上架 t: 广告 b: 等供应商报价",
    '/standup questions "昨天上架了什么？" | "今天做什么？"',
    "/digest preview",
    "/digest now",
]


def test_every_reply_kind_in_chinese_holds_no_english(runtime: Runtime, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.csv").write_text("date,arm,visitors,conversions\n2026-03-01,control,很多,3\n")
    console = ConsoleDriver(runtime)
    leftovers: dict[str, list[str]] = {}
    for step in SESSION:
        line, *answers = step if isinstance(step, tuple) else (step,)
        out = console.send(line, *answers)
        if line != "/as @sam" and (words := english_words(out)):
            leftovers[line] = words
    assert leftovers == {}
    shown = set(console.console.kinds_drawn)
    assert reply_kinds() - shown - set(BY_THE_CLOCK) == set()


@pytest.mark.parametrize("kind", sorted(BY_THE_CLOCK))
def test_what_the_clock_sends_in_chinese_holds_no_english(kind: str) -> None:
    reply = BY_THE_CLOCK[kind]()
    assert reply.kind == kind
    shown = TextRenderer().message(reply, Viewer("zh-CN", "Asia/Shanghai"))
    assert shown and english_words(shown) == []
