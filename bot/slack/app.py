"""The Bolt app: every slash command, button, modal and mention goes through the runtime.

Bolt runs with process_before_response=True: the listener's ack is the HTTP response, so the
database work is done inline (about a millisecond) and anything slow, such as Web API calls, is
handed to SlackEffects after the ack.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.db import read_scope, session_scope
from bot.outage import is_outage
from bot.render.slack import SlackRenderer
from bot.render.viewer import Viewer
from bot.runtime import Caller, Outcome, Runtime
from bot.settings import Settings
from bot.slack import inputs
from bot.slack.effects import SlackEffects, SlackWhere
from bot.slack.files import FileUnavailable, SlackFiles, file_ref, thread_shares, tracked_entity
from bot.slack.oauth import authorize, oauth_settings
from bot.slack.tokens import SlackTokens, make_client
from handlers.core.reply import Effect, FetchFiles, PostToChannel, Reply, Visibility, file_action
from models.processed_event import claim_event
from models.request_claim import is_claimed, request_key
from models.workspace import set_installed

log = logging.getLogger(__name__)


__all__ = ["SlackFrontEnd", "build_app", "make_client"]


def bolt_logger() -> logging.Logger:
    """Bolt's own logger, for errors only: below that it logs whole request bodies (a rejected
    request's with its signature; an unhandled one's fields)."""
    logger = logging.getLogger("slack_bolt")
    logger.setLevel(logging.ERROR)
    return logger


def build_app(settings: Settings, runtime: Runtime, *, tokens: SlackTokens | None = None) -> App:
    """One bot token (SLACK_BOT_TOKEN), or, with SLACK_CLIENT_ID and SLACK_CLIENT_SECRET, Bolt's OAuth flow
    and installation store: every request is authorized with its own team's token."""
    tokens = tokens or SlackTokens(settings, runtime.engine)
    if tokens.many:
        app = App(
            client=tokens.api,
            signing_secret=settings.slack_signing_secret,
            process_before_response=True,
            oauth_settings=oauth_settings(settings, tokens, runtime.engine),
            authorize=authorize(settings, tokens),
            logger=bolt_logger(),
        )
    else:
        app = App(
            client=make_client(settings),
            signing_secret=settings.slack_signing_secret,
            process_before_response=True,
            logger=bolt_logger(),
        )
    effects = SlackEffects(
        tokens, SlackRenderer(), runtime.engine, runtime.forget_people, runtime.background, lambda: runtime.outbox
    )
    front = SlackFrontEnd(runtime, effects, SlackFiles(tokens.token, settings.slack_api_url))
    app.middleware(_dedupe_events(runtime))
    app.shortcut(inputs.CAPTURE_SHORTCUT)(front.on_message_shortcut)
    app.command(re.compile(r"^/.+"))(front.on_command)
    app.action(re.compile(r".+"))(front.on_action)
    app.view(re.compile(r".+"))(front.on_view_submission)
    app.event("app_mention")(front.on_mention)
    app.event("message")(front.on_message)
    app.event("file_shared")(front.on_file_shared)
    app.event("app_home_opened")(front.on_home_opened)
    app.event("app_uninstalled")(front.on_uninstalled)
    app.event("tokens_revoked")(front.on_tokens_revoked)
    return app


class SlackFrontEnd:
    def __init__(self, runtime: Runtime, effects: SlackEffects, files: SlackFiles) -> None:
        self.runtime = runtime
        self.effects = effects
        self.renderer = effects.renderer
        self.files = files

    def on_command(self, ack: Ack, body: dict[str, Any]) -> None:
        caller = inputs.command_caller(body)
        once = inputs.command_once(body)
        asked = SlackWhere(
            workspace_id=None,
            team_ref=caller.team_ref,
            user_ref=caller.user_ref,
            channel_ref=caller.channel_ref,
            trigger_id=body.get("trigger_id"),
            response_url=body.get("response_url"),
        )
        outcome = self.runtime.command(caller, body["command"], body.get("text", ""), once=once, where=asked)
        reply = outcome.reply
        where = replace(asked, workspace_id=outcome.actor.workspace_id if outcome.actor else None)
        if reply.kind == "silent":
            ack()
        else:
            first, *rest = self._draw(reply, outcome.viewer)
            ack(response_type=reply.visibility.value, **first)
            if rest:
                self.effects.continue_answer(rest, reply, where)
        self._submit(reply.effects, outcome.viewer, where, caller)

    def on_action(self, ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        decoded = inputs.decode_button(action.get("value", ""))
        caller = inputs.interaction_caller(body)
        where = SlackWhere(
            workspace_id=None,
            team_ref=caller.team_ref,
            user_ref=caller.user_ref,
            channel_ref=caller.channel_ref,
            trigger_id=body.get("trigger_id"),
            response_url=body.get("response_url"),
        )
        if decoded is None:
            self.effects.respond(Reply.message("common.button_expired"), Viewer(self.runtime.default_lang), where)
            return
        name, payload = decoded
        outcome = self.runtime.action(caller, name, payload, once=inputs.click_once(body, action))
        if not _from_home(body):
            self._answer(outcome, replace(where, workspace_id=_workspace(outcome)), caller)
            return
        # A button in the Home tab: no message to answer in; a note goes to the person's DM, then the
        # tab is drawn afresh.
        where = replace(where, workspace_id=_workspace(outcome), from_home=True)
        reply = outcome.reply
        effects = list(reply.effects)
        if reply.kind != "silent":
            effects.insert(0, PostToChannel(reply, channel_ref=caller.user_ref))
        self._submit(effects, outcome.viewer, where, caller)
        self.effects.background.submit(self._guarded, self._publish_home, caller)

    def on_message_shortcut(self, ack: Ack, body: dict[str, Any]) -> None:
        """ "Log as requirement" from a message's menu: the requirement form, filled from the message. The
        permalink is asked for after the ack, then the form opened on the (3-second) trigger."""
        ack()
        if body.get("type") != "message_action" or not isinstance(body.get("message"), dict):
            return
        self.effects.background.submit(self._guarded, self._capture, body)

    def _capture(self, body: dict[str, Any]) -> None:
        caller = inputs.interaction_caller(body)
        message = body["message"]
        where = SlackWhere(
            workspace_id=None,
            team_ref=caller.team_ref,
            user_ref=caller.user_ref,
            channel_ref=caller.channel_ref,
            trigger_id=body.get("trigger_id"),
            response_url=body.get("response_url"),
        )
        payload = {
            "text": inputs.plain_message_text(message.get("text")),
            "author": message.get("user") if isinstance(message.get("user"), str) else None,
            "link": self._permalink(caller.team_ref, caller.channel_ref, message.get("ts")),
        }
        outcome = self.runtime.action(caller, "req.capture", payload, once=inputs.shortcut_once(body))
        self._answer(outcome, replace(where, workspace_id=_workspace(outcome)), caller)

    def _permalink(self, team_ref: str, channel_ref: str | None, ts: Any) -> str | None:
        """The message's permalink; without one the requirement is still logged, with no link."""
        if not channel_ref or not isinstance(ts, str):
            return None
        try:
            answer = self.effects.client(team_ref).chat_getPermalink(channel=channel_ref, message_ts=ts)
        except Exception as err:
            log.warning("no permalink for %s/%s: %s", channel_ref, ts, err)
            return None
        link = answer.get("permalink")
        return link if isinstance(link, str) else None

    def on_view_submission(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        metadata = inputs.form_metadata(view)
        caller = inputs.interaction_caller(body, channel_ref=metadata.get("c"))
        payload = metadata.get("p") if isinstance(metadata.get("p"), dict) else {}
        once = inputs.submission_once(body, view)
        outcome = self.runtime.action(caller, view["callback_id"], payload, form=inputs.form_values(view), once=once)
        reply = outcome.reply
        if outcome.repeated:
            ack()  # the modal closes; its result was posted when it was first submitted
            return
        if reply.form_errors:
            errors = {name: self.renderer.t(outcome.viewer, text) for name, text in reply.form_errors.items()}
            ack(response_action="errors", errors=errors)
            return
        ack()
        where = SlackWhere(
            workspace_id=_workspace(outcome),
            team_ref=caller.team_ref,
            user_ref=caller.user_ref,
            channel_ref=caller.channel_ref,
        )
        if reply.kind != "silent" and reply.visibility is Visibility.EPHEMERAL:
            self.effects.respond(reply, outcome.viewer, where)  # a confirmation only the submitter sees
        elif reply.kind != "silent":
            reply.effects.insert(0, _as_post(reply))
        self._submit(reply.effects, outcome.viewer, where, caller)
        if metadata.get("h"):  # a form opened from the Home tab: show the tab as it is now
            self.effects.background.submit(self._guarded, self._publish_home, caller)

    def on_mention(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        self._run_typed(body, event, thread_ts=event.get("thread_ts") or event.get("ts"))

    def on_message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        if event.get("subtype") == "file_share" and event.get("thread_ts") and not event.get("bot_id"):
            files = [f for f in event.get("files") or [] if isinstance(f, dict)]
            work = (body, event.get("channel"), str(event["thread_ts"]), event.get("user"), files)
            self.effects.background.submit(self._guarded, self._thread_files, *work)
            return
        self.on_direct_message(body, event)

    def on_file_shared(self, body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
        """file_shared names only the file and channel; which thread it went to comes from files.info."""
        if event.get("user_id") and event.get("user_id") == context.bot_user_id:
            return  # the bot's own uploads (charts)
        self.effects.background.submit(self._guarded, self._file_shared, body, event)

    def on_home_opened(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        if event.get("tab") != "home" or not event.get("user"):
            return  # the Messages tab
        caller = Caller(platform="slack", team_ref=inputs.team_ref(body), user_ref=str(event["user"]))
        self.effects.background.submit(self._guarded, self._publish_home, caller)

    def _publish_home(self, caller: Caller) -> None:
        """The person's dashboard (the /pm home card) published as their Home tab."""
        outcome = self.runtime.command(caller, "pm", "home")
        reply = outcome.reply  # the dashboard, or a note that it cannot be read now (the database is down)
        view = self.renderer.home(reply, outcome.viewer)
        self.effects.client(caller.team_ref).views_publish(user_id=caller.user_ref, view=view)
        where = SlackWhere(workspace_id=_workspace(outcome), team_ref=caller.team_ref, user_ref=caller.user_ref)
        self._submit(list(reply.effects), outcome.viewer, where, caller)

    def on_uninstalled(self, body: dict[str, Any], context: BoltContext) -> None:
        """The app was removed from a workspace: its tokens go, its digests and jobs stop; its data stays
        (requirements, risks, decisions are the team's records, and a reinstall finds them again)."""
        team = context.team_id or inputs.team_ref(body)
        if self.effects.tokens.store is not None:
            self.effects.tokens.store.delete_all(enterprise_id=context.enterprise_id, team_id=team)
        self._mark_removed(team, "app_uninstalled")

    def on_tokens_revoked(self, body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
        revoked = event.get("tokens") or {}
        team = context.team_id or inputs.team_ref(body)
        store = self.effects.tokens.store
        if store is not None:
            for user in revoked.get("oauth") or []:
                store.delete_installation(enterprise_id=context.enterprise_id, team_id=team, user_id=user)
            if revoked.get("bot"):
                store.delete_bot(enterprise_id=context.enterprise_id, team_id=team)
        if revoked.get("bot"):
            self._mark_removed(team, "tokens_revoked")

    def _mark_removed(self, team: str, why: str) -> None:
        with session_scope(self.runtime.engine) as db:
            known = set_installed(db=db, platform="slack", external_id=team, installed=False)
        log.info("Slack team %s: %s; its digests and jobs stop, its data is kept (known: %s)", team, why, known)

    def on_direct_message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        self._run_typed(body, event, thread_ts=None)

    def _run_typed(self, body: dict[str, Any], event: dict[str, Any], *, thread_ts: str | None) -> None:
        if not event.get("user"):
            return  # said by nobody we could answer as (a bot, a system message)
        root, rest = inputs.split_command_text(event.get("text") or "")
        caller = inputs.event_caller(body)
        event_id = body.get("event_id")
        once = request_key("event", str(event_id)) if event_id else None
        outcome = self.runtime.command(caller, root or "pm", rest, once=once, event=True)
        if outcome.repeated:
            log.info("Slack event %s already handled; delivery ignored", event_id)
            return
        where = SlackWhere(
            workspace_id=_workspace(outcome),
            team_ref=caller.team_ref,
            user_ref=caller.user_ref,
            channel_ref=caller.channel_ref,
            thread_ref=thread_ts,
        )
        effects = list(outcome.reply.effects)
        if outcome.reply.kind != "silent":
            effects.insert(0, _as_post(outcome.reply))
        self._submit(effects, outcome.viewer, where, caller)

    def _answer(self, outcome: Outcome, where: SlackWhere, caller: Caller) -> None:
        reply = outcome.reply
        if reply.kind != "silent":
            self.effects.respond(reply, outcome.viewer, where)
        self._submit(reply.effects, outcome.viewer, where, caller)

    def _submit(self, effects: list[Effect], viewer: Viewer, where: SlackWhere, caller: Caller) -> None:
        """Effects after the ack; fetching files needs the caller, to run the action as them."""
        self.effects.submit([e for e in effects if not isinstance(e, FetchFiles)], viewer, where)
        for effect in effects:
            if isinstance(effect, FetchFiles):
                self.effects.background.submit(self._guarded, self._fetch_and_run, effect, caller, viewer, where)

    def _fetch_and_run(self, effect: FetchFiles, caller: Caller, viewer: Viewer, where: SlackWhere) -> None:
        try:
            files = tuple(self.files.fetch(ref, caller.team_ref) for ref in effect.files)
        except FileUnavailable as err:
            key = "files.too_big" if err.reason == "too_big" else "files.unavailable"
            max_mb = self.files.max_bytes // (1024 * 1024)
            self.effects.respond(Reply.message(key, name=err.name, max_mb=max_mb), viewer, where)
            return
        outcome = self.runtime.action(caller, effect.action, effect.payload, files=files)
        self._deliver(outcome, replace(where, workspace_id=_workspace(outcome) or where.workspace_id), caller)

    def _deliver(self, outcome: Outcome, where: SlackWhere, caller: Caller) -> None:
        """A reply that answers no HTTP request: posted (in the thread, if any) when it is for the
        channel, otherwise shown to the person alone."""
        reply = outcome.reply
        effects = list(reply.effects)
        if reply.kind != "silent":
            if reply.visibility is Visibility.CHANNEL:
                effects.insert(0, _as_post(reply))
            else:
                self.effects.respond(reply, outcome.viewer, where)
        self._submit(effects, outcome.viewer, where, caller)

    def _file_shared(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        channel, file_id = event.get("channel_id"), event.get("file_id")
        if not channel or not file_id:
            return
        client = self.effects.client(inputs.team_ref(body))
        file = client.files_info(file=file_id).data.get("file") or {}  # type: ignore[union-attr]
        for thread_ts in thread_shares(file, channel):
            self._thread_files(body, channel, thread_ts, event.get("user_id"), [file])

    def _thread_files(
        self, body: dict[str, Any], channel: str | None, thread_ts: str, user: str | None, files: list[dict[str, Any]]
    ) -> None:
        """Files shared in the thread of a tracked card go to that entity's file action, once each."""
        if not channel or not user or not files:
            return
        team = inputs.team_ref(body)
        found = tracked_entity(self.runtime.engine, team_ref=team, channel_ref=channel, message_ref=thread_ts)
        if found is None or self.runtime.registry.action(file_action(found[0])) is None:
            return
        refs = []
        for file in files:
            if file_ref(file) is None and file.get("id"):  # some events carry only the id
                client = self.effects.client(team)
                file = client.files_info(file=file["id"]).data.get("file") or {}  # type: ignore[union-attr]
            ref = file_ref(file)
            # A share can reach us twice: as a message event and as file_shared.
            with session_scope(self.runtime.engine) as db:
                first = claim_event(db=db, platform="slack", event_id=f"file:{file.get('id')}:{thread_ts}")
            if ref is not None and first:
                refs.append(ref)
        if not refs:
            return
        caller = Caller(platform="slack", team_ref=team, user_ref=user, channel_ref=channel)
        payload = {"id": found[1], "thread": True}
        outcome = self.runtime.action(caller, file_action(found[0]), payload, form={"file": refs})
        where = SlackWhere(
            workspace_id=_workspace(outcome), team_ref=team, user_ref=user, channel_ref=channel, thread_ref=thread_ts
        )
        self._deliver(outcome, where, caller)

    @staticmethod
    def _guarded(work: Callable[..., None], *args: Any) -> None:
        try:
            work(*args)
        except Exception:
            log.exception("Slack background work %s failed", getattr(work, "__name__", work))

    def _draw(self, reply: Reply, viewer: Viewer) -> list[dict[str, Any]]:
        try:
            return self.renderer.messages(reply, viewer)
        except Exception:
            log.exception("reply %s could not be drawn for Slack", reply.kind)
            return self.renderer.messages(Reply.message("common.internal_error", ref="render"), viewer)


def _from_home(body: dict[str, Any]) -> bool:
    return (body.get("view") or {}).get("type") == "home"


def _as_post(reply: Reply) -> PostToChannel:
    return PostToChannel(reply)


def _workspace(outcome: Outcome) -> int | None:
    return outcome.actor.workspace_id if outcome.actor else None


def _dedupe_events(runtime: Runtime) -> Callable[..., Any]:
    """Slack retries an event it thinks we missed. A retry of an event whose handling committed is
    answered at once; the event itself is marked done in its handler's own transaction (a command in a
    message is claimed with its work, see Runtime.command), so a crash mid-handler loses nothing and
    the same event reaching two processes at once is carried out by one."""

    def middleware(body: dict[str, Any], next: Callable[[], BoltResponse]) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if not event_id:
            return next()
        try:
            with read_scope(runtime.engine) as db:
                done = is_claimed(db=db, platform="slack", key=request_key("event", str(event_id)))
        except (DBAPIError, PoolTimeout) as err:
            if not is_outage(err):
                raise
            runtime.health.failed(err, "a Slack event")  # Slack delivers it again later
            return BoltResponse(status=503, body="")
        runtime.health.ok()
        if done:
            log.info("event %s already handled; retry ignored", event_id)
            return BoltResponse(status=200, body="")
        return next()

    return middleware
