"""The experiment sections of the standup digest: experiments started in the window, and running
experiments whose new results raise a sample-ratio alarm, reach the planned sample (with the verdict),
or decide earlier through their always-valid interval.

Readouts are computed only for running experiments that received results in the window, at most
MAX_READOUTS of them (most recent data first), with their counts summed by the database in one read.
"""

from __future__ import annotations

from sqlmodel import Session

from handlers.core.digest import DigestItem, DigestScope, DigestSection
from handlers.core.reply import Text
from handlers.experiments.lines import difference, p_value, rel, whole
from models.digest import activity
from models.experiments import digest as experiment_digest
from models.experiments.experiment import ENTITY, Experiment, ExpStatus
from models.experiments.queries import readout_of
from models.experiments.readout import Readout, Verdict

MAX_ITEMS = 100
MAX_READOUTS = 200
DATA = ("result", "import")


def experiment_sections(db: Session, scope: DigestScope) -> list[DigestSection]:
    entries = activity.window_entries(
        db=db,
        workspace_id=scope.workspace_id,
        entity=ENTITY,
        actions=("status", *DATA),
        after=scope.audit_after,
        upto=scope.audit_upto,
    )
    if not entries:
        return []
    started: dict[int, tuple[str, int | None]] = {}  # id → (status it started from, who started it)
    fed: dict[int, int] = {}  # id → its latest data entry, to read the most recently fed first
    for entry in entries:
        if entry.action == "status":
            before, after = (entry.changes.get("status") or [None, None])[:2]
            if after == ExpStatus.RUNNING.value:
                started.setdefault(entry.entity_id, (str(before), entry.actor_id))
        else:
            fed[entry.entity_id] = entry.audit_id
    latest = sorted(fed, key=fed.__getitem__, reverse=True)
    experiments = experiment_digest.by_id(db=db, ids=sorted(set(started) | set(latest)))
    readable = [
        i
        for i in latest
        if (item := experiments.get(i)) is not None
        and item.status == ExpStatus.RUNNING
        and scope.in_markets(item.market_list)
    ][:MAX_READOUTS]
    sections = []
    started_lines = [
        DigestItem(item.key, item.name, _started(item, before), who)
        for i, (before, who) in sorted(started.items(), key=lambda kv: _number(experiments.get(kv[0])))
        if (item := experiments.get(i)) is not None and scope.in_markets(item.market_list)
    ]
    if started_lines:
        sections.append(
            _section("exp.started", "exp.digest.started_title", "exp.digest.started_count", started_lines, 70)
        )
    counts = experiment_digest.counts_of(db=db, ids=readable)
    alarms, verdicts = [], []
    for i in sorted(readable, key=lambda i: experiments[i].number):
        item = experiments[i]
        readout = readout_of(item, counts[i], None)
        detail = _readout(readout)
        if detail is not None:
            line = DigestItem(item.key, item.name, detail, item.requester_id)
            (alarms if readout.verdict is Verdict.SRM else verdicts).append(line)
    if alarms or verdicts:
        lines = alarms + verdicts  # a sample-ratio alarm first: nothing else about it can be trusted
        sections.append(_section("exp.readouts", "exp.digest.readouts_title", "exp.digest.readouts_count", lines, 75))
    return sections


def _started(item: Experiment, before: str) -> Text:
    key = "exp.digest.restarted" if before == ExpStatus.STOPPED.value else "exp.digest.started"
    params = {"arms": len(item.arms), "needed": whole(sum(item.needed))}
    if not item.market_list:
        return Text(key, params)
    return Text("exp.digest.with_markets", {"what": Text(key, params), "markets": ", ".join(item.market_list)})


def _readout(readout: Readout) -> Text | None:
    """What the new results say, when they say something: an alarm, or the planned sample reached."""
    verdict = readout.verdict
    if verdict is Verdict.SRM:
        return Text("exp.digest.srm", {"p": _p(readout.srm_p or 0.0)})
    decided = verdict in (Verdict.WIN, Verdict.LOSS)
    if not readout.reached and not decided:
        return None
    if decided:
        lead = next(c for c in readout.comparisons if c.arm == readout.lead)
        params = {
            "arm": lead.arm,
            "rel": rel(lead.relative),
            "p": _p(lead.p_adjusted),
            **difference(readout, lead.diff),
        }
        early = "_early" if not readout.reached else ""  # an always-valid interval decides before the plan
        return Text(f"exp.digest.{verdict.value}{early}", params)
    if verdict is Verdict.NO_EFFECT:
        return Text("exp.digest.no_effect")
    return Text("exp.digest.reached_unreadable")


def _p(p: float) -> str:
    """p = 0.0008, or p < 0.0001."""
    shown = p_value(p)
    return f"p {shown}" if shown.startswith("<") else f"p = {shown}"


def _number(item: Experiment | None) -> int:
    return item.number if item is not None else 0


def _section(name: str, title: str, count: str, lines: list[DigestItem], order: int) -> DigestSection:
    return DigestSection(
        name,
        Text(title),
        tuple(lines[:MAX_ITEMS]),
        summary=Text(count, {"n": len(lines)}),
        order=order,
        total=len(lines),
    )


SECTIONS = (experiment_sections,)
