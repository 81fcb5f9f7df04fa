"""Building a channel's digest: every feature's sections and the standup answers for a window, as a
short summary for the channel and thread pages, each a card that fits one message on every platform."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

# The feature registry (handlers/__init__.py) is still loading when this module is imported; its
# DIGEST_SECTIONS is read only when a digest is built.
import handlers
from handlers.core.card import Mention
from handlers.core.digest import DigestScope, DigestSection, DigestSectionFn
from handlers.core.reply import Reply, Text
from handlers.digest import cards
from handlers.digest.cards import (
    ANSWER_PARTS,
    ANSWER_SHOWN,
    TITLE_SHOWN,
    Blocker,
    DigestLine,
    LinesSection,
    Page,
    PageSection,
    StandupEntry,
    StandupSection,
    Summary,
)
from models.digest import queries
from models.digest import run as run_model
from models.digest.schedule import DigestChannel
from models.standup.answer import Answer

# A page holds at most 30 blocks' worth of lines (8 lines, or one standup answer, to a block) and
# content of about 8,000 in `room` units, so that it fits one message everywhere: Slack takes 50
# blocks and about 12,000 characters of text in a message, Lark 30 KB in a card; and the private
# preview, the summary with the first page, fits one message too.
LINES_PER_BLOCK = 8
BLOCKS_PER_PAGE = 30
ROOM_PER_PAGE = 8000
LINE_OVERHEAD = 100  # the key, the catalogue detail, a mention, the markup
ANSWER_OVERHEAD = 80
BLOCKERS_IN_SUMMARY = 5
STANDUP_ORDER = 5
DEFAULT_WINDOW = timedelta(days=1)
# What a renderer may turn one character into: an entity (Slack escapes & < >; Lark markdown
# escapes these and [ ] * ~ ` as five-character entities) or, in a Lark card's JSON, a
# backslash escape; a character outside ASCII takes three bytes of a card.
ESCAPED = frozenset('&<>[]*~`"\\\n')


@dataclass
class Digest:
    summary: Reply
    pages: list[Reply]
    news: bool  # something happened in the window (the standing top-of-backlog list does not count)
    outline: Summary
    details: list[Page]

    @property
    def parts(self) -> list[Reply]:
        return [self.summary, *self.pages]

    def preview(self, viewer_lang: str | None = None) -> Reply:
        return cards.preview_reply(self.outline, self.details, lang=self.summary.lang, viewer_lang=viewer_lang)


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
    content = queries.digest_content(
        db=db,
        workspace_id=scope.workspace_id,
        channel_ref=scope.channel_ref,
        since=scope.since,
        until=scope.until,
        also=[item.who for s in found for item in s.items],
    )
    who = {i: Mention(ref, name) for i, (ref, name) in content.people.items()}
    answers = content.answers
    drawn: list[tuple[int, PageSection]] = [(s.order, _lines_section(s, who)) for s in found]
    if answers:
        drawn.append((STANDUP_ORDER, _standup_section(answers, who)))
    drawn.sort(key=lambda pair: pair[0])
    day = day or scope.until.astimezone(ZoneInfo(scope.tz)).date()
    split = _paginate([section for _, section in drawn])
    pages = [Page(i + 1, len(split), day, tuple(sections)) for i, sections in enumerate(split)]
    news = any(s.news and s.items for s in found) or bool(answers)
    blockers = [Blocker(who.get(a.member_id), a.blockers) for a in answers if a.blockers]
    counts = [s.summary for s in sorted(found, key=lambda s: s.order) if s.news and s.summary is not None]
    if answers:
        counts.append(Text("digest.standup.count", {"n": len(answers), "blocked": len(blockers)}))
    outline = Summary(
        day=day,
        since=scope.since,
        markets=tuple(scope.markets),
        counts=tuple(counts),
        blockers=tuple(blockers[:BLOCKERS_IN_SUMMARY]),
        more_blockers=max(0, len(blockers) - BLOCKERS_IN_SUMMARY),
        threaded=bool(pages),
        nothing=not news,
    )
    return Digest(
        summary=cards.summary_reply(outline, lang=lang),
        pages=[cards.page_reply(page, lang=lang) for page in pages],
        news=news,
        outline=outline,
        details=pages,
    )


def registered_sections() -> list[DigestSectionFn]:
    return list(handlers.DIGEST_SECTIONS)


def _sections(db: Session, scope: DigestScope, fns: Sequence[DigestSectionFn] | None) -> list[DigestSection]:
    found: list[DigestSection] = []
    for fn in registered_sections() if fns is None else fns:
        result = fn(db, scope)
        if result is None:
            continue
        found.extend([result] if isinstance(result, DigestSection) else result)
    return [s for s in found if s.items]


def _lines_section(section: DigestSection, who: dict[int, Mention]) -> LinesSection:
    lines = tuple(
        DigestLine(item.key, item.title, item.detail, who.get(item.who) if item.who is not None else None)
        for item in section.items
    )
    return LinesSection(section.title, lines, more=max(0, (section.total or len(lines)) - len(lines)))


def _standup_section(answers: list[Answer], who: dict[int, Mention]) -> StandupSection:
    ordered = sorted(answers, key=lambda a: (a.blockers is None, a.updated_at))  # blockers first
    entries = tuple(
        StandupEntry(who.get(a.member_id), a.day, a.yesterday, a.today, a.blockers, a.custom) for a in ordered
    )
    return StandupSection(Text("digest.standup.title"), entries)


def _paginate(sections: list[PageSection]) -> list[list[PageSection]]:
    """Sections split into pages at item boundaries; a section cut between pages is marked continued
    on the next, and says how many it did not list after its last item."""
    pages: list[list[PageSection]] = []
    page: list[PageSection] = []
    blocks = room = 0
    for section in sections:
        per_block = LINES_PER_BLOCK if isinstance(section, LinesSection) else 1
        heading = 0 if isinstance(section, LinesSection) else 1  # a standup section's title is a block
        start = 0  # the first item not yet on a page
        items = section.items
        n = 0
        while n < len(items):
            unit = items[n : n + per_block]
            cost = sum(_room(item) for item in unit)
            opening = n == start  # this section's first unit on this page
            need = 1 + (heading if opening else 0)
            if blocks and (blocks + need > BLOCKS_PER_PAGE or room + cost > ROOM_PER_PAGE):
                if not opening:
                    page.append(replace(section, items=items[start:n], continued=start > 0, more=0))
                    start = n
                pages.append(page)
                page, blocks, room = [], 0, 0
                continue
            blocks += need
            room += cost
            n += len(unit)
        if start < len(items):
            page.append(replace(section, items=items[start:], continued=start > 0))
            blocks += 1 if section.more else 0
    if page:
        pages.append(page)
    return pages


def _room(item: DigestLine | StandupEntry) -> int:
    """What an item can take once drawn, in the units the page limit counts (see ESCAPED)."""
    if isinstance(item, StandupEntry):
        texts = [cards.clipped(getattr(item, name) or "", ANSWER_SHOWN) for name in ANSWER_PARTS]
        texts += [q + cards.clipped(a, ANSWER_SHOWN) for q, a in item.custom]
        return ANSWER_OVERHEAD + sum(map(room_of, texts))
    return LINE_OVERHEAD + room_of(item.key or "") + room_of(cards.clipped(item.title or "", TITLE_SHOWN))


def room_of(text: str) -> int:
    return sum(5 if c in ESCAPED else 1 if c < "\x80" else 3 for c in text)
