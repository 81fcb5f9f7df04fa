"""Only requests that really come from Lark are acted on: encrypted, signed, fresh and with the token.
Anything else is refused with nothing stored and nothing sent; a retried event is acted on once."""

from __future__ import annotations

import json
import time

import lark_oapi as lark
from lark_oapi.core.model import RawRequest
from sqlmodel import Session, select

from models.processed_event import ProcessedEvent
from models.requirements.requirement import Requirement
from models.workspace import Member, Workspace
from tests.fakes.lark_api import FakeLark
from tests.support.lark_requests import ENCRYPT_KEY, VERIFICATION_TOKEN, LarkSender, encrypt


def nothing_happened(engine, fake_lark: FakeLark) -> None:
    time.sleep(0.2)  # effects would have run by now
    with Session(engine) as db:
        assert db.exec(select(Requirement)).all() == []
        assert db.exec(select(Workspace)).all() == []
        assert db.exec(select(Member)).all() == []
        assert db.exec(select(ProcessedEvent)).all() == []
    assert fake_lark.calls_to("im.message.create", "im.message.reply") == []


def test_the_url_check_is_answered_with_the_challenge(lark: LarkSender) -> None:
    response = lark.challenge("challenge-7f3a", signed=False)
    assert response.status_code == 200
    assert response.json() == {"challenge": "challenge-7f3a"}


def test_a_challenge_with_the_wrong_token_is_refused(lark: LarkSender) -> None:
    response = lark.post({"challenge": "c", "token": "not-ours", "type": "url_verification"})
    assert response.status_code == 401
    assert "challenge" not in response.text


def test_a_bad_signature_is_refused_with_nothing_changed(lark: LarkSender, fake_lark: FakeLark, engine) -> None:
    response = lark.message("/req add forged", sign_key="someone-elses-key")
    assert response.status_code == 401
    nothing_happened(engine, fake_lark)


def test_an_unsigned_request_is_refused(lark: LarkSender, fake_lark: FakeLark, engine) -> None:
    assert lark.message("/req add unsigned", signed=False).status_code == 401
    nothing_happened(engine, fake_lark)


def test_the_wrong_verification_token_is_refused(lark_server, fake_lark: FakeLark, engine, lark) -> None:
    # Encrypted and signed with the right key, but the token inside is not this app's.
    impostor = LarkSender(lark_server.url, fake_lark, token="v-another-apps-token")
    try:
        assert impostor.message("/req add wrong token").status_code == 401
    finally:
        impostor.close()
    nothing_happened(engine, fake_lark)


def test_a_body_encrypted_with_another_key_is_refused(lark_server, fake_lark: FakeLark, engine, lark) -> None:
    other = LarkSender(lark_server.url, fake_lark, encrypt_key="another-encrypt-key")
    try:
        # Signed with our key so that only the encryption is wrong.
        assert other.message("/req add other key", sign_key=ENCRYPT_KEY).status_code == 401
    finally:
        other.close()
    nothing_happened(engine, fake_lark)


def test_a_replayed_request_older_than_five_minutes_is_refused(lark: LarkSender, fake_lark: FakeLark, engine) -> None:
    now = int(time.time())
    assert lark.message("/req add replayed", timestamp=now - 310).status_code == 401
    assert lark.message("/req add from the future", timestamp=now + 310).status_code == 401
    nothing_happened(engine, fake_lark)
    assert lark.message("/req add fresh", timestamp=now - 240).status_code == 200
    fake_lark.sent()


def test_a_retried_event_is_processed_once(lark: LarkSender, fake_lark: FakeLark, engine) -> None:
    for _ in range(3):  # Lark redelivers when it thinks we missed it
        assert lark.message("/req add only once", event_id="ev_retried_1").status_code == 200
    fake_lark.sent()
    time.sleep(0.2)
    with Session(engine) as db:
        assert db.exec(select(Requirement.title)).all() == ["only once"]
    assert len(fake_lark.calls_to("im.message.create", "im.message.reply")) == 1


def test_a_retried_card_callback_acts_once(lark: LarkSender, fake_lark: FakeLark, engine) -> None:
    lark.message("/req add click me")
    [sent] = fake_lark.sent()
    triage = next(b for b in sent.card["body"]["elements"][-1]["columns"][0]["elements"])
    first = lark.click(triage, event_id="ev_click_1").json()
    again = lark.click(triage, event_id="ev_click_1").json()
    assert first["toast"]["type"] == "success" and "card" in first
    assert again == {"toast": {"type": "info", "content": "已处理：这个请求之前已经收到，并且只执行了一次。"}}
    with Session(engine) as db:
        assert db.exec(select(Requirement.status)).one() == "triaged"


def test_requests_built_here_are_the_ones_lark_oapi_itself_accepts() -> None:
    """The request builder matches the SDK's own verification (a cross-check of the test fixtures)."""
    received: list[str] = []
    handler = (
        lark.EventDispatcherHandler.builder(ENCRYPT_KEY, VERIFICATION_TOKEN)
        .register_p2_im_message_receive_v1(lambda data: received.append(data.event.message.content))
        .build()
    )
    sender = LarkSender("http://unused")
    captured: dict = {}
    sender.http.post = lambda url, content, headers: captured.update(body=content, headers=headers)  # type: ignore[method-assign]
    sender.message("/req list", chat_type="p2p")
    request = RawRequest()
    request.uri, request.body, request.headers = "/lark/events", captured["body"], captured["headers"]
    assert handler.do(request).status_code == 200
    assert json.loads(received[0]) == {"text": "/req list"}
    request.body = json.dumps({"encrypt": encrypt("{}")}).encode()  # signature no longer matches
    assert handler.do(request).status_code == 500
    sender.close()
