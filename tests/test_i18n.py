"""Every user-visible string exists in en and zh-CN, with the same placeholders."""

from __future__ import annotations

import re
import string
from pathlib import Path

from bot.i18n import Catalog

ROOT = Path(__file__).resolve().parent.parent
KEY_LITERAL = re.compile(
    r"""(?:Text|UsageError|FieldError|message)\(\s*(?:[a-z_]+,\s*)?f?["']([a-z_]+\.[a-z_.]+)["']"""
)


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


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
    for path in ROOT.joinpath("templates").rglob("*.j2"):
        used |= set(re.findall(r"""t\(\s*["']([a-z_]+\.[a-z_.]+)["']""", path.read_text()))
    assert used, "the scan found no keys"
    assert sorted(k for k in used if k not in catalog.messages["en"]) == []


def test_every_command_has_its_usage_and_help_line_in_both_languages() -> None:
    from handlers import REGISTRY

    catalog = Catalog.load()
    for spec in REGISTRY.commands:
        for key in filter(None, (spec.usage, spec.summary)):
            assert key in catalog.messages["en"] and key in catalog.messages["zh-CN"], (spec.slug, key)
