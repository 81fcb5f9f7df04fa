"""A digest slot for many channels at once, for tests/outbox/test_fanout.py and bench/bench_fanout.py:
workspaces of a few channels each, every channel with one digest (a summary card and its thread pages)
in the outbox, due at its slot; then what the fake Slack shows of them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.db import session_scope
from bot.effects import Where
from bot.outbox import queue
from bot.render.viewer import Viewer
from handlers.core.reply import PostToChannel, Reply
from models import outbox
from models.workspace import ensure_workspace
from tests.fakes.slack_api import FakeSlack

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Digest:
    channel: str
    team: str
    slot: float  # epoch seconds: not to be posted before
    parts: int  # the summary and its thread pages


@dataclass
class Seen:
    """What arrived, by marker (`dg-<channel>-<part>`): each message's ts, and the thread it is in."""

    ts: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    thread_of: dict[str, str | None] = field(default_factory=dict)
    parent_ts: dict[str, str] = field(default_factory=dict)  # channel → its summary's ts


def marker(channel: str, part: int) -> str:
    return f"dg-{channel}-{part}"


def channel_name(n: int) -> str:
    return f"C{n:05d}"


def seed(
    engine: Engine,
    fake: FakeSlack,
    *,
    channels: int,
    per_workspace: int,
    pages: int,
    slot_of: dict[int, float] | float,
) -> list[Digest]:
    """`channels` channels in workspaces of `per_workspace`, each with a digest of `pages` thread pages
    in the outbox, due at its slot (`slot_of`: one moment, or one per workspace index)."""
    digests: list[Digest] = []
    with session_scope(engine) as db:
        workspaces: dict[int, int] = {}
        for w in range((channels + per_workspace - 1) // per_workspace):
            found = ensure_workspace(
                db=db, platform="slack", external_id=f"T{w:04d}", name=f"Fan {w}", default_lang="en", default_tz="UTC"
            )
            assert found.id is not None
            workspaces[w] = found.id
        for c in range(channels):
            w, channel = c // per_workspace, channel_name(c)
            team = f"T{w:04d}"
            slot = slot_of if isinstance(slot_of, float) else slot_of[w]
            summary = Reply.message("common.usage", usage=marker(channel, 0))
            thread = tuple(Reply.message("common.usage", usage=marker(channel, p)) for p in range(1, pages + 1))
            queue.add(
                db=db,
                effect=PostToChannel(summary, channel_ref=channel, thread=thread),
                platform="slack",
                team_ref=team,
                viewer=Viewer(),
                where=Where(workspace_id=workspaces[w], user_ref="", channel_ref=channel),
                not_before=datetime.fromtimestamp(slot, UTC),  # written ahead of its slot, not due before it
            )
            fake.channel_teams[channel] = team
            digests.append(Digest(channel, team, slot, pages + 1))
    return digests


def seen(fake: FakeSlack) -> Seen:
    found = Seen()
    for message in fake.posted():
        text = str(message.get("text"))
        if "dg-" not in text:
            continue
        key = "dg-" + text.split("dg-", 1)[1].split()[0].rstrip(".`*_")
        found.ts[key].append(float(message["ts"]))
        found.thread_of[key] = message.get("thread_ts")
        if key.endswith("-0"):
            found.parent_ts[key.split("-")[1]] = message["ts"]
    return found


def problems(digests: list[Digest], found: Seen) -> list[str]:
    """Every way the fan-out went wrong: a part missing or doubled, posted before its slot, a page
    outside its summary's thread, or pages out of order."""
    wrong: list[str] = []
    for d in digests:
        stamps = []
        for part in range(d.parts):
            key = marker(d.channel, part)
            times = found.ts.get(key, [])
            if len(times) != 1:
                wrong.append(f"{key} posted {len(times)} times")
                continue
            if times[0] < d.slot:
                wrong.append(f"{key} posted {d.slot - times[0]:.3f} s before its slot")
            if part and found.thread_of.get(key) != found.parent_ts.get(d.channel):
                wrong.append(f"{key} is not in its summary's thread")
            if not part and found.thread_of.get(key):
                wrong.append(f"{key} (the summary) is itself a thread reply")
            stamps.append(times[0])
        if stamps != sorted(stamps):
            wrong.append(f"{d.channel}: parts out of order {stamps}")
    return wrong


def start_workers(count: int, env: dict[str, str]) -> list[subprocess.Popen[bytes]]:
    """`tradewind worker` processes, as the Procfile starts them."""
    return [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "worker"], env={**os.environ, **env}, cwd=ROOT, stdout=subprocess.DEVNULL
        )
        for _ in range(count)
    ]


def peak_rss_mb(proc: subprocess.Popen[bytes]) -> float | None:
    """The process's peak resident set so far (VmHWM), while it is alive."""
    try:
        for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def cpu_s(proc: subprocess.Popen[bytes]) -> float | None:
    """CPU seconds (user + system) the process has used so far, while it is alive."""
    try:
        fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 1)


def stop_workers(procs: list[subprocess.Popen[bytes]]) -> list[int | None]:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    codes: list[int | None] = []
    for proc in procs:
        try:
            codes.append(proc.wait(30))
        except subprocess.TimeoutExpired:
            proc.kill()
            codes.append(None)
    return codes


def pending(engine: Engine) -> int:
    with session_scope(engine) as db:
        return outbox.pending_count(db=db)
