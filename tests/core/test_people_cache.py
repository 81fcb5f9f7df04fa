"""The cache of who each person is: used only while their workspace's people_version is unchanged
(whichever process, or whichever code path, changed them), and dropped after its TTL in any case."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.runtime import ActorCache, Caller, Runtime
from handlers import REGISTRY
from handlers.core.command import Actor
from models.workspace import Member, Workspace

ANA = Caller("slack", "T1", "U1", user_name="ana")
BO = Caller("slack", "T1", "U2", user_name="bo")


def actor(role: str = "member") -> Actor:
    return Actor(
        workspace_id=1, member_id=1, platform="slack", user_ref="U1", name="ana", role=role, lang="en", tz="UTC"
    )


def test_an_entry_expires_after_its_ttl() -> None:
    now = [100.0]
    cache = ActorCache(ttl_s=30.0, clock=lambda: now[0])
    cache.put(ANA, actor(), version=4)
    now[0] = 129.9
    assert cache.get(ANA, 4) == actor()
    now[0] = 130.1
    assert cache.get(ANA, 4) is None


def test_an_entry_read_at_another_version_is_not_used() -> None:
    cache = ActorCache()
    cache.put(ANA, actor(), version=4)
    assert cache.get(ANA, 5) is None
    assert cache.get(ANA, None) is None  # the workspace is gone


def people_version(engine: Engine) -> int:
    with Session(engine) as db:
        return db.exec(select(Workspace.people_version)).one()


def test_changes_to_people_or_settings_bump_the_version_and_others_do_not(engine: Engine) -> None:
    runtime = Runtime(engine, REGISTRY)
    runtime.command(ANA, "pm", "me")
    runtime.command(BO, "pm", "me")
    start = people_version(engine)
    runtime.command(ANA, "req", "add a requirement")
    assert people_version(engine) == start
    runtime.command(ANA, "pm", "role <@U2> approver")
    assert people_version(engine) == start + 1
    runtime.command(BO, "pm", "lang zh-CN")
    runtime.command(ANA, "pm", "settings adhoc_approvers=on")
    assert people_version(engine) == start + 3


def test_a_change_written_by_another_runtime_is_seen_on_the_next_request(engine: Engine) -> None:
    here, elsewhere = Runtime(engine, REGISTRY), Runtime(engine, REGISTRY)
    here.command(ANA, "pm", "me")
    assert here.command(BO, "pm", "me").actor.role == "member"  # cached here
    elsewhere.command(ANA, "pm", "role <@U2> approver")
    assert here.command(BO, "pm", "me").actor.role == "approver"
    with Session(engine) as db:  # and by any code that changes a member through the models
        bo = db.exec(select(Member).where(Member.external_id == "U2")).one()
        bo.role = "member"
        db.add(bo)
        db.commit()
    assert here.command(BO, "pm", "me").actor.role == "member"
