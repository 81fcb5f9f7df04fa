"""Whatever is typed, the command parsers answer with their own friendly error or a result, never with
any other exception (property tests with hypothesis), and a whole command run with such text gives a
reply, never "something went wrong"."""

from __future__ import annotations

from datetime import date
from functools import cache

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.i18n import Catalog
from handlers import REGISTRY
from handlers.core import args, fields
from handlers.core.reply import FieldError, InvalidFields, Text, UsageError

# Text as people (and hostile clients) type it: any character, and plenty of the ones that are syntax.
SYNTAX = [
    *list("=＝:：,，、;；\"“”「」『』'‘’<>@#!|&\\/ \t\u3000\x00-+."),
    "<@U1|ana>",
    "<!channel>",
    "&lt;",
    "REQ-1",
    "年",
    "月",
]
TYPED = st.lists(st.one_of(st.sampled_from(SYNTAX), st.text(max_size=6)), max_size=12).map("".join)
ROOTS = sorted(REGISTRY.roots)


@cache
def catalog() -> Catalog:
    return Catalog.load()


def known(text: Text) -> bool:
    return all(text.key in catalog().messages[lang] for lang in ("en", "zh-CN"))


@given(TYPED)
def test_the_tokeniser_raises_only_its_parse_error(raw: str) -> None:
    try:
        parsed = args.parse(raw, colon_keys=frozenset({"reach.*", "due"}))
    except args.ParseError as err:
        assert known(Text(err.key)), err.key
        return
    for word in parsed.words:
        assert isinstance(word, str)
    args.split_list(raw)
    args.parse_mention(raw)


@given(st.sampled_from(ROOTS), TYPED)
def test_every_command_resolves_or_says_how_to_use_it(root: str, text: str) -> None:
    try:
        resolved = REGISTRY.resolve(root, text)
    except UsageError as err:
        assert known(err.text), err.text.key
        assert err.usage is None or known(Text(err.usage)), err.usage
        return
    assert resolved.spec.slug.split()[0] in REGISTRY.roots


@given(st.text(max_size=40))
def test_odd_roots_are_answered_with_the_umbrella_usage(root: str) -> None:
    try:
        REGISTRY.resolve(root, "")
    except UsageError as err:
        assert err.usage is None or known(Text(err.usage)), err.usage


@given(TYPED)
@example("America")  # a directory of the zone database, not a zone
@example("../../../etc/passwd")
@example("，")
def test_field_parsers_raise_only_field_errors(raw: str) -> None:
    parsers = [
        lambda v: fields.due_date("due", v, today=date(2026, 12, 3)),
        lambda v: fields.markets("market", v, limit=5),
        lambda v: fields.time_zone("tz", v),
        lambda v: fields.text("title", v, max_length=200, required=True),
        lambda v: fields.member_ref("owner", v),
        lambda v: fields.platform("platform", v, max_length=40),
    ]
    for parse in parsers:
        try:
            parse(raw)
        except FieldError as err:
            assert known(err.text), err.text.key
        except InvalidFields as err:
            assert all(known(e.text) for e in err.errors)


@given(st.one_of(st.integers(), st.floats(), st.text(max_size=5), st.none(), st.booleans()))
def test_a_row_id_is_a_positive_integer_a_table_can_hold(value: object) -> None:
    found = fields.row_id(value)
    assert found is None or (type(found) is int and 0 < found <= 2**31 - 1 and found == value)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_time_zones_are_only_names_in_the_zone_list(raw: str) -> None:
    try:
        zone = fields.time_zone("tz", raw)
    except FieldError:
        return
    from zoneinfo import available_timezones

    assert zone in available_timezones()


@pytest.mark.parametrize("root", ROOTS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TYPED)
@example(text="add ，")
@example(text="tz America")
def test_a_whole_command_with_any_text_is_answered_without_a_fault(console, root: str, text: str) -> None:
    printed = console.send(f"/{root} {text}")
    assert "Something went wrong" not in printed and "temporarily unavailable" not in printed, printed
