"""Scoring on Lark: `/score REQ-1` opens a card form pre-filled with the current score (inputs and the
pre-selected options of its dropdowns), whose submission re-scores; how a form's pre-selected values and
its person picker are drawn."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session, select

from bot.render.lark import LarkRenderer
from bot.render.lark_card import check_card
from bot.render.viewer import Viewer
from handlers.core.reply import Choice, Form, FormField, Text
from models.scoring.score import ScoreEntry
from tests.fakes.lark_api import FakeLark
from tests.support.lark_requests import LarkSender, card_text


def form_fields(card: dict) -> dict[str, dict]:
    [container] = [e for e in card["body"]["elements"] if e["tag"] == "form"]
    return {e["name"]: e for e in container["elements"] if "name" in e and e["tag"] != "button"}


def test_the_score_form_is_pre_filled_with_the_current_score_and_re_scores(
    lark: LarkSender, fake_lark: FakeLark, engine
) -> None:
    lark.message("/req add 德国站 A+ 页面 market=DE")
    lark.message("/score REQ-1 reach=4000 impact=2 confidence=80 effort=1.5 moscow=should")
    lark.message("/score REQ-1", message_id="om_ask_score")
    # The three messages are handled side by side, so their answers may arrive in any order.
    form = next(call for call in fake_lark.sent(count=3) if call.path_id == "om_ask_score")
    fields = form_fields(form.card)
    assert fields["reach"]["default_value"] == "4000" and fields["effort"]["default_value"] == "1.5"
    assert fields["impact"]["initial_option"] == "2" and fields["confidence"]["initial_option"] == "80"
    assert fields["moscow"]["initial_option"] == "should"
    for name in ("impact", "confidence", "moscow"):  # what is pre-selected is one of the options offered
        assert fields[name]["initial_option"] in [o["value"] for o in fields[name]["options"]]
    values = {"reach": "4000", "impact": "3", "confidence": "80", "effort": "1.5", "moscow": "must"}
    answer = lark.submit(form.card, values, message_id=form.answer["data"]["message_id"]).json()
    assert answer["toast"] == {"type": "success", "content": "REQ-1 已评分。"}
    shown = card_text(answer["card"]["data"])
    assert "**RICE 6,400**" in shown and "4,000 × 3 × 80% ÷ 1.5" in shown  # 4,000 × 3 × 0.8 ÷ 1.5
    with Session(engine) as db:
        rice = db.exec(select(ScoreEntry).where(ScoreEntry.method == "rice").order_by(ScoreEntry.id)).all()
    assert [round(Decimal(r.value), 1) for r in rice] == [Decimal("4266.7"), Decimal("6400.0")]  # by hand


def test_a_value_that_is_not_an_option_is_not_pre_selected() -> None:
    options = (Choice("a", "A"), Choice("b", "B"))
    form = Form(
        action="x.form",
        title=Text("score.form.title", {"key": "REQ-1"}),
        fields=(
            FormField("one", Text("score.field.impact"), kind="select", options=options, initial="z"),
            FormField("two", Text("score.field.impact"), kind="select", options=options, initial="b"),
            FormField("many", Text("score.field.impact"), kind="multiselect", options=options, initial=["b", "z"]),
            FormField("who", Text("approval.form.transfer_to"), kind="user", initial="ou_li"),
            FormField("anyone", Text("approval.form.transfer_to"), kind="user"),
        ),
    )
    card = LarkRenderer().form(form, Viewer("en"), "oc_1")
    check_card(card)
    fields = form_fields(card)
    assert "initial_option" not in fields["one"] and fields["two"]["initial_option"] == "b"
    assert fields["many"]["selected_values"] == ["b"]
    assert fields["who"]["tag"] == "select_person" and fields["who"]["initial_option"] == "ou_li"
    assert "initial_option" not in fields["anyone"] and "options" not in fields["anyone"]
