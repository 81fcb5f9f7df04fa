""" "Add to Slack": installed from the install page in two workspaces, each answered and posted to with its
own bot token; states good once; bad codes, secrets and redirect URLs refused; uninstall stops one
workspace and leaves the other working; rotating tokens refreshed before they expire."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import time_machine
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData, Table, text
from sqlmodel import Session, select

from bot.delivery import Platforms
from bot.runtime import Caller
from bot.scheduler import Scheduler
from handlers.core.jobs import Delivery
from handlers.core.reply import PostToChannel, Reply
from models.requirements.requirement import Requirement
from models.workspace import Workspace
from tests.digest.support import advance, summaries
from tests.fakes.slack_api import OAuthApp
from tests.slack.install_support import CLIENT_ID, CLIENT_SECRET, installed_app, issued, member, stored_bots


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_two_workspaces_installed_from_the_page_are_each_answered_with_their_own_token(
    database_url, engine, fake_slack
):
    with installed_app(database_url, engine, fake_slack) as app:
        for team in ("T2", "T3"):
            done = app.install(team)
            assert done.status_code == 200 and "Thank you" in done.text
        tokens = issued(fake_slack)
        assert set(tokens) == {"T2", "T3"} and tokens["T2"] != tokens["T3"]
        assert stored_bots(engine) == tokens
        for team in ("T2", "T3"):
            answer = app.slack.command("add Fix returns label market=US", who=member(team))
            assert answer.status_code == 200
            assert "REQ-1" in json.dumps(answer.json())  # each workspace has its own numbering
        app.settle()
        # After the answer each new member's profile is read with their own workspace's token.
        looked_up = {(c.body["user"], c.token) for c in fake_slack.calls_to("users.info")}
        assert looked_up == {("UT2", tokens["T2"]), ("UT3", tokens["T3"])}
        assert {c.token for c in fake_slack.calls_to("auth.test")} >= {tokens["T2"], tokens["T3"]}
        for team in ("T2", "T3"):  # each person's Home tab is published with their workspace's token
            event = {"type": "app_home_opened", "user": f"U{team}", "channel": f"D{team}", "tab": "home"}
            assert app.slack.event(event, event_id=f"EvHome{team}", team=team).status_code == 200
        app.settle()
        homes = {(c.body["user_id"], c.token) for c in fake_slack.calls_to("views.publish")}
        assert homes == {("UT2", tokens["T2"]), ("UT3", tokens["T3"])}
        # A workspace that never installed the app is not answered, and no token is spent on it.
        before = len(fake_slack.calls)
        stranger = app.slack.command("list", who=member("T9"))
        assert stranger.status_code == 200 and "REQ" not in stranger.text
        app.settle()
        assert all(c.token in (None, *tokens.values()) for c in fake_slack.calls[before:])


def test_a_state_is_good_once_and_a_forged_one_is_refused_before_slack_is_asked(database_url, engine, fake_slack):
    with installed_app(database_url, engine, fake_slack) as app:
        link, cookie = app.install_page()
        location = app.consent(link, "T2").headers["location"]
        assert app.come_back(location, cookie).status_code == 200
        replay = app.come_back(location, cookie)
        assert replay.status_code == 401  # invalid_state: the row was consumed by the first redirect
        assert len(fake_slack.calls_to("oauth.v2.access")) == 1

        link, cookie = app.install_page()
        location = app.consent(link, "T3").headers["location"]
        state = cookie.split("=", 1)[1]
        forged = state.rsplit(".", 1)[0] + ".0000000000000000deadbeefdeadbeef"
        refused = app.come_back(location.replace(state, forged), cookie.replace(state, forged))
        assert refused.status_code == 401
        wrong_browser = app.come_back(location, "slack-app-oauth-state=someone-else")
        assert wrong_browser.status_code == 400  # invalid_browser: the state is not this browser's
        assert len(fake_slack.calls_to("oauth.v2.access")) == 1
        assert set(stored_bots(engine)) == {"T2"}


def test_a_bad_code_is_refused_by_slack_and_nothing_is_stored(database_url, engine, fake_slack):
    with installed_app(database_url, engine, fake_slack) as app:
        link, cookie = app.install_page()
        location = app.consent(link, "T2").headers["location"]
        code = location.split("code=", 1)[1].split("&", 1)[0]
        refused = app.come_back(location.replace(code, "T2.made-up"), cookie)
        assert refused.status_code == 401
        [call] = fake_slack.calls_to("oauth.v2.access")
        assert call.body["code"] == "T2.made-up"
        assert stored_bots(engine) == {}


def test_a_wrong_client_secret_is_refused_by_slack_and_nothing_is_stored(database_url, engine, fake_slack):
    with installed_app(database_url, engine, fake_slack, slack_client_secret="not-the-secret") as app:
        assert app.install("T2").status_code == 401
        assert len(fake_slack.calls_to("oauth.v2.access")) == 1
        assert fake_slack.tokens == {} and stored_bots(engine) == {}


def test_a_redirect_url_slack_does_not_know_is_refused_on_its_page(database_url, engine, fake_slack):
    registered = OAuthApp(CLIENT_ID, CLIENT_SECRET, redirect_uri="https://tradewind.example.com/slack/oauth_redirect")
    with installed_app(database_url, engine, fake_slack, app=registered) as app:
        link, _cookie = app.install_page()
        consent = app.consent(link, "T2")
        assert consent.status_code == 400 and "bad_redirect_uri" in consent.text
        assert fake_slack.codes == {}


def test_uninstall_stops_that_workspaces_digests_keeps_its_data_and_leaves_the_other_working(
    database_url, engine, fake_slack
):
    with installed_app(database_url, engine, fake_slack) as app:
        for team in ("T2", "T3"):
            app.install(team)
        tokens = issued(fake_slack)
        with time_machine.travel(utc(2026, 6, 1, 0, 0), tick=True) as clock:
            for team in ("T2", "T3"):
                who = member(team)
                caller = Caller("slack", team, who.user, channel_ref=who.channel)
                app.runtime.command(caller, "req", "add Customs paperwork for DE market=DE")
                app.runtime.command(caller, "digest", "schedule 09:00 UTC daily")
                app.runtime.command(caller, "digest", "always on")
            scheduler = Scheduler(engine, Platforms.from_settings(app.settings, engine), jobs=()).start()
            try:
                advance(clock, utc(2026, 6, 1, 9, 0, 2), scheduler)
                first = {team: summaries(fake_slack, f"C{team}") for team in ("T2", "T3")}
                assert [c.token for c in first["T2"]] == [tokens["T2"]]
                assert [c.token for c in first["T3"]] == [tokens["T3"]]

                fake_slack.uninstall("T2")
                mark = len(fake_slack.calls)
                removed = app.slack.event({"type": "app_uninstalled"}, event_id="EvUninstall", team="T2")
                assert removed.status_code == 200
                assert set(stored_bots(engine)) == {"T3"}

                advance(clock, utc(2026, 6, 2, 9, 0, 2), scheduler)
                assert len(summaries(fake_slack, "CT2")) == 1  # nothing more where the app was removed
                assert [c.token for c in summaries(fake_slack, "CT3")] == [tokens["T3"]] * 2
            finally:
                scheduler.shutdown(wait=True)
        platforms = Platforms.from_settings(app.settings, engine)
        with Session(engine) as db:
            teams = {w.external_id: w for w in db.exec(select(Workspace)).all()}
            kept = db.exec(select(Requirement).where(Requirement.workspace_id == teams["T2"].id)).all()
        assert teams["T2"].uninstalled_at is not None and teams["T3"].uninstalled_at is None
        assert len(kept) == 1  # the team's records stay for a reinstall
        note = PostToChannel(Reply.message("common.button_expired"), channel_ref="C1")
        sent = platforms.deliver([Delivery(teams["T2"].id, note), Delivery(teams["T3"].id, note)])
        assert sent == 1
        assert fake_slack.calls_to("chat.postMessage")[-1].token == tokens["T3"]
        assert tokens["T2"] not in {c.token for c in fake_slack.calls[mark:]}

        # Installing again brings the workspace back, with its data.
        app.install("T2")
        with Session(engine) as db:
            assert db.get(Workspace, teams["T2"].id).uninstalled_at is None  # type: ignore[union-attr]


def test_a_revoked_bot_token_removes_the_installation(database_url, engine, fake_slack):
    with installed_app(database_url, engine, fake_slack) as app:
        app.install("T2")
        app.runtime.command(Caller("slack", "T2", "UT2", channel_ref="CT2"), "req", "add Label")
        event = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBT2"]}}
        assert app.slack.event(event, event_id="EvRevoked", team="T2").status_code == 200
        assert stored_bots(engine) == {}
        with Session(engine) as db:
            assert db.exec(select(Workspace.uninstalled_at)).one() is not None


def test_a_rotating_token_is_refreshed_before_it_expires_for_requests_and_for_posts(database_url, engine, fake_slack):
    rotating = OAuthApp(CLIENT_ID, CLIENT_SECRET, redirect_uri="", rotation=True, expires_in=3600)
    port_changes = {"slack_token_rotation_minutes": 120}  # an hour left is inside the two-hour margin
    with installed_app(database_url, engine, fake_slack, app=rotating, **port_changes) as app:
        rotating.redirect_uri = app.settings.slack_redirect_uri or ""
        assert app.install("T2").status_code == 200
        first = stored_bots(engine)["T2"]
        assert first.startswith("xoxe.xoxb-")

        rotating.expires_in = 43_200  # the refreshed token lives twelve hours: no refresh after it
        answer = app.slack.command("add Refresh me", who=member("T2"))
        assert answer.status_code == 200 and "REQ-1" in json.dumps(answer.json())
        app.settle()
        refreshes = [c for c in fake_slack.calls_to("oauth.v2.access") if c.body.get("grant_type") == "refresh_token"]
        assert len(refreshes) == 1
        second = stored_bots(engine)["T2"]
        assert second != first and fake_slack.team_of(second) == "T2"
        assert [c.token for c in fake_slack.calls_to("users.info")] == [second]

        platforms = Platforms.from_settings(app.settings, engine)
        with Session(engine) as db:
            workspace_id = db.exec(select(Workspace.id)).one()
        note = PostToChannel(Reply.message("common.button_expired"), channel_ref="CT2")
        assert platforms.deliver([Delivery(workspace_id, note)]) == 1
        assert fake_slack.calls_to("chat.postMessage")[-1].token == second
        assert len([c for c in fake_slack.calls_to("oauth.v2.access") if c.body.get("grant_type")]) == 1


def test_the_install_tables_are_the_ones_slack_sdk_reads_and_writes(engine):
    """models/slack_install.py declares slack_sdk's tables for Alembic; the SDK must find them unchanged."""
    ours = MetaData()
    ours.reflect(engine, only=["slack_installations", "slack_bots", "slack_oauth_states"])
    sdk = MetaData()
    expected = [
        SQLAlchemyInstallationStore.build_installations_table(sdk, "slack_installations"),
        SQLAlchemyInstallationStore.build_bots_table(sdk, "slack_bots"),
        SQLAlchemyOAuthStateStore.build_oauth_states_table(sdk, "slack_oauth_states"),
    ]
    for table in expected:
        assert _shape(ours.tables[table.name]) == _shape(table)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM slack_bots")).scalar_one() == 0


def _shape(table: Table) -> dict[str, tuple[type, int | None, bool]]:
    return {c.name: (c.type.python_type, getattr(c.type, "length", None), bool(c.nullable)) for c in table.c}
