"""Cost replies: the per-market build-up, the price for a target margin, what-if tables and the SKU list.

Amounts are rounded here, for display only; the figures behind them stay exact Decimals.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from handlers.core.reply import Reply, Text
from models.costs.cost import CostLane, Sku
from models.costs.fx import Rate
from models.costs.landed_cost import build_up, charm_price, price_for_margin
from models.costs.margin import LaneResult, Shock, WhatIf
from models.money import percent, price_step, rounded, rounded_up

MINUS = "−"
MAX_LANES_SHOWN = 12
MAX_LISTED = 400


def money(amount: Decimal | None, currency: str, *, up: bool = False) -> str:
    if amount is None:
        return ""
    value = rounded_up(amount, currency) if up else rounded(amount, currency)
    return f"{value:,}"


def money_with_code(amount: Decimal | None, currency: str, *, up: bool = False) -> str:
    return f"{currency} {money(amount, currency, up=up)}" if amount is not None else "—"


def pct_text(value: Decimal) -> str:
    return f"{value.normalize():f}%"


def rate_line(found: Rate, today: date) -> Text:
    found = found.as_set
    key = "cost.rate_stale" if found.stale(today) else "cost.rate_used"
    pair: str | Text = f"{found.base}{found.quote}"
    if found.via:
        pair = Text("cost.rate_via", {"pair": pair, "via": found.via})
    return Text(
        key,
        {
            "pair": pair,
            "rate": f"{found.value.quantize(Decimal('0.0001')).normalize():f}",
            "date": found.as_of.isoformat(),
            "days": found.age_days(today),
        },
    )


def sku_facts(sku: Sku) -> dict[str, Any]:
    dims = None
    if sku.length_cm is not None:
        dims = "×".join(f"{v.normalize():f}" for v in (sku.length_cm, sku.width_cm, sku.height_cm) if v is not None)
    carton = None
    if sku.carton_units and sku.carton_length_cm is not None:
        sides = (sku.carton_length_cm, sku.carton_width_cm, sku.carton_height_cm)
        carton = Text(
            "cost.carton",
            {
                "dims": "×".join(f"{v.normalize():f}" for v in sides if v is not None),
                "weight": f"{sku.carton_weight_kg.normalize():f}" if sku.carton_weight_kg is not None else "—",
                "units": sku.carton_units,
            },
        )
    return {
        "code": sku.code,
        "purchase": money_with_code(sku.purchase, sku.purchase_currency),
        "weight": f"{sku.weight_kg.normalize():f}" if sku.weight_kg is not None else None,
        "dims": dims,
        "carton": carton,
    }


def lane_data(result: LaneResult, today: date) -> dict[str, Any]:
    lane, ccy, home = result.lane, result.currency, result.home
    head = Text(
        "cost.lane_head",
        {
            "market": lane.market,
            "channel": Text(f"cost.channel.{lane.channel}"),
            "freight": f"{lane.freight_rate.normalize():f} {lane.freight_currency}/{lane.freight_basis}",
            "currency": ccy,
        },
    )
    data: dict[str, Any] = {
        "market": lane.market,
        "head": head,
        "currency": ccy,
        "home": home if home != ccy else None,
        "rates": [rate_line(r, today) for r in result.rates],
        "missing": _missing(result),
        "rows": [],
        "summary": [],
    }
    build = result.build
    if build is None:
        return data
    home_of = result.home_amount

    def row(key: str, amount: Decimal, sign: str = MINUS, **params: Any) -> dict[str, Any]:
        shown_home = money(home_of(amount), home) if data["home"] else ""
        return {"sign": sign, "label": Text(key, params), "market": money(amount, ccy), "home": shown_home}

    rows = [row("cost.line.price", build.price, " ")]
    if build.vat:
        rows.append(row("cost.line.vat", build.vat, rate=pct_text(lane.vat_pct)))
    rows.append(row("cost.line.net", build.net_revenue, "="))
    rows += [row("cost.line.purchase", build.purchase), row("cost.line.freight", build.freight)]
    duty_basis = "declared" if lane.declared is not None else lane.customs
    duty_rate = result.inputs.duty_pct if result.inputs else lane.duty_pct
    basis = Text(f"cost.customs.{duty_basis}")
    rows.append(row("cost.line.duty", build.duty, rate=pct_text(duty_rate), basis=basis))
    rows.append(row("cost.line.referral", build.referral, rate=pct_text(lane.referral_pct)))
    rows += [row("cost.line.fulfilment", build.fulfilment), row("cost.line.storage", build.storage)]
    rows.append(row("cost.line.ads", build.ads, rate=pct_text(lane.ads_pct)))
    rows.append(row("cost.line.returns", build.returns, rate=pct_text(lane.returns_pct)))
    rows.append(row("cost.line.contribution", build.contribution, "="))
    data["rows"] = rows
    be = build.break_even
    data["summary"] = [
        Text("cost.margin", {"margin": percent(build.margin), "landed": money_with_code(build.landed, ccy)}),
        Text(
            "cost.break_even",
            {"price": money_with_code(be, ccy, up=True), "home": _home_text(result, be, up=True)},
        )
        if be is not None
        else Text("cost.no_break_even"),
    ]
    data["negative"] = build.contribution < 0
    return data


def card(sku: Sku, results: list[LaneResult], today: date, *, notice: Text | None = None) -> Reply:
    shown = results[:MAX_LANES_SHOWN]
    return Reply(
        "cost_card",
        {
            "sku": sku_facts(sku),
            "lanes": [lane_data(r, today) for r in shown],
            "more": len(results) - len(shown),
            "notice": notice,
        },
    )


def price_reply(sku: Sku, result: LaneResult, margin: Decimal, today: date) -> Reply:
    data = lane_data(result, today)
    reply = {"sku": sku.code, "lane": data, "target": percent(margin)}
    inputs = result.inputs
    if inputs is None or result.build is None:
        return Reply("cost_price", reply)
    exact = price_for_margin(inputs, margin)
    ccy = result.currency
    if exact is None:
        reply["answer"] = Text("cost.price.unreachable", {"margin": percent(margin), "market": result.market})
        return Reply("cost_price", reply)
    charm = charm_price(exact, price_step(ccy))
    at_charm = build_up(replace(inputs, price=charm))
    reply["answer"] = Text(
        "cost.price.answer",
        {
            "margin": percent(margin),
            "market": result.market,
            "exact": money_with_code(exact, ccy, up=True),
            "price": money_with_code(charm, ccy),
            "home": _home_text(result, charm),
            "actual": percent(at_charm.margin),
            "contribution": money_with_code(at_charm.contribution, ccy),
        },
    )
    reply["now"] = Text(
        "cost.price.now",
        {"price": money_with_code(result.build.price, ccy), "margin": percent(result.build.margin)},
    )
    return Reply("cost_price", reply)


def what_if_reply(sku: Sku, found: list[WhatIf], shock: Shock, today: date) -> Reply:
    rows = []
    for hit in found:
        ccy = hit.shocked.currency
        before, after = hit.base.build, hit.shocked.build
        row: dict[str, Any] = {"market": hit.market, "missing": _missing(hit.shocked)}
        if before is not None and after is not None:
            row["line"] = Text(
                "cost.whatif.line",
                {
                    "before": percent(before.margin),
                    "after": percent(after.margin),
                    "was": money_with_code(before.contribution, ccy),
                    "now": money_with_code(after.contribution, ccy),
                    "home": _home_text(hit.shocked, after.contribution),
                },
            )
            row["flag"] = (
                Text("cost.whatif.turns_negative")
                if hit.turns_negative
                else Text("cost.whatif.still_negative")
                if hit.negative
                else None
            )
        rows.append(row)
    return Reply(
        "cost_whatif",
        {
            "sku": sku.code,
            "shock": shock_text(shock),
            "rows": rows,
            "negatives": [r["market"] for r, hit in zip(rows, found, strict=True) if hit.turns_negative],
        },
    )


def shock_text(shock: Shock) -> list[Text]:
    parts = []
    if shock.fx_pct:
        parts.append(Text("cost.shock.fx", {"change": _signed(shock.fx_pct, "%")}))
    if shock.duty_points:
        parts.append(Text("cost.shock.duty", {"change": _signed(shock.duty_points, " pt")}))
    if shock.duty_pct:
        parts.append(Text("cost.shock.duty", {"change": _signed(shock.duty_pct, "%")}))
    if shock.freight_pct:
        parts.append(Text("cost.shock.freight", {"change": _signed(shock.freight_pct, "%")}))
    if shock.price_pct:
        parts.append(Text("cost.shock.price", {"change": _signed(shock.price_pct, "%")}))
    return parts


def list_reply(found: list[tuple[Sku, list[str]]]) -> Reply:
    items = [
        {"code": sku.code, "purchase": money_with_code(sku.purchase, sku.purchase_currency), "markets": markets}
        for sku, markets in found[:MAX_LISTED]
    ]
    return Reply("cost_list", {"items": items, "more": max(len(found) - MAX_LISTED, 0)})


def lane_summary(lane: CostLane) -> str:
    return f"{lane.market} · {lane.channel} · {lane.price_currency} {lane.price.normalize():f}"


def _home_text(result: LaneResult, amount: Decimal | None, *, up: bool = False) -> str:
    if result.home == result.currency or amount is None:
        return ""
    converted = result.home_amount(amount)
    if converted is None:
        return ""
    return f" ≈ {money_with_code(converted, result.home, up=up)}"


def _missing(result: LaneResult) -> list[Text]:
    out = [Text("cost.missing_rate", {"pair": pair}) for pair in dict.fromkeys(result.missing_rates)]
    if result.to_home is None:
        out.append(Text("cost.missing_home", {"pair": f"{result.currency}{result.home}"}))
    if result.missing_measure:
        out.append(Text(f"cost.missing.{result.missing_measure}"))
    return out


def _signed(value: Decimal, unit: str) -> str:
    return f"{'+' if value > 0 else ''}{value.normalize():f}{unit}"
