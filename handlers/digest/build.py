"""Building a channel's digest: every feature's sections and the standup answers for a window, as a
short summary for the channel and thread pages that stay within the platforms' message limits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from handlers.core.digest import DigestItem, DigestScope, DigestSection, DigestSectionFn
from handlers.core.reply import Reply, Text, Visibility
from models.digest import run as run_model
from models.digest.schedule import DAYS, DigestChannel
from models.standup import answer as standup_model
from models.workspace import names_of

# A page is at most 38 blocks of at most 8 lines (Slack: 50 blocks a message, 3,000 characters a
# section) and about 8,000 characters (Lark: 30 KB a card). Lines are clipped to 300 characters and
# each standup answer to 900, in the templates.
LINES_PER_BLOCK = 8
BLOCKS_PER_PAGE = 38
CHARS_PER_PAGE = 8000
BLOCKERS_IN_SUMMARY = 5
STANDUP_ORDER = 5
DEFAULT_WINDOW = timedelta(days=1)


@dataclass
class Digest:
    summary: Reply
    pages: list[Reply]
    news: bool  # something happened in the window (the standing top-of-backlog list does not count)

    @property
    def parts(self) -> list[Reply]:
        return [self.summary, *self.pages]

    def preview(self) -> Reply:
        first = self.pages[0].data["page"] if self.pages else None
        return Reply(
            "digest_preview",
            {"summary": self.summary.data["summary"], "page": first, "more_pages": max(0, len(self.pages) - 1)},
            lang=self.summary.lang,
        )


def scope_for(
    db: Session,
    *,
    workspace_id: int,
    channel_ref: str,
    settings: DigestChannel | None,
    until: datetime,
    tz: str,
    fallback_since: datetime | None = None,
    exclude_run: int | None = None,
) -> DigestScope:
    """The window since the channel's last digest (or `fallback_since`, else a day) up to `until`."""
    last = run_model.last_covering(db=db, workspace_id=workspace_id, channel_ref=channel_ref, before_id=exclude_run)
    if last is not None and last.covers_until is not None:
        since, after = last.covers_until, last.audit_upto or 0
    else:
        since = fallback_since or until - DEFAULT_WINDOW
        after = run_model.audit_before(db=db, workspace_id=workspace_id, at=since)
    return DigestScope(
        workspace_id=workspace_id,
        channel_ref=channel_ref,
        markets=settings.market_list if settings else (),
        since=since,
        until=until,
        audit_after=after,
        audit_upto=run_model.audit_high_water(db=db),
        tz=tz,
    )


def build(
    db: Session,
    scope: DigestScope,
    *,
    lang: str | None,
    day: date | None = None,
    sections: Sequence[DigestSectionFn] | None = None,
) -> Digest:
    found = _sections(db, scope, sections)
    answers = standup_model.answers_between(
        db=db, workspace_id=scope.workspace_id, channel_ref=scope.channel_ref, since=scope.since, until=scope.until
    )
    who = _people(db, found, answers)
    drawn = [_lines_section(s, who) for s in found]
    if answers:
        drawn.append(_standup_section(answers, who))
    drawn.sort(key=lambda s: s["order"])
    day = day or scope.until.astimezone(ZoneInfo(scope.tz)).date()
    split = _paginate(drawn)
    pages = [
        Reply(
            "digest_page",
            {"page": {"index": i + 1, "total": len(split), "day": day, "sections": sections}},
            visibility=Visibility.CHANNEL,
            lang=lang,
        )
        for i, sections in enumerate(split)
    ]
    news = any(s.news and s.items for s in found) or bool(answers)
    blockers = [{"who": who.get(a.member_id), "text": a.blockers} for a in answers if a.blockers]
    counts = [s.summary for s in sorted(found, key=lambda s: s.order) if s.news and s.summary is not None]
    if answers:
        counts.append(Text("digest.standup.count", {"n": len(answers), "blocked": len(blockers)}))
    summary = Reply(
        "digest_summary",
        {
            "summary": {
                "day": day,
                "weekday": Text(f"digest.day.{DAYS[day.weekday()]}"),
                "since": scope.since,
                "markets": list(scope.markets),
                "counts": counts,
                "blockers": blockers[:BLOCKERS_IN_SUMMARY],
                "more_blockers": max(0, len(blockers) - BLOCKERS_IN_SUMMARY),
                "threaded": bool(pages),
                "nothing": not news,
            }
        },
        visibility=Visibility.CHANNEL,
        lang=lang,
    )
    return Digest(summary, pages, news)


def registered_sections() -> list[DigestSectionFn]:
    from handlers import DIGEST_SECTIONS

    return list(DIGEST_SECTIONS)


def _sections(db: Session, scope: DigestScope, fns: Sequence[DigestSectionFn] | None) -> list[DigestSection]:
    found: list[DigestSection] = []
    for fn in registered_sections() if fns is None else fns:
        result = fn(db, scope)
        if result is None:
            continue
        found.extend([result] if isinstance(result, DigestSection) else result)
    return [s for s in found if s.items]


def _people(
    db: Session, sections: Iterable[DigestSection], answers: list[standup_model.Answer]
) -> dict[int, dict[str, Any]]:
    ids = {item.who for s in sections for item in s.items} | {a.member_id for a in answers}
    return {i: {"ref": ref, "name": name} for i, (ref, name) in names_of(db=db, member_ids=ids).items()}


def _lines_section(section: DigestSection, who: dict[int, dict[str, Any]]) -> dict[str, Any]:
    return {
        "kind": "lines",
        "title": section.title,
        "order": section.order,
        "items": [_line(item, who) for item in section.items],
        "more": max(0, (section.total or len(section.items)) - len(section.items)),
    }


def _line(item: DigestItem, who: dict[int, dict[str, Any]]) -> dict[str, Any]:
    return {
        "key": item.key,
        "title": item.title,
        "detail": item.detail,
        "who": who.get(item.who) if item.who is not None else None,
    }


def _standup_section(answers: list[standup_model.Answer], who: dict[int, dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(answers, key=lambda a: (a.blockers is None, a.updated_at))  # blockers first
    return {
        "kind": "standup",
        "title": Text("digest.standup.title"),
        "order": STANDUP_ORDER,
        "items": [
            {
                "who": who.get(a.member_id),
                "day": a.day,
                "yesterday": a.yesterday,
                "today": a.today,
                "blockers": a.blockers,
            }
            for a in ordered
        ],
        "more": 0,
    }


def _paginate(sections: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Split sections into pages of blocks ("units": a few lines, or one person's answer)."""
    pages: list[list[dict[str, Any]]] = []
    page: list[dict[str, Any]] = []
    blocks = chars = 0
    for section in sections:
        per_unit = LINES_PER_BLOCK if section["kind"] == "lines" else 1
        items = section["items"]
        units = [items[i : i + per_unit] for i in range(0, len(items), per_unit)]
        current: dict[str, Any] | None = None
        for n, unit in enumerate(units):
            cost = sum(_size(item) for item in unit)
            if page and (blocks + 1 > BLOCKS_PER_PAGE or chars + cost > CHARS_PER_PAGE):
                pages.append(page)
                page, blocks, chars, current = [], 0, 0, None
            if current is None:
                current = {**section, "units": [], "continued": n > 0, "more": 0}
                del current["items"]
                page.append(current)
            current["units"].append(unit)
            blocks += 1
            chars += cost
        if current is not None:
            current["more"] = section["more"]
    if page:
        pages.append(page)
    return pages


def _size(item: dict[str, Any]) -> int:
    if "today" in item:
        return 60 + sum(min(len(item[k] or ""), 900) for k in ("yesterday", "today", "blockers"))
    return 80 + len(item["key"] or "") + min(len(item["title"] or ""), 150)
