"""Lark cards: one template per reply kind, valid JSON 2.0 structure, within Lark's 30 KB, and the
checks themselves refuse what Lark would refuse."""

from __future__ import annotations

import json

import pytest

from bot.lark.files import form_track
from bot.render.inline import chunks
from bot.render.lark import LarkRenderer, RenderError
from bot.render.lark_card import MAX_CARD_BYTES, LarkCardError, card_bytes, check_card
from bot.render.viewer import Viewer
from handlers.core.card import Card, Header, Row, Rows, Strong
from handlers.core.reply import Button, Form, FormField, Reply, Text, Track
from handlers.requirements.commands import new_requirement_form
from tests.fakes.lark_api import FakeLark
from tests.support.lark_requests import LarkSender, card_text

ALL_MARKETS = "US,CA,MX,BR,GB,DE,FR,IT,ES,NL,PL,SE,BE,IE,AT,CH,TR,AE,SA,JP,KR,AU,NZ,SG,MY,TH,VN,PH,ID,TW"


BUTTONS = [Button(Text("common.next_page"), "req.page", {"p": 2}, style="primary")]


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_a_card_with_buttons_draws_a_valid_card(lang: str) -> None:
    title = Text("req.list_title")
    drawn = Card(summary=title, header=Header(title), parts=(Rows((Row([Strong("REQ-1"), " 德国站 A+ 页面"]),)),))
    card = LarkRenderer().card(Reply("req_list", card=drawn, buttons=BUTTONS), Viewer(lang, "Asia/Shanghai"))
    check_card(card)
    assert card["config"]["summary"]["content"]
    assert "德国站 A+ 页面" in card_text(card)


def test_the_form_draws_a_valid_card_form() -> None:
    card = LarkRenderer().form(new_requirement_form("zh-CN"), Viewer("zh-CN"), "oc_1")
    check_card(card)
    [form] = card["body"]["elements"]
    assert form["tag"] == "form"
    assert max(e.get("max_length", 0) for e in form["elements"]) <= 1000  # Lark's ceiling for an input


def test_a_requirement_with_every_field_at_its_limit_fits(lark: LarkSender, fake_lark: FakeLark) -> None:
    long_text = "验收" * 1000
    lark.message(
        f'/req add {"标" * 200} market={ALL_MARKETS} platform={"p" * 40} metric="{"m" * 200}" '
        f'ac="{long_text}" desc="{long_text}" due=2030-01-01'
    )
    for n in range(5):
        lark.message(f'/req edit REQ-1 metric="metric {n}"')
    lark.message("/req show REQ-1")
    shown = fake_lark.sent(count=7)[-1].card
    check_card(shown)
    assert card_bytes(shown) < MAX_CARD_BYTES
    assert "出了点问题" not in card_text(shown)
    header = shown["header"]["title"]["content"]
    assert len(header) == 150 and header.endswith("…")
    assert "标" * 200 in card_text(shown)  # the full title is in the body when the header cuts it


def test_a_full_page_of_long_items_fits(lark: LarkSender, fake_lark: FakeLark) -> None:
    for n in range(12):
        lark.message(
            f"/req add {'长标题' * 66}{n} market={ALL_MARKETS} platform={'x' * 40} owner=@user{n}",
            people={f"user{n}": f"ou_user_{n}"},
        )
    lark.message("/req list")
    listing = fake_lark.sent(count=13)[-1].card
    check_card(listing)
    assert card_bytes(listing) < MAX_CARD_BYTES
    assert "第 1–10 条，共 12 条" in card_text(listing)


def card(*elements: dict) -> dict:
    return {"schema": "2.0", "body": {"elements": list(elements)}}


@pytest.mark.parametrize(
    ("broken", "why"),
    [
        (card({"tag": "markdown", "content": "x" * (MAX_CARD_BYTES + 1)}), "bytes"),
        (card({"tag": "table"}), "unknown tag"),
        (card({"tag": "markdown", "content": " "}), "without content"),
        (card({"tag": "button", "text": {"tag": "plain_text", "content": "Go"}}), "without a callback"),
        (card({"tag": "form", "name": "f", "elements": [{"tag": "input", "name": "a"}]}), "exactly one submit"),
        (
            card(
                {
                    "tag": "form",
                    "name": "f",
                    "elements": [
                        {"tag": "input", "name": "a"},
                        {"tag": "input", "name": "a"},
                        {"tag": "button", "text": {"tag": "plain_text", "content": "OK"}, "form_action_type": "submit"},
                    ],
                }
            ),
            "twice",
        ),
        (card({"tag": "input", "name": "a", "max_length": 2000}), "max_length"),
        ({"schema": "1.0", "elements": []}, "schema 2.0"),
        (card(*[{"tag": "hr"}] * 201), "more than 200"),
    ],
)
def test_the_card_check_refuses_what_lark_would_refuse(broken: dict, why: str) -> None:
    with pytest.raises(LarkCardError, match=why):
        check_card(broken)


def test_an_oversized_reply_is_split_into_whole_cards_not_cut() -> None:
    rows = tuple(Row([Strong(f"REQ-{n}"), " ", "长" * 3000]) for n in range(10))
    reply = Reply("req_list", card=Card(summary="x", header=Header("列表"), parts=(Rows(rows),)), buttons=BUTTONS)
    drawn = LarkRenderer().cards(reply, Viewer("zh-CN"))
    assert len(drawn) > 1
    for card_ in drawn:
        check_card(card_)
        assert json.loads(json.dumps(card_)) == card_
    text = "\n".join(card_text(c) for c in drawn)
    assert all(f"REQ-{n}" in text for n in range(10)) and text.count("长") == 30000
    assert "续，第 2/" in card_text(drawn[1])
    with pytest.raises(RenderError, match="cards"):
        LarkRenderer().card(reply, Viewer("zh-CN"))


def test_a_file_field_asks_for_a_reply_and_the_other_fields_stay_in_the_form() -> None:
    form = Form(
        action="experiment.file",
        title=Text("exp.form.title"),
        fields=(
            FormField("note", Text("req.field.desc")),
            FormField("file", Text("exp.form.file", {"key": "EXP-1"}), kind="file", accept=("csv", "text")),
            FormField("owner", Text("risk.field.owner_id"), kind="user", required=True),
        ),
        metadata={"id": 1},
    )
    card = LarkRenderer().form(form, Viewer("en"), "oc_1")
    check_card(card)
    assert "reply to this card with the file (.csv, .txt)" in card_text(card)
    [container] = [e for e in card["body"]["elements"] if e["tag"] == "form"]
    fields = {e["name"]: e["tag"] for e in container["elements"] if "name" in e and e["tag"] != "button"}
    assert fields == {"note": "input", "owner": "select_person"}
    assert form_track(form) == Track("experiment", 1)
    assert form_track(new_requirement_form("en")) is None


def test_a_line_broken_between_pieces_is_never_broken_inside_an_escape() -> None:
    for offset in range(12):
        text = "x" * offset + "&lt;" * 2000
        pieces = chunks(text, 3000)
        assert "".join(pieces) == text
        assert all(p.endswith(("&lt;", "x")) and p.lstrip("x").startswith(("&lt;", "")) for p in pieces)
        assert all(p.replace("&lt;", "").strip("x") == "" for p in pieces)
