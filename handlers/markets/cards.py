"""Market cards: a market's profile, the list of profiles, and a requirement's launch checklist with its
buttons."""

from __future__ import annotations

from sqlmodel import Session

from handlers.core.card import Card, Faint, Fields, Header, Inline, Line, Mention, Note, Row, Rows, Section, When, card
from handlers.core.card import note as note_of
from handlers.core.card import person as person_of
from handlers.core.reply import Button, Reply, Text, Visibility
from models.market_codes import COMMON_MARKETS
from models.markets import queries
from models.markets.defaults import (
    CHECKLIST_HINTS,
    PROFILE_FIELDS,
    PROFILE_PLATFORMS,
    STANDARD_VAT,
    TAX_EXCLUSIVE,
    currency_of,
    customs_basis,
    has_profile_defaults,
)
from models.markets.profile import CheckItem, MarketProfile
from models.markets.queries import LaunchCard, ProfileCard

TICK_ACTION = "market.tick"
LAUNCH_ACTION = "market.launch"
NAMED_MARKETS = frozenset(code for code, _, _ in COMMON_MARKETS)
SHIPPED = ("US", "GB", "DE", "FR", "JP", "SG", "MY")  # the markets Tradewind ships profiles for, in this order
DONE, OPEN = "✅ ", "⬜ "


def market_name(code: str) -> Text:
    if code not in NAMED_MARKETS:
        return Text("market.name_unknown", {"code": code})
    return Text("market.name", {"code": code, "name": Text(f"market.names.{code}")})


def item_label(item: CheckItem) -> Text | str:
    return item.label if item.label is not None else Text(item.label_key)


def item_hint(item: CheckItem, market: str) -> Text | None:
    if item.label is None and item.key in CHECKLIST_HINTS.get(market, frozenset()):
        return Text(f"launch.hint.{market}.{item.key}")
    return None


def labelled(item: CheckItem) -> Line:
    """An item's text, and `(optional)` after one that is not required."""
    if item.required:
        return item_label(item)
    return [item_label(item), " ", Faint(Text("launch.optional_tag"))]


def open_items_text(items: list[CheckItem], market: str) -> list[Text | str]:
    return [item_label(item) for item in items]


# ---- a market's profile -----------------------------------------------------------------------------


def profile_reply(db: Session, workspace_id: int, market: str, *, notice: Text | None = None) -> Reply:
    drawn = profile_card(queries.profile_card(db=db, workspace_id=workspace_id, market=market), notice=notice)
    return Reply("market_profile", card=drawn)


def profile_values(profile: MarketProfile | None, market: str) -> list[tuple[Line, Line]]:
    """Each profile field: the team's own text, else the shipped default, else a dash."""
    shipped = has_profile_defaults(market)
    pairs: list[tuple[Line, Line]] = []
    for name in PROFILE_FIELDS:
        own = getattr(profile, name) if profile is not None else None
        value: Line = own if own else (Text(f"mdefault.{market}.{name}") if shipped else Text("common.none"))
        pairs.append((Text(f"market.field.{name}"), value))
    return pairs


def tax_text(market: str) -> Text:
    vat = STANDARD_VAT.get(market)
    if market in TAX_EXCLUSIVE:
        return Text("market.tax_exclusive")
    if vat is not None:
        return Text("market.tax_inclusive", {"rate": f"{vat.normalize():f}%"})
    return Text("market.tax_unknown")


def profile_card(data: ProfileCard, *, notice: Text | None = None) -> Card:
    market, profile = data.market, data.profile
    name = market_name(market)
    currency = (profile.effective_currency if profile else None) or currency_of(market)
    platforms = profile.effective_platforms if profile else list(PROFILE_PLATFORMS.get(market, ()))
    basics = Fields(
        (
            (Text("market.field.currency"), currency or "—"),
            (Text("market.field.platforms"), ", ".join(platforms) or "—"),
            (Text("market.field.tax"), tax_text(market)),
            (Text("market.field.customs"), Text(f"market.customs.{customs_basis(market).value}")),
        )
    )
    checklist = Rows(
        tuple(Row(labelled(item)) for item in data.items),
        title=Text("market.checklist_title"),
        empty=Text("common.none"),
        numbered=True,
    )
    return card(
        Text("market.fallback", {"name": name}),
        note_of(
            Text("market.not_added", {"market": market}) if profile is None else None,
            Text("market.no_defaults", {"market": market}) if not has_profile_defaults(market) else None,
        ),
        basics,
        Fields(tuple(profile_values(profile, market))),
        checklist,
        header=Header(Text("market.title", {"name": name})),
        notice=notice,
    )


# ---- the workspace's profiles -----------------------------------------------------------------------


def list_reply(db: Session, workspace_id: int) -> Reply:
    return Reply("market_list", card=list_card(queries.market_list(db=db, workspace_id=workspace_id)))


def list_card(profiles: list[MarketProfile]) -> Card:
    title = Text("market.list_title")
    kept = {p.market for p in profiles}
    shipped = [code for code in SHIPPED if code not in kept]
    rows = tuple(Row(("• ", market_name(p.market))) for p in profiles)
    return card(
        title,
        Rows(rows, empty=Text("market.list_empty")),
        note_of(Text("market.shipped", {"markets": ", ".join(shipped)}) if shipped else None),
        header=Header(title),
    )


# ---- a requirement's launch check in one market -----------------------------------------------------


def checklist(
    db: Session,
    *,
    workspace_id: int,
    requirement_id: int,
    requirement_key: str,
    title: str,
    market: str,
    notice: Text | None = None,
    replace_original: bool = False,
) -> Reply:
    data = queries.launch_card(
        db=db, workspace_id=workspace_id, requirement_id=requirement_id, key=requirement_key, title=title, market=market
    )
    return Reply(
        "market_check",
        card=launch_card(data, notice=notice),
        buttons=launch_buttons(data),
        visibility=Visibility.CHANNEL,
        replace_original=replace_original,
    )


def launch_buttons(data: LaunchCard) -> list[Button]:
    """A tick (or untick) button per item, and Approve launch until the launch is approved."""
    buttons = [
        Button(
            Text("launch.untick" if state.done else "launch.tick", {"n": n}),
            TICK_ACTION,
            {"r": data.requirement_id, "m": data.market, "k": state.item.key, "d": not state.done},
        )
        for n, state in enumerate(data.states, start=1)
    ]
    if data.launch is None:
        buttons.append(
            Button(
                Text("launch.approve_button"), LAUNCH_ACTION, {"r": data.requirement_id, "m": data.market}, "primary"
            )
        )
    return buttons


def _who(people: queries.People, member_id: int | None) -> Inline:
    if member_id is None or member_id not in people:
        return "—"
    ref, name = people[member_id]
    return person_of(Mention(ref, name))


def launch_card(data: LaunchCard, *, notice: Text | None = None) -> Card:
    market, states = data.market, data.states
    name = market_name(market)
    done = sum(1 for s in states if s.done)
    total = len(states)
    rows = []
    for n, state in enumerate(states, start=1):
        main: list[Line] = [DONE if state.done else OPEN, f"{n}. ", labelled(state.item)]
        if state.done and state.by is not None:
            ticked = {"who": _who(data.people, state.by), "at": When(state.at) if state.at else "—"}
            main += [" · ", Text("launch.ticked_by", ticked)]
        hint = item_hint(state.item, market)
        rows.append(Row(main, Faint(hint) if hint is not None else None))
    open_required = [str(n) for n, s in enumerate(states, start=1) if s.item.required and not s.done]
    if data.launch is not None:
        approved = {"who": _who(data.people, data.launch.approved_by), "at": When(data.launch.approved_at)}
        outcome: Section | Note | None = Section((["🚀 ", Text("launch.approved_line", approved)],))
    elif open_required:
        outcome = note_of(Text("launch.open_required", {"items": ", ".join(open_required)}))
    else:
        outcome = note_of(Text("launch.ready"))
    progress = Text("launch.progress", {"done": done, "total": total})
    return card(
        Text("launch.fallback", {"key": data.key, "market": market, "done": done, "total": total}),
        note_of([data.title, " · ", progress]),
        Rows(tuple(rows)),
        outcome,
        header=Header(Text("launch.title", {"key": data.key, "name": name}), "green" if data.launch else "blue"),
        notice=notice,
    )
