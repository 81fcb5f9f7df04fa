"""Reading what Lark sends: mentions into the canonical form, the bot's own mention, rich text, dates."""

from __future__ import annotations

import json

from bot.lark.inputs import canonical, decode_value, form_values, message_text, split_command
from handlers.core.args import parse, parse_mention

MENTIONS = [
    {"key": "@_user_1", "id": {"open_id": "ou_bot"}, "name": "Tradewind"},
    {"key": "@_user_2", "id": {"open_id": "ou_li"}, "name": "李<雷>|"},
    {"key": "@_user_12", "id": {"open_id": "ou_twelve"}, "name": "Twelve"},
]


def test_mentions_become_the_canonical_form_the_parser_reads() -> None:
    text, addressed = canonical("@_user_1 /req add a<b & c owner=@_user_2", MENTIONS, bot_open_id="ou_bot")
    assert addressed
    assert text == "/req add a&lt;b &amp; c owner=<@ou_li|李雷>"
    args = parse(split_command(text)[1])
    assert args.words == ["add", "a<b", "&", "c"]
    assert parse_mention(args.options["owner"]).user_ref == "ou_li"


def test_the_bots_mention_is_found_anywhere_once_its_open_id_is_known() -> None:
    text, addressed = canonical("/req add x owner=@_user_12 @_user_1", MENTIONS, bot_open_id="ou_bot")
    assert addressed and text == "/req add x owner=<@ou_twelve|Twelve>"
    assert canonical("@_user_2 /req list", MENTIONS, bot_open_id="ou_bot")[1] is False


def test_without_the_bots_open_id_a_leading_mention_is_the_bot() -> None:
    assert canonical("@_user_2 req list", MENTIONS, bot_open_id=None) == ("req list", True)
    assert canonical("req list @_user_2", MENTIONS, bot_open_id=None) == ("req list <@ou_li|李雷>", False)


def test_rich_text_is_flattened_with_its_mentions() -> None:
    content = {
        "zh_cn": {
            "title": "t",
            "content": [
                [{"tag": "at", "user_id": "@_user_1"}, {"tag": "text", "text": " req"}],
                [{"tag": "a", "text": "list", "href": "https://x"}],
            ],
        }
    }
    assert message_text({"message_type": "post", "content": json.dumps(content)}) == "@_user_1 req\nlist"
    assert message_text({"message_type": "image", "content": "{}"}) is None


def test_split_command_takes_ascii_and_full_width_slashes() -> None:
    assert split_command("／req  list mine") == ("req", "list mine")
    assert split_command("pm") == ("pm", "")


def test_a_button_value_round_trips_and_form_dates_lose_their_zone() -> None:
    value = decode_value(
        {"a": "req.form", "p": {"x": 1}, "f": 1, "c": "oc_1", "d": ["due"], "l": {"due": "req.field.due"}}
    )
    assert value is not None and (value.action, value.payload, value.form, value.channel_ref) == (
        "req.form",
        {"x": 1},
        True,
        "oc_1",
    )
    assert decode_value({"p": {}}) is None and decode_value("not json") is None
    assert form_values({"due": "2026-09-01 +0800", "title": "2026-09-01 +0800"}, ("due",)) == {
        "due": "2026-09-01",
        "title": "2026-09-01 +0800",
    }
