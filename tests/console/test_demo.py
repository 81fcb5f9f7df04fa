"""The first five minutes: the demo on an empty and on a used database, and rehearsing a team with /as."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from bot.console.demo import DEMO_TEAM, SCRIPT, DemoRefused, demo_loaded, seed_demo
from bot.runtime import Runtime
from models.approvals.approval import Approval
from models.audit import AuditEntry
from models.requirements.requirement import Requirement
from models.workspace import Member, Workspace
from tests.support.console import ConsoleDriver
from tests.test_cli import env, tradewind


def requirements_per_workspace(engine) -> dict[str, int]:
    with Session(engine) as db:
        rows = db.exec(
            select(Workspace.external_id, func.count(Requirement.id))
            .join(Requirement, Requirement.workspace_id == Workspace.id)
            .group_by(Workspace.external_id)
        ).all()
    return dict(rows)


def test_demo_loads_beside_a_used_console_and_only_once(runtime: Runtime, engine, console: ConsoleDriver) -> None:
    console.as_user("me").send("/pm help")  # the first person in the console is its admin
    console.send("/req add my own work")
    assert seed_demo(runtime) is True
    assert seed_demo(runtime) is False
    assert requirements_per_workspace(engine) == {"console": 1, DEMO_TEAM: 12}
    with Session(engine) as db:
        roles = dict(
            db.exec(
                select(Member.external_id, Member.role)
                .join(Workspace, Workspace.id == Member.workspace_id)
                .where(Workspace.external_id == DEMO_TEAM)
            ).all()
        )
        assert db.exec(select(Approval.state)).all() == ["pending"]
    assert roles == {"mei": "admin", "sam": "approver", "ana": "approver", "li": "member"}


def test_a_refused_line_leaves_no_demo_behind(runtime: Runtime, engine) -> None:
    script = (*SCRIPT[:3], ("mei", "/req add x market=XX"))
    with pytest.raises(DemoRefused) as refused:
        seed_demo(runtime, script)
    assert refused.value.line == "/req add x market=XX"
    assert "`XX` is not an ISO country code" in refused.value.answer or "XX is not an ISO" in refused.value.answer
    assert not demo_loaded(runtime)
    assert seed_demo(runtime) is True  # a later attempt loads it whole
    assert requirements_per_workspace(engine)[DEMO_TEAM] == 12


def test_as_switches_who_decides_and_the_approval_is_used(runtime: Runtime, engine) -> None:
    seed_demo(runtime)
    demo = ConsoleDriver(runtime, user="mei", team=DEMO_TEAM)
    assert "so you can't decide it" in demo.send("/pm lang en") + demo.send("/req show REQ-8") + demo.send("1")
    assert "You are now @sam" in demo.send("/as @sam")
    out = demo.send("/req show REQ-8")
    assert "[1] Approve  [2] Reject  [3] Request changes  [4] Transfer  [5] Remind" in out
    out = demo.send("1")
    assert "(private message to @mei)" in out
    with Session(engine) as db:
        assert db.exec(select(Approval.state)).one() == "approved"
        assert db.exec(select(Requirement.status).where(Requirement.number == 8)).one() == "approved"
        deciders = db.exec(
            select(Member.external_id)
            .join(AuditEntry, AuditEntry.actor_id == Member.id)
            .where(AuditEntry.action == "decide")
        ).all()
    assert deciders == ["sam"]


def test_as_needs_a_name(runtime: Runtime) -> None:
    demo = ConsoleDriver(runtime, user="mei")
    assert "You are @mei. /as @name" in demo.send("/as")
    assert "You are @mei." in demo.send("/as two words")
    assert "你是 @mei" in (demo.send("/pm lang zh") and demo.send("/as"))


def test_make_demo_after_make_run_on_the_same_database(tmp_path: Path) -> None:
    def run(*args: str, typed: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            tradewind(*args), input=typed, capture_output=True, text=True, env=env(tmp_path), cwd=tmp_path, timeout=90
        )

    first = run("console", "--user", "root", typed="/pm help\n/req add mine\nexit\n")
    assert first.returncode == 0 and "REQ-1 logged." in first.stdout
    demo = run("console", "--demo", typed="/req list\nexit\n")
    assert demo.returncode == 0, demo.stderr
    assert "Demo loaded into its own workspace" in demo.stderr and "Traceback" not in demo.stderr
    assert "共 12 条" in demo.stdout and "you are @mei" in demo.stdout
    again = run("console", "--demo", typed="/req list\nexit\n")
    assert "Demo workspace opened" in again.stderr and "共 12 条" in again.stdout
    mine = run("console", "--user", "root", typed="/req list\nexit\n")
    assert "1–1 of 1" in mine.stdout and "REQ-1 mine" in mine.stdout
