"""Helpers for the digest tests: commands as a Slack user through the real runtime, schedulers driven
through time travel, and what the Slack-like server received."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.db import make_engine
from bot.render.slack import SlackRenderer
from bot.render.text import TextRenderer
from bot.render.viewer import Viewer
from bot.runtime import Caller, Outcome, Runtime
from bot.scheduler import Scheduler
from bot.slack.app import make_client
from bot.slack.notifier import SlackNotifier
from handlers.digest.build import Digest, build, scope_for
from models.digest import schedule as digest_model
from models.digest.run import DigestRun
from models.digest.schedule import DigestChannel
from tests.conftest import slack_settings
from tests.fakes.slack_api import Call, FakeSlack


def digest_now(engine: Engine, *, lang: str = "en", sections: Any = None, channel: str = "console") -> Digest:
    """The channel's digest as the scheduler would build it now: the window since its last digest."""
    with Session(engine) as db:
        settings = digest_model.channel_settings(db=db, workspace_id=1, channel_ref=channel)
        scope = scope_for(
            db, workspace_id=1, channel_ref=channel, settings=settings, until=datetime.now(UTC), tz="Asia/Shanghai"
        )
        return build(db, scope, lang=lang, sections=sections)


def text_of(digest: Digest, lang: str = "en") -> str:
    renderer = TextRenderer()
    return "\n".join(renderer.message(part, Viewer(lang, "Asia/Shanghai")) for part in digest.parts)


def slack_messages(digest: Digest, lang: str = "en") -> list[dict[str, Any]]:
    renderer = SlackRenderer()
    return [renderer.message(part, Viewer(lang, "Asia/Shanghai")) for part in digest.parts]


def section(text: str, title: str) -> list[str]:
    """The lines of one section of a digest drawn as text (the first page it is on)."""
    lines = text.splitlines()
    start = lines.index(f"{title}:") + 1
    end = next((n for n in range(start, len(lines)) if not lines[n].startswith("  ")), len(lines))
    return [line.strip() for line in lines[start:end]]


def say(runtime: Runtime, text: str, *, root: str = "digest", user: str = "U1", channel: str = "C1") -> Outcome:
    """A slash command from a Slack user, through the same runtime the Slack app uses."""
    return runtime.command(Caller("slack", "T1", user, user_name=user.lower(), channel_ref=channel), root, text)


class Schedulers:
    """Start real schedulers (each with its own engine, as separate processes would have); stop them all."""

    def __init__(self, database_url: str, fake: FakeSlack) -> None:
        self.database_url = database_url
        self.fake = fake
        self.started: list[tuple[Scheduler, Engine]] = []

    def start(self, **options: Any) -> Scheduler:
        engine = make_engine(self.database_url)
        notifier = SlackNotifier(make_client(slack_settings(self.database_url, self.fake)), SlackRenderer())
        options.setdefault("jobs", ())
        scheduler = Scheduler(engine, {"slack": notifier}, **options)
        scheduler.start()
        scheduler.wait_idle(0)
        self.started.append((scheduler, engine))
        return scheduler

    def stop(self) -> None:
        for scheduler, engine in self.started:
            scheduler.shutdown(wait=True)
            engine.dispose()
        self.started.clear()


def advance(clock: Any, to: datetime, *schedulers: Scheduler) -> None:
    """Travel to `to`, make every scheduler run its minute sync now, and wait until all are idle."""
    clock.move_to(to)
    tickets = [s.poke() for s in schedulers]
    for s, ticket in zip(schedulers, tickets, strict=True):
        s.wait_idle(ticket)


def summaries(fake: FakeSlack, channel: str = "C1") -> list[Call]:
    """Digest summaries posted to a channel (thread replies excluded)."""
    return [
        c
        for c in fake.calls_to("chat.postMessage")
        if c.body.get("channel") == channel and not c.body.get("thread_ts") and _is_digest(c)
    ]


def thread_of(fake: FakeSlack, ts: str) -> list[Call]:
    return [c for c in fake.calls_to("chat.postMessage") if c.body.get("thread_ts") == ts]


def runs(engine: Engine) -> list[DigestRun]:
    with Session(engine) as db:
        return list(db.exec(select(DigestRun).order_by(DigestRun.id)).all())  # type: ignore[arg-type]


def channel(engine: Engine, ref: str = "C1") -> DigestChannel:
    with Session(engine) as db:
        return db.exec(select(DigestChannel).where(DigestChannel.channel_ref == ref)).one()


def backdate_schedule(engine: Engine, when: datetime, ref: str = "C1") -> None:
    """As if the schedule had been set at `when` (slots after it are owed)."""
    with Session(engine) as db:
        row = db.exec(select(DigestChannel).where(DigestChannel.channel_ref == ref)).one()
        row.effective_from = when
        db.add(row)
        db.commit()


def _is_digest(call: Call) -> bool:
    blocks = call.body.get("blocks") or []
    return bool(blocks) and blocks[0].get("type") == "header"
