"""Files people attach on Slack: fetched with the bot token from `url_private`, and files shared in
the thread of a card the bot is tracking routed to that entity's file action."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine

from bot.db import session_scope
from handlers.core.reply import Attachment, FileRef
from models.chat_message import tracked_in

log = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024
TIMEOUT_S = 20
SLACK_FILE_HOSTS = (".slack.com", ".slack-edge.com", ".slack-gov.com")


class FileUnavailable(Exception):
    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason  # "too_big" or "unavailable"


class SlackFiles:
    def __init__(
        self, token_for: Callable[[str | None], str | None], api_url: str, *, max_bytes: int = MAX_BYTES
    ) -> None:
        self.token_for = token_for  # the bot token of a team (its workspace's own, with many installed)
        self.api_host = urlsplit(api_url).netloc
        self.max_bytes = max_bytes

    def trusted(self, url: str) -> bool:
        """The bot token goes only to Slack's own file hosts (or the host its Web API is reached at)."""
        parts = urlsplit(url)
        if parts.netloc and parts.netloc == self.api_host:
            return parts.scheme in ("http", "https")
        host = parts.hostname or ""
        return parts.scheme == "https" and (host == "slack.com" or host.endswith(SLACK_FILE_HOSTS))

    def fetch(self, ref: FileRef, team_ref: str | None) -> Attachment:
        if ref.size is not None and ref.size > self.max_bytes:
            raise FileUnavailable(ref.name, "too_big")
        token = self.token_for(team_ref) if self.trusted(ref.url) else None
        if not token:
            log.warning("not fetching %s: untrusted URL or no token for team %s", ref.name, team_ref)
            raise FileUnavailable(ref.name, "unavailable")
        request = urllib.request.Request(ref.url, headers={"Authorization": f"Bearer {token}"})
        opener = urllib.request.build_opener(_KeepTokenOnSlack(self.trusted))
        try:
            with opener.open(request, timeout=TIMEOUT_S) as response:
                content = response.read(self.max_bytes + 1)
                kind = response.headers.get("Content-Type", "")
        except (urllib.error.URLError, TimeoutError, OSError) as err:
            log.warning("could not fetch %s: %s", ref.name, err)
            raise FileUnavailable(ref.name, "unavailable") from err
        if len(content) > self.max_bytes:
            raise FileUnavailable(ref.name, "too_big")
        if kind.startswith("text/html"):
            # Slack answers a request it will not serve (a missing files:read scope) with its login page.
            log.warning("fetching %s returned a web page, not the file: is the files:read scope granted?", ref.name)
            raise FileUnavailable(ref.name, "unavailable")
        return Attachment(ref.name, content)


class _KeepTokenOnSlack(urllib.request.HTTPRedirectHandler):
    """Follow redirects, but send the token on only to trusted hosts."""

    def __init__(self, trusted: Callable[[str], bool]) -> None:
        self.trusted = trusted

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and not self.trusted(newurl):
            new.remove_header("Authorization")
        return new


def file_ref(file: dict[str, Any]) -> FileRef | None:
    """A Slack file object (events, files.info, a modal's file input) as a FileRef."""
    url = file.get("url_private_download") or file.get("url_private")
    if not url:
        return None
    name = str(file.get("name") or file.get("title") or file.get("id") or "file")
    size = file.get("size")
    return FileRef(name, str(url), size if isinstance(size, int) else None)


def thread_shares(file: dict[str, Any], channel_ref: str) -> list[str]:
    """The threads (parent message ts) a file was shared into in one channel, from files.info."""
    shares = file.get("shares") or {}
    found = []
    for kind in ("public", "private"):
        for share in (shares.get(kind) or {}).get(channel_ref) or []:
            if share.get("thread_ts"):
                found.append(str(share["thread_ts"]))
    return found


def tracked_entity(engine: Engine, *, team_ref: str, channel_ref: str, message_ref: str) -> tuple[str, int] | None:
    """What the bot's message at (channel, ts) is about, if the bot tracks it."""
    with session_scope(engine) as db:
        rows = tracked_in(
            db=db, platform="slack", team_ref=team_ref, channel_ref=channel_ref, message_refs=[message_ref]
        )
    return (rows[0][0], rows[0][1]) if rows else None
