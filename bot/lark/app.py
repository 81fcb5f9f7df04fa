"""The Lark front end: messages that carry commands, and card callbacks (buttons, form submissions).

Both the HTTP endpoint (bot/lark/http.py, after verification) and the long connection (bot/lark/ws.py)
hand it the decoded payload. The database work is done inline and is the answer (a card callback is
answered with a toast and the redrawn card, well inside Lark's 3 seconds); Open API calls, and files
sent in reply to a tracked card (bot/lark/files.py), are dealt with after the answer on the process's
after-answer pool. Each event_id is acted on once, however often Lark delivers it: a command's or a
card callback's is claimed in the transaction of its work (models/request_claim.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.db import session_scope
from bot.effects import Where
from bot.lark import capture, inputs
from bot.lark.client import BotIdentity
from bot.lark.effects import LarkEffects
from bot.lark.files import FileUnavailable, LarkFiles, file_refs, tracked_target
from bot.lark.gate import well_formed
from bot.lark.notifier import LarkNotifier, make_notifier
from bot.notify import Notifier, Posted
from bot.outage import is_outage
from bot.render.viewer import Viewer
from bot.runtime import PLATFORM_LANG, Caller, Outcome, Runtime
from bot.settings import Settings
from handlers.core.reply import (
    Effect,
    FetchFiles,
    OpenForm,
    PostToChannel,
    Reply,
    Text,
    Track,
    UpdateTracked,
    file_action,
)
from models import chat_message
from models.processed_event import claim_event
from models.request_claim import request_key

log = logging.getLogger(__name__)

MESSAGE = "im.message.receive_v1"
CARD_ACTION = "card.action.trigger"
ERROR_KINDS = {"usage"}
# Faults, and the refusals of a click by someone who may not do that: an error toast, and nothing changed.
ERROR_MESSAGES = {
    "common.internal_error",
    "common.unavailable",
    "approval.not_allowed",
    "approval.not_own",
    "approval.already_voted",
    "approval.remind_requester_only",
    "risk.accept_not_allowed",
}
NOTICE_KINDS = {"message", "usage", "person_notice"}  # short answers to a click: a toast, not a new card
# Replies for one person's eyes (a secret; a preview "only you can see"): never shown to a whole group.
PRIVATE_KINDS = frozenset({"figure_token", "digest_preview"})


class EventStoreDown(Exception):
    """The event could not be recorded as handled: ask Lark to deliver it again later."""


def build_front_end(settings: Settings, runtime: Runtime, notifier: Notifier | None = None) -> LarkFrontEnd:
    """The front end over `notifier` (the process's registry's, bot/delivery.py), or one of its own."""
    if not isinstance(notifier, LarkNotifier):
        notifier = make_notifier(settings)
    bot = BotIdentity(notifier.client)
    bot.prefetch()
    effects = LarkEffects(notifier, runtime.engine, runtime.background, lambda: runtime.outbox)
    return LarkFrontEnd(runtime, effects, bot, LarkFiles(notifier.client))


class LarkFrontEnd:
    def __init__(
        self, runtime: Runtime, effects: LarkEffects, bot: BotIdentity | None = None, files: LarkFiles | None = None
    ) -> None:
        self.runtime = runtime
        self.effects = effects
        self.renderer = effects.renderer
        self.bot = bot
        self.files = files or LarkFiles(effects.notifier.client)

    def handle(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Act on one event or callback; returns the JSON answer ({} when there is nothing to say)."""
        header = payload.get("header") if isinstance(payload.get("header"), dict) else {}
        kind = header.get("event_type")
        if kind not in (MESSAGE, CARD_ACTION) or not well_formed(payload):
            return {}
        event_id = str(header.get("event_id") or "") or None
        if kind == MESSAGE:
            self.on_message(payload, event_id)
            return {}
        return self.on_card_action(payload, event_id)

    def on_message(self, payload: dict[str, Any], event_id: str | None = None) -> None:
        """A command in a message. Lark delivers an event again when it thinks we missed it: the
        event_id is claimed in the command's own transaction, so a redelivery does nothing."""
        event = payload.get("event") or {}
        message = event.get("message") or {}
        if (event.get("sender") or {}).get("sender_type") != "user":
            return  # the bot's own messages and other apps'
        if message.get("message_type") == "file":
            if event_id and not self._first_time(event_id):
                log.info("Lark event %s already handled; delivery ignored", event_id)
                return
            self.runtime.background.submit(self._guarded, self._file_message, payload)
            return
        text = inputs.message_text(message)
        if text is None:
            return
        bot_id = self.bot.open_id() if self.bot else None
        line, addressed = inputs.canonical(text, message.get("mentions") or [], bot_open_id=bot_id)
        in_group = message.get("chat_type") != "p2p"
        if in_group and not addressed:
            return  # a group message not meant for the bot
        root, rest = inputs.split_command(line)
        caller = inputs.message_caller(payload)
        if capture.wants_capture(root, rest, message):
            if event_id and not self._first_time(event_id):
                return
            self.runtime.background.submit(self._guarded, self._capture, caller, message)
            return
        once = request_key("event", event_id) if event_id else None
        outcome = self.runtime.command(caller, root or "pm", rest, once=once, event=True)
        if outcome.repeated:
            log.info("Lark event %s already handled; delivery ignored", event_id)
            return
        where = Where(
            workspace_id=_workspace(outcome),
            user_ref=caller.user_ref,
            channel_ref=caller.channel_ref,
            thread_ref=message.get("message_id") if in_group else None,
        )
        effects = list(outcome.reply.effects)
        if in_group and outcome.reply.kind in PRIVATE_KINDS:
            # Lark has no message that only one person in a group sees: a secret goes one-to-one.
            private = replace(where, channel_ref=caller.user_ref, thread_ref=None)
            self.effects.submit([PostToChannel(outcome.reply)], outcome.viewer, private)
            effects.insert(0, PostToChannel(Reply.message("lark.sent_privately")))
        elif outcome.reply.kind != "silent":
            effects.insert(0, PostToChannel(outcome.reply))
        self._submit(effects, outcome.viewer, where, caller)

    def _capture(self, caller: Caller, message: dict[str, Any]) -> None:
        """`req capture` in reply to a message: the requirement form, filled from the message replied to."""
        found = capture.read_message(self.effects.notifier.client, str(message["parent_id"]))
        applink = getattr(self.renderer, "applink", None)
        payload = {
            "text": found.text if found else "",
            "author": found.author if found else None,
            "link": capture.message_link(applink, found.chat_id if found else caller.channel_ref),
        }
        outcome = self.runtime.action(caller, "req.capture", payload)
        where = Where(
            workspace_id=_workspace(outcome),
            user_ref=caller.user_ref,
            channel_ref=caller.channel_ref,
            thread_ref=message.get("message_id"),
        )
        effects = list(outcome.reply.effects)
        if outcome.reply.kind != "silent":
            effects.insert(0, PostToChannel(outcome.reply))
        self._submit(effects, outcome.viewer, where, caller)

    def on_card_action(self, payload: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
        """A click or a form sent from a card; a redelivered callback (its event_id, or else its
        callback token and card) is answered "already done" and does nothing."""
        event = payload.get("event") or {}
        action = event.get("action") or {}
        context = event.get("context") or {}
        value = inputs.decode_action(action)
        if value is None:
            viewer = Viewer(PLATFORM_LANG.get("lark", self.runtime.default_lang), self.runtime.default_tz)
            return _toast("info", self.renderer.t(viewer, "common.button_expired"))
        caller = inputs.card_caller(payload, channel_ref=value.channel_ref)
        form = inputs.form_values(action.get("form_value") or {}, value.dates) if value.form else None
        once = _card_once(event_id, event, context)
        outcome = self.runtime.action(caller, value.action, value.payload, form=form, once=once)
        if outcome.repeated:
            return _toast("info", self.renderer.t(outcome.viewer, "common.already_done"))
        where = Where(workspace_id=_workspace(outcome), user_ref=caller.user_ref, channel_ref=caller.channel_ref)
        if value.form:
            return self._answer_form(outcome, value, where, caller, context.get("open_message_id"))
        return self._answer_click(outcome, where, caller, context.get("open_message_id"))

    def _answer_click(self, outcome: Outcome, where: Where, caller: Caller, clicked: str | None) -> dict[str, Any]:
        reply, viewer = outcome.reply, outcome.viewer
        effects = list(reply.effects)
        answer: dict[str, Any] = {}
        # A decision taken on this card redraws every card about its entity, this one among them: the
        # answer carries this one's new look at once (the update of the others follows the answer).
        redrawn = None if reply.replace_original else self._redrawn(effects, where, clicked)
        if reply.kind == "silent":
            if redrawn is not None:
                answer = self._with_card(
                    _toast("success", self._toast_text(redrawn, viewer)), redrawn, viewer, where, clicked
                )
            elif any(isinstance(e, OpenForm) for e in effects):
                answer = _toast("info", self.renderer.t(viewer, "lark.toast.form"))
        elif reply.replace_original:
            answer = self._with_card(_toast("success", self._toast_text(reply, viewer)), reply, viewer, where, clicked)
        elif reply.kind in NOTICE_KINDS:
            answer = _toast(self._toast_type(reply), self._toast_text(reply, viewer))
            if redrawn is not None:
                answer = self._with_card(answer, redrawn, viewer, where, clicked)
        else:
            # A new card rather than a new look for this one: it goes into the chat below.
            effects.insert(0, PostToChannel(reply))
            answer = _toast("info", self.renderer.t(viewer, "lark.toast.posted"))
        self._submit(effects, viewer, where, caller, clicked=clicked)
        return answer

    def _redrawn(self, effects: list[Effect], where: Where, clicked: str | None) -> Reply | None:
        """The new look of the clicked card, when an effect redraws the cards about what it shows."""
        updates = [e for e in effects if isinstance(e, UpdateTracked)]
        if not updates or not clicked or where.workspace_id is None:
            return None
        with session_scope(self.runtime.engine) as db:
            for update in updates:
                track = update.track
                found = chat_message.posted_about(
                    db=db, workspace_id=where.workspace_id, entity=track.entity, entity_id=track.entity_id
                )
                if any(m.platform == "lark" and m.message_ref == clicked for m in found):
                    return update.reply
        return None

    def _answer_form(
        self, outcome: Outcome, value: inputs.ButtonValue, where: Where, caller: Caller, form_message: str | None
    ) -> dict[str, Any]:
        reply, viewer = outcome.reply, outcome.viewer
        if reply.form_errors:
            reasons = [
                Text("field.invalid", {"field": _field_label(value.labels.get(n), n), "reason": text})
                for n, text in reply.form_errors.items()
            ]
            return _toast("error", self.renderer.t(viewer, Text("field.invalid_many", {"reasons": reasons})))
        if self._toast_type(reply) == "error":
            # Refused (not theirs to decide, say): the form stays for whoever may submit it.
            self._submit(list(reply.effects), viewer, where, caller)
            return _toast("error", self._toast_text(reply, viewer))
        effects = list(reply.effects)
        shown, track = (reply, None) if reply.kind != "silent" else _take_post(effects, where.channel_ref)
        done = self._toast_text(shown, viewer) if shown else self.renderer.t(viewer, "lark.toast.saved")
        answer = _toast("success", done)
        if shown is None:
            # Nothing to show in its place (the answer went elsewhere, or a card it concerns was redrawn):
            # the form card says it was submitted, so that nobody fills it in again.
            updated = any(isinstance(e, UpdateTracked) for e in effects)
            shown = Reply.message("lark.form.card_updated" if updated else "lark.form.done")
        # The form card becomes the result, as a Slack modal closes and its result is posted.
        answer = self._with_card(answer, shown, viewer, where, form_message)
        if track and form_message and where.workspace_id is not None and where.channel_ref:
            self.effects.remember(track, where.workspace_id, where.channel_ref, form_message)
        self._submit(effects, viewer, where, caller)
        return answer

    def _submit(
        self, effects: list[Effect], viewer: Viewer, where: Where, caller: Caller, *, clicked: str | None = None
    ) -> None:
        """Effects after the answer; fetching files needs the caller, to run the action as them. A form
        opened by a click on a card is sent as a reply to that card, so it is plain what it is about."""
        for effect in effects:
            if isinstance(effect, OpenForm) and clicked:
                self.effects.submit([effect], viewer, replace(where, thread_ref=clicked))
        rest = [e for e in effects if not isinstance(e, FetchFiles) and not (isinstance(e, OpenForm) and clicked)]
        self.effects.submit(rest, viewer, where)
        for effect in effects:
            if isinstance(effect, FetchFiles):
                self.runtime.background.submit(self._guarded, self._fetch_and_run, effect, caller, viewer, where)

    def _file_message(self, payload: dict[str, Any]) -> None:
        """A file sent in reply to a tracked card (or, one-to-one with the bot, just after one) goes to
        that entity's file action, as a file shared in a tracked card's thread does on Slack."""
        message = (payload.get("event") or {}).get("message") or {}
        refs, chat = file_refs(message), message.get("chat_id")
        if not refs or not isinstance(chat, str):
            return
        caller = inputs.message_caller(payload)
        replied_to = [str(m) for m in (message.get("parent_id"), message.get("root_id")) if m]
        found = tracked_target(
            self.runtime.engine,
            tenant=caller.team_ref,
            chat=chat,
            replied_to=list(dict.fromkeys(replied_to)),
            recent=message.get("chat_type") == "p2p",  # in a group, only a reply says what a file is for
            takes_files=lambda entity: self.runtime.registry.action(file_action(entity)) is not None,
        )
        if found is None:
            return  # a file for someone else, or for nothing the bot tracks
        entity, entity_id = found
        thread = {"id": entity_id, "thread": True}
        outcome = self.runtime.action(caller, file_action(entity), thread, form={"file": refs})
        where = Where(
            workspace_id=_workspace(outcome),
            user_ref=caller.user_ref,
            channel_ref=chat,
            thread_ref=message.get("message_id") if message.get("chat_type") != "p2p" else None,
        )
        self._deliver(outcome, where, caller)

    def _fetch_and_run(self, effect: FetchFiles, caller: Caller, viewer: Viewer, where: Where) -> None:
        try:
            files = tuple(self.files.fetch(ref) for ref in effect.files)
        except FileUnavailable as err:
            key = "files.too_big" if err.reason == "too_big" else "files.unavailable"
            max_mb = self.files.max_bytes // (1024 * 1024)
            self.effects.submit([PostToChannel(Reply.message(key, name=err.name, max_mb=max_mb))], viewer, where)
            return
        outcome = self.runtime.action(caller, effect.action, effect.payload, files=files)
        self._deliver(outcome, replace(where, workspace_id=_workspace(outcome) or where.workspace_id), caller)

    def _deliver(self, outcome: Outcome, where: Where, caller: Caller) -> None:
        """A reply that answers no request: posted in the chat (replying to the file, in a group)."""
        effects = list(outcome.reply.effects)
        if outcome.reply.kind != "silent":
            effects.insert(0, PostToChannel(outcome.reply))
        self._submit(effects, outcome.viewer, where, caller)

    @staticmethod
    def _guarded(work: Callable[..., None], *args: Any) -> None:
        try:
            work(*args)
        except Exception:
            log.exception("Lark background work %s failed", getattr(work, "__name__", work))

    def _with_card(
        self,
        answer: dict[str, Any],
        reply: Reply,
        viewer: Viewer,
        where: Where | None = None,
        message: str | None = None,
    ) -> dict[str, Any]:
        """The answer with the card's new look; a reply that needs several cards continues in replies to
        the message it answers."""
        try:
            first, *rest = self.renderer.cards(reply, viewer)
        except Exception:
            log.exception("reply %s could not be drawn for Lark", reply.kind)
            return _toast("error", self.renderer.t(viewer, "common.internal_error", ref="render"))
        if rest and where is not None and where.channel_ref and message:
            posted = Posted(where.channel_ref, message)
            self.runtime.background.submit(self._guarded, self.effects.notifier.send_rest, posted, rest)
        return {**answer, "card": {"type": "raw", "data": first}}

    def _toast_text(self, reply: Reply, viewer: Viewer) -> str:
        if reply.card is not None:
            headline = reply.headline
            if headline is not None:
                return self.renderer.plain(viewer, headline)
            if reply.kind == "person_notice":  # a toast is plain text: the person by name, not a mention
                return self.renderer.plain(viewer, reply.card.summary)
        return self.renderer.t(viewer, "lark.toast.updated")

    @staticmethod
    def _toast_type(reply: Reply) -> str:
        text = reply.card.summary if reply.card is not None else None
        if reply.kind in ERROR_KINDS or (isinstance(text, Text) and text.key in ERROR_MESSAGES):
            return "error"
        return "info"

    def _first_time(self, event_id: str) -> bool:
        try:
            with session_scope(self.runtime.engine) as db:
                first = claim_event(db=db, platform="lark", event_id=event_id)
        except (DBAPIError, PoolTimeout) as err:
            if not is_outage(err):
                raise
            self.runtime.health.failed(err, "a Lark event")  # Lark delivers it again later
            raise EventStoreDown(event_id) from err
        self.runtime.health.ok()
        return first


def _take_post(effects: list[Effect], channel_ref: str | None) -> tuple[Reply | None, Track | None]:
    """The first card a form's action posts to the form's own chat: it replaces the form in place."""
    for i, effect in enumerate(effects):
        if isinstance(effect, PostToChannel) and effect.channel_ref in (None, channel_ref):
            del effects[i]
            return effect.reply, effect.track
    return None, None


def _card_once(event_id: str | None, event: dict[str, Any], context: dict[str, Any]) -> str | None:
    if event_id:
        return request_key("event", event_id)
    token = event.get("token")
    if isinstance(token, str) and token:
        return request_key("card", token, str(context.get("open_message_id")))
    return None


def _toast(kind: str, content: str) -> dict[str, Any]:
    return {"toast": {"type": kind, "content": content}}


def _workspace(outcome: Outcome) -> int | None:
    return outcome.actor.workspace_id if outcome.actor else None


def _field_label(label: str | None, name: str) -> Text | str:
    """A refused field as its form labelled it (bot/render/lark.py: a catalogue key, or "=" and text)."""
    if label is None:
        return name
    return label[1:] if label.startswith("=") else Text(label)
