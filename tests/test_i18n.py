"""Every user-visible string exists in en and zh-CN, with the same placeholders."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from bot.i18n import Catalog, catalog
from bot.render.lark import LarkRenderer
from bot.render.slack import SlackRenderer
from bot.render.text import TextRenderer
from bot.render.viewer import Viewer
from handlers.core.reply import Text

ROOT = Path(__file__).resolve().parent.parent
KEY_LITERAL = re.compile(
    r"""(?:Text|UsageError|FieldError|message)\(\s*(?:[a-z_]+,\s*)?f?["']([a-z_]+\.[a-z_.]+)["']"""
)


def placeholders(template: str) -> set[str]:
    """The {name} fields a message fills (its {% %} word choices set aside)."""
    plain = re.sub(r"\{%.*?%\}", "", template)
    return {name for _, name, _, _ in string.Formatter().parse(plain) if name}


def test_both_catalogues_hold_the_same_keys_and_placeholders() -> None:
    catalog = Catalog.load()
    en, zh = catalog.messages["en"], catalog.messages["zh-CN"]
    assert sorted(set(en) ^ set(zh)) == []
    mismatched = [k for k in en if placeholders(en[k]) != placeholders(zh[k])]
    assert mismatched == []


def test_chinese_messages_are_really_translated() -> None:
    catalog = Catalog.load()
    en, zh = catalog.messages["en"], catalog.messages["zh-CN"]
    # Usage lines are command syntax and may match; everything else must differ.
    untranslated = [k for k in en if en[k] == zh[k] and not k.endswith((".usage", ".none")) and "{" not in en[k][:1]]
    assert [k for k in untranslated if re.search(r"[A-Za-z]{4,}", en[k])] == []


def test_every_key_the_code_names_is_in_the_catalogue() -> None:
    catalog = Catalog.load()
    used: set[str] = set()
    for path in [*ROOT.joinpath("handlers").rglob("*.py"), *ROOT.joinpath("bot").rglob("*.py")]:
        used |= set(KEY_LITERAL.findall(path.read_text()))
    assert used, "the scan found no keys"
    assert sorted(k for k in used if k not in catalog.messages["en"]) == []


def test_every_command_has_its_usage_and_help_line_in_both_languages() -> None:
    from handlers import REGISTRY

    catalog = Catalog.load()
    for spec in REGISTRY.commands:
        for key in filter(None, (spec.usage, spec.summary)):
            assert key in catalog.messages["en"] and key in catalog.messages["zh-CN"], (spec.slug, key)


@pytest.mark.parametrize(("count", "said"), [(1, "1 step."), (2, "2 steps."), (0, "0 steps.")])
def test_a_message_chooses_its_plural_by_its_number(count: int, said: str) -> None:
    assert catalog().t("en", "risk.playbook.saved", category="FX", count=count).endswith(f": {said}")


def test_a_plural_survives_every_front_ends_escaping() -> None:
    message = Text("risk.playbook.saved", {"category": "<FX>", "count": 1})
    for renderer in (SlackRenderer(), LarkRenderer(), TextRenderer()):
        shown = renderer.t(Viewer("en"), message)
        assert shown.endswith(": 1 step.") and "{%" not in shown


@pytest.mark.parametrize(
    "key, params, one, many",
    [
        ("exp.slices_more", {"key": "EXP-4"}, "…and 1 smaller market:", "…and 2 smaller markets:"),
        ("req.export.comment", {}, "1 requirement with its scores.", "2 requirements with their scores."),
        ("risk.card.review_every", {"date": "2026-12-01"}, "every 1 day,", "every 2 days,"),
        ("cost.more_lanes", {}, "1 more lane not shown", "2 more lanes not shown"),
        ("exp.csv.imported", {"key": "EXP-1", "file": "a.csv"}, "1 row from a.csv (1 day, 1 market)", None),
    ],
)
def test_counts_choose_their_words(key: str, params: dict, one: str, many: str | None) -> None:
    catalog = Catalog.load()
    count_name = re.findall(r"\{%\s*if (\w+) == 1", catalog.messages["en"][key])
    assert count_name, key
    assert one in catalog.t("en", key, **params, **{name: 1 for name in count_name})
    if many:
        assert many in catalog.t("en", key, **params, **{name: 2 for name in count_name})
