"""Digest cards: the summary posted in the channel, the detail pages in its thread, the private
preview (the summary and the first page), the channel's digest settings, and the note to whoever set
a schedule that the digest could not be posted.

Pure functions of plain data: handlers/digest/build.py gathers the sections and pages them, and
models/digest/queries.py reads what the settings card shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from handlers.core.card import (
    Card,
    Channel,
    Divider,
    Header,
    Inline,
    Line,
    Mention,
    Note,
    Part,
    Row,
    Rows,
    Section,
    Strong,
    When,
    fields,
    note,
    person,
)
from handlers.core.reply import Reply, Text, Visibility
from models.digest.queries import SettingsView
from models.digest.schedule import DAYS, WEEKDAYS

# A digest is read at a glance: a title shows its first 150 characters, a blocker in the summary
# its first 300, each part of a standup answer its first 900.
TITLE_SHOWN = 150
BLOCKER_SHOWN = 300
ANSWER_SHOWN = 900
SKIPS_SHOWN = 10
BLOCKED = "⛔"
ANSWER_PARTS = ("yesterday", "today", "blockers")


# ---- what the cards are drawn from ----------------------------------------------------------------


@dataclass(frozen=True)
class Blocker:
    who: Mention | None
    text: str


@dataclass(frozen=True)
class Summary:
    day: date
    since: datetime
    markets: tuple[str, ...]
    counts: tuple[Text, ...]  # one line per section with news, then the standup count
    blockers: tuple[Blocker, ...]  # the first few; the rest are counted
    more_blockers: int
    threaded: bool  # detail pages follow in the thread
    nothing: bool  # nothing happened in the window


@dataclass(frozen=True)
class DigestLine:
    """`KEY title — detail · @who`."""

    key: str | None
    title: str | None
    detail: Text | None
    who: Mention | None


@dataclass(frozen=True)
class StandupEntry:
    who: Mention | None
    day: date
    yesterday: str | None
    today: str | None
    blockers: str | None
    custom: tuple[tuple[str, str], ...] = ()  # answers to the channel's own questions, as asked then


@dataclass(frozen=True)
class LinesSection:
    title: Text
    items: tuple[DigestLine, ...]
    continued: bool = False  # it began on an earlier page
    more: int = 0  # lines the section did not list (said after its last line)


@dataclass(frozen=True)
class StandupSection:
    title: Text
    items: tuple[StandupEntry, ...]
    continued: bool = False
    more: int = 0


PageSection = LinesSection | StandupSection


@dataclass(frozen=True)
class Page:
    index: int
    total: int
    day: date  # the digest's day: an answer given on another day says so
    sections: tuple[PageSection, ...]


# ---- the digest -----------------------------------------------------------------------------------


def summary_title(summary: Summary) -> Text:
    weekday = Text(f"digest.day.{DAYS[summary.day.weekday()]}")
    return Text("digest.summary.title", {"day": weekday, "date": When(summary.day)})


def summary_card(summary: Summary) -> Card:
    title = summary_title(summary)
    return Card(summary=title, header=Header(title, "blue"), parts=summary_parts(summary))


def summary_parts(summary: Summary) -> tuple[Part, ...]:
    window: list[Inline] = [Text("digest.summary.since", {"since": When(summary.since)})]
    if summary.markets:
        window += [" · ", Text("digest.summary.markets", {"markets": ", ".join(summary.markets)})]
    parts: list[Part] = [Note((window,))]
    if summary.nothing:
        parts.append(Section((Text("digest.summary.nothing"),)))
    elif summary.counts:
        parts.append(Section(tuple(["• ", count] for count in summary.counts)))
    if summary.blockers:
        rows = tuple(
            Row([f"{BLOCKED} ", person(b.who), ": ", clipped(b.text, BLOCKER_SHOWN)]) for b in summary.blockers
        )
        more = Text("digest.summary.more_blockers", {"n": summary.more_blockers}) if summary.more_blockers else None
        parts.append(Rows(rows, title=Text("digest.summary.blockers"), more=more))
    if summary.threaded:
        parts.append(Note((Text("digest.summary.thread"),)))
    return tuple(parts)


def page_title(page: Page) -> Text:
    return Text("digest.page.title", {"index": page.index, "total": page.total})


def page_card(page: Page) -> Card:
    return Card(summary=page_title(page), parts=page_parts(page))


def page_parts(page: Page) -> tuple[Part, ...]:
    parts: list[Part] = [Note((page_title(page),))]
    for section in page.sections:
        heading: Line = [section.title, " ", Text("digest.page.continued")] if section.continued else section.title
        more = Text("digest.page.more", {"n": section.more}) if section.more else None
        if isinstance(section, LinesSection):
            parts.append(Rows(tuple(line_row(line) for line in section.items), title=heading, more=more))
            continue
        parts.append(Section((Strong(heading),)))
        parts.extend(answer_section(entry, page.day) for entry in section.items)
        if more is not None:
            parts.append(Note((more,)))
    return tuple(parts)


def line_row(line: DigestLine) -> Row:
    main: list[Inline] = ["• "]
    if line.key:
        main += [Strong(line.key), " "]
    if line.title:
        main.append(clipped(line.title, TITLE_SHOWN))
    if line.detail is not None:
        main += [" — ", line.detail]
    if line.who is not None:
        main += [" · ", line.who]
    return Row(main)


def answer_section(entry: StandupEntry, day: date) -> Section:
    """One person's answer: who (⛔ when something blocks them; the day, if not the digest's), then
    each part they gave."""
    who: list[Inline] = [person(entry.who)]
    if entry.blockers:
        who.append(f" {BLOCKED}")
    if entry.day != day:
        who += [" (", Text("digest.standup.answered_on", {"date": When(entry.day)}), ")"]
    lines: list[Line] = []
    for name in ANSWER_PARTS:
        value = getattr(entry, name)
        if value:
            lines.append([Strong([Text(f"standup.field.{name}"), ":"]), " ", clipped(value, ANSWER_SHOWN)])
    for question, value in entry.custom:
        lines.append([Strong([Text("standup.question", {"text": question}), ":"]), " ", clipped(value, ANSWER_SHOWN)])
    return Section(tuple(lines) or ("—",), title=who)


def preview_card(summary: Summary, first: Page | None, more_pages: int, viewer_lang: str | None = None) -> Card:
    """The summary and the first page in one card, for the person who asked only: the digest in the
    channel's language, the word that it is a preview in the asker's."""
    parts: list[Part] = [*summary_parts(summary)]
    if first is not None:
        parts += [Divider(), *page_parts(first)]
    if more_pages:
        parts.append(Note((Text("digest.preview.more_pages", {"n": more_pages}, lang=viewer_lang),)))
    note_line: Line = ["👀 ", Text("digest.preview.note", lang=viewer_lang)]
    return Card(
        summary=Text("digest.preview.note", lang=viewer_lang),
        header=Header(summary_title(summary), "wathet"),
        parts=tuple(parts),
        notice=(note_line,),
    )


def summary_reply(summary: Summary, *, lang: str | None) -> Reply:
    return Reply("digest_summary", card=summary_card(summary), visibility=Visibility.CHANNEL, lang=lang)


def page_reply(page: Page, *, lang: str | None) -> Reply:
    return Reply("digest_page", card=page_card(page), visibility=Visibility.CHANNEL, lang=lang)


def preview_reply(summary: Summary, pages: list[Page], *, lang: str | None, viewer_lang: str | None = None) -> Reply:
    first = pages[0] if pages else None
    drawn = preview_card(summary, first, max(0, len(pages) - 1), viewer_lang)
    return Reply("digest_preview", card=drawn, lang=lang)


# ---- settings -------------------------------------------------------------------------------------


def settings_reply(view: SettingsView, *, notice: Text | None = None) -> Reply:
    return Reply("digest_settings", card=settings_card(view, notice=notice))


def settings_card(view: SettingsView, *, notice: Text | None = None) -> Card:
    settings = view.settings
    title = Text("digest.settings.title")
    scheduled = settings is not None and settings.scheduled
    parts: list[Part | None] = []
    if not scheduled:
        parts.append(Section((Text("digest.settings.not_scheduled"),)))
    plan: tuple[Line, Line] | None = None
    if settings is not None and scheduled:
        tz = settings.tz or "UTC"
        when = Text("digest.settings.when", {"time": settings.at_time, "tz": tz, "days": days_text(settings.day_list)})
        plan = (Text("digest.settings.schedule"), [when, "\n", next_line(view.next_slot, tz)])
    lang = settings.lang if settings else None
    remind = settings.remind_minutes if settings else None
    always = settings.always if settings else False
    markets = settings.market_list if settings else ()
    parts.append(
        fields(
            plan,
            (Text("digest.settings.lang"), lang or Text("digest.settings.lang_default")),
            (
                Text("digest.settings.remind"),
                Text("digest.settings.remind_minutes", {"n": remind}) if remind else Text("digest.settings.remind_off"),
            ),
            (
                Text("digest.settings.always"),
                Text("digest.settings.always_on" if always else "digest.settings.always_off"),
            ),
            (Text("digest.settings.markets"), ", ".join(markets) or Text("digest.settings.markets_all")),
        )
    )
    parts.append(note(skips_line(view.skips), last_line(view)))
    kept = tuple(p for p in parts if p is not None)
    return Card(summary=title, header=Header(title, "wathet"), parts=kept, notice=(notice,) if notice else ())


def days_text(days: tuple[str, ...]) -> Text:
    if days == DAYS:
        return Text("digest.days.daily")
    if days == WEEKDAYS:
        return Text("digest.days.weekdays")
    return Text("digest.days.list", {"days": [Text(f"digest.day.{d}") for d in days]})


def next_line(slot: datetime | None, tz: str) -> Text:
    """`Next: Tue 2026-11-10 09:30 (Asia/Shanghai)`, in the schedule's own zone."""
    if slot is None:
        return Text("digest.settings.none_due")
    local = slot.astimezone(ZoneInfo(tz))
    day = Text(f"digest.day.{DAYS[local.weekday()]}")
    return Text("digest.settings.next", {"day": day, "at": local.strftime("%Y-%m-%d %H:%M"), "tz": tz})


def skips_line(skips: tuple[date, ...]) -> Line | None:
    if not skips:
        return None
    line: list[Inline] = [Text("digest.settings.skips"), ": ", ", ".join(d.isoformat() for d in skips[:SKIPS_SHOWN])]
    if len(skips) > SKIPS_SHOWN:
        line += [" ", Text("digest.settings.more_skips", {"n": len(skips) - SKIPS_SHOWN})]
    return line


def last_line(view: SettingsView) -> Text | None:
    last = view.last
    if last is None or last.covers_until is None:
        return None
    return Text("digest.settings.last", {"at": When(last.covers_until), "state": Text(f"digest.state.{last.state}")})


# ---- a digest that could not be posted ------------------------------------------------------------


def unreachable_reply(channel_ref: str, platform: str | None) -> Reply:
    return Reply("digest_unreachable", card=unreachable_card(channel_ref, platform))


def unreachable_card(channel_ref: str, platform: str | None) -> Card:
    """Told by DM to whoever set the schedule. A Lark bot is added in the group's settings, not
    invited with a command, so Lark has its own wording."""
    if platform == "lark":
        text = Text("lark.digest_unreachable", {"chat": Channel(channel_ref)})
    else:
        text = Text("digest.unreachable.text", {"channel": Channel(channel_ref)})
    return Card(summary=text, parts=(Section((text,), mark="warning"),))


def clipped(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
