"""A replayed slash command, click or modal submission (the same signed body, inside Slack's five
minutes) is carried out once; every replay is answered "already done" in the person's language."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx
from sqlmodel import Session, func, select

from models.audit import AuditEntry
from models.requirements.requirement import Requirement
from tests.fakes.slack_api import FakeSlack
from tests.slack.test_modal import open_modal, state
from tests.support.slack_requests import SlackSender, block_text, button, sign

DONE_EN = "Already done: this request was received before and carried out once."
DONE_ZH = "已处理：这个请求之前已经收到，并且只执行了一次。"


def titles(engine) -> list[str]:
    with Session(engine) as db:
        return list(db.exec(select(Requirement.title).order_by(Requirement.number)))


def moves(engine) -> int:
    with Session(engine) as db:
        return int(db.exec(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "status")).one())


def replay(slack: SlackSender, body: str, times: int = 3) -> list[httpx.Response]:
    """The very same request, signature and all, sent again and again."""
    headers = sign(body)
    return [slack.post_form(body, headers) for _ in range(times)]


def replay_at_once(slack: SlackSender, body: str, times: int = 3) -> list[httpx.Response]:
    """The same signed request from several connections at the same moment."""
    headers = sign(body)
    start = threading.Barrier(times)
    answers: list[httpx.Response] = []

    def send() -> None:
        with httpx.Client(timeout=10) as http:
            start.wait()
            answers.append(
                http.post(
                    slack.url,
                    content=body,
                    headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
                )
            )

    threads = [threading.Thread(target=send) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


SENDS: dict[str, Callable[[SlackSender, str], list[httpx.Response]]] = {"in turn": replay, "at once": replay_at_once}


def test_a_replayed_slash_command_adds_one_requirement(slack: SlackSender, engine) -> None:
    for how, send in SENDS.items():
        answers = [block_text(r.json()) for r in send(slack, slack.command_body(f"add only once {how}"))]
        assert sum("logged." in a for a in answers) == 1, answers
        assert sum(DONE_EN in a for a in answers) == 2, answers
    assert titles(engine) == ["only once in turn", "only once at once"]


def test_the_replay_is_answered_in_the_persons_language(slack: SlackSender, engine) -> None:
    slack.command("lang zh", command="/pm")
    first, *again = replay(slack, slack.command_body("add 只加一次"))
    assert "已登记 REQ-1" in block_text(first.json())
    assert [block_text(r.json()) for r in again] == [DONE_ZH, DONE_ZH]
    assert titles(engine) == ["只加一次"]


def test_a_command_typed_again_is_a_new_command(slack: SlackSender, engine) -> None:
    """Slack gives every command a new trigger_id: typing the same text twice adds two."""
    slack.command("add twice")
    slack.command("add twice")
    assert titles(engine) == ["twice", "twice"]


def test_a_replayed_click_moves_once_and_the_replays_are_told(
    slack: SlackSender, fake_slack: FakeSlack, engine
) -> None:
    for n, send in enumerate(SENDS.values(), start=1):
        card = slack.command(f"add click me {n}").json()
        fake_slack.reset()
        answers = send(slack, slack.click_body(button(card, "Triage")))
        assert [r.status_code for r in answers] == [200, 200, 200]
        responses = [block_text(c.body) for c in fake_slack.wait_for("response_url", 3)]
        assert sum(f"REQ-{n} is now triaged." in r for r in responses) == 1, responses
        assert sum(DONE_EN in r for r in responses) == 2, responses  # and no "no longer applies"
        assert moves(engine) == n


def test_a_replayed_modal_submission_stores_one_requirement(slack: SlackSender, fake_slack: FakeSlack, engine) -> None:
    for how, send in SENDS.items():
        fake_slack.reset()
        view = open_modal(slack, fake_slack)
        answers = send(slack, slack.view_body(view, state(f"from the form {how}", ["SG"])))
        assert [(r.status_code, r.text) for r in answers] == [(200, "")] * 3  # each closes the modal
        [posted] = fake_slack.wait_for("chat.postMessage")
        assert "logged." in block_text(posted.body)
    assert titles(engine) == ["from the form in turn", "from the form at once"]
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_a_form_sent_back_with_errors_can_be_corrected_and_sent_again(
    slack: SlackSender, fake_slack: FakeSlack, engine
) -> None:
    view = open_modal(slack, fake_slack)
    body = slack.view_body(view, state("x" * 201, ["SG"]))
    for refused in replay(slack, body, 2):  # errors are not "done": the same values get the same errors
        assert refused.json()["response_action"] == "errors"
    assert slack.submit_view(view, state("fixed", ["SG"])).text == ""
    assert titles(engine) == ["fixed"]
