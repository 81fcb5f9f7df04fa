"""Market replies: the profile card, the list, and a requirement's launch checklist with its buttons."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from handlers.core.reply import Button, Reply, Text, Visibility
from handlers.requirements.cards import people
from models.market_codes import COMMON_MARKETS
from models.markets import launch_check as launch_model
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

TICK_ACTION = "market.tick"
LAUNCH_ACTION = "market.launch"
NAMED_MARKETS = frozenset(code for code, _, _ in COMMON_MARKETS)


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


def profile_values(profile: MarketProfile | None, market: str) -> list[dict[str, Any]]:
    shipped = has_profile_defaults(market)
    rows = []
    for name in PROFILE_FIELDS:
        own = getattr(profile, name) if profile is not None else None
        value: Text | str | None = own if own else (Text(f"mdefault.{market}.{name}") if shipped else None)
        rows.append({"label": Text(f"market.field.{name}"), "value": value, "own": bool(own)})
    return rows


def profile_card(
    profile: MarketProfile | None, market: str, items: list[CheckItem], *, notice: Text | None = None
) -> Reply:
    currency = (profile.effective_currency if profile else None) or currency_of(market)
    platforms = profile.effective_platforms if profile else list(PROFILE_PLATFORMS.get(market, ()))
    vat = STANDARD_VAT.get(market)
    if market in TAX_EXCLUSIVE:
        tax = Text("market.tax_exclusive")
    elif vat is not None:
        tax = Text("market.tax_inclusive", {"rate": f"{vat.normalize():f}%"})
    else:
        tax = Text("market.tax_unknown")
    return Reply(
        "market_profile",
        {
            "market": market,
            "name": market_name(market),
            "stored": profile is not None,
            "shipped": has_profile_defaults(market),
            "currency": currency or "—",
            "platforms": ", ".join(platforms) or "—",
            "tax": tax,
            "customs": Text(f"market.customs.{customs_basis(market).value}"),
            "fields": profile_values(profile, market),
            "checklist": [
                {"n": i, "label": item_label(item), "required": item.required} for i, item in enumerate(items, start=1)
            ],
            "notice": notice,
        },
    )


def list_reply(profiles: list[MarketProfile]) -> Reply:
    kept = {p.market for p in profiles}
    shipped = [code for code in ("US", "GB", "DE", "FR", "JP", "SG", "MY") if code not in kept]
    return Reply(
        "market_list",
        {
            "items": [{"market": p.market, "name": market_name(p.market)} for p in profiles],
            "shipped": shipped,
        },
    )


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
    states = launch_model.states(db=db, workspace_id=workspace_id, requirement_id=requirement_id, market=market)
    launch = launch_model.launch_of(db=db, requirement_id=requirement_id, market=market)
    who = people(db, [s.by for s in states] + ([launch.approved_by] if launch else []))
    items, buttons = [], []
    for n, state in enumerate(states, start=1):
        items.append(
            {
                "n": n,
                "label": item_label(state.item),
                "hint": item_hint(state.item, market),
                "required": state.item.required,
                "done": state.done,
                "by": who.get(state.by) if state.by else None,
                "at": state.at,
            }
        )
        buttons.append(
            Button(
                Text("launch.untick" if state.done else "launch.tick", {"n": n}),
                TICK_ACTION,
                {"r": requirement_id, "m": market, "k": state.item.key, "d": not state.done},
            )
        )
    open_required = [i for i in items if i["required"] and not i["done"]]
    if launch is None:
        buttons.append(
            Button(Text("launch.approve_button"), LAUNCH_ACTION, {"r": requirement_id, "m": market}, style="primary")
        )
    return Reply(
        "market_check",
        {
            "key": requirement_key,
            "title": title,
            "market": market,
            "name": market_name(market),
            "items": items,
            "done": sum(1 for i in items if i["done"]),
            "open_required": [i["n"] for i in open_required],
            "launch": {"by": who.get(launch.approved_by), "at": launch.approved_at} if launch else None,
            "notice": notice,
        },
        buttons=buttons,
        visibility=Visibility.CHANNEL,
        replace_original=replace_original,
    )


def open_items_text(items: list[CheckItem], market: str) -> list[Text | str]:
    return [item_label(item) for item in items]
