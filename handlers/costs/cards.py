"""Cost cards: the per-market build-up, the price for a target margin, what-if tables, the SKU list and
the team's exchange rates, each a pure function from plain data to a Card.

Amounts are rounded here, for display only; the figures behind them stay exact Decimals.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from handlers.core.card import Card, Code, Divider, Header, Line, Note, Row, Rows, Section, Strong, joined
from handlers.core.reply import Reply, Text
from handlers.core.views import page_buttons, page_note
from models.costs.cost import CostLane, Sku
from models.costs.fee_override import schedule_with
from models.costs.fee_schedule import Schedule
from models.costs.fx import Rate
from models.costs.landed_cost import BuildUp, build_up, charm_price, price_for_margin
from models.costs.margin import LaneResult, Shock, WhatIf
from models.costs.queries import FxRates, SkuPage
from models.costs.referral import Band
from models.money import percent, price_step, rounded, rounded_up

MINUS = "−"
MAX_LANES_SHOWN = 6  # each lane is about twenty lines: six fit one Slack message whole
PAGE_ACTION = "cost.page"
PAGE_SIZE = 20
WARNING = "⚠ "
NOT_ENTERED_MARK = "—"
AMOUNT_WIDTH = 12


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


def sku_facts(sku: Sku) -> Line:
    """`Purchase CNY 23.50 · 0.42 kg · 30×20×5 cm · carton …`."""
    facts: list[Line] = [Text("cost.facts.purchase", {"amount": money_with_code(sku.purchase, sku.purchase_currency)})]
    if sku.weight_kg is not None:
        facts.append(Text("cost.facts.weight", {"kg": f"{sku.weight_kg.normalize():f}"}))
    if sku.length_cm is not None:
        dims = "×".join(f"{v.normalize():f}" for v in (sku.length_cm, sku.width_cm, sku.height_cm) if v is not None)
        facts.append(Text("cost.facts.dims", {"dims": dims}))
    if sku.carton_units and sku.carton_length_cm is not None:
        sides = (sku.carton_length_cm, sku.carton_width_cm, sku.carton_height_cm)
        facts.append(
            Text(
                "cost.carton",
                {
                    "dims": "×".join(f"{v.normalize():f}" for v in sides if v is not None),
                    "weight": f"{sku.carton_weight_kg.normalize():f}" if sku.carton_weight_kg is not None else "—",
                    "units": sku.carton_units,
                },
            )
        )
    return joined(facts)


def lane_parts(result: LaneResult, today: date) -> list[Any]:
    """One market lane: its heading, the build-up from shelf price to contribution (amounts first, in the
    market's currency and the home one, so that labels in any script line up), margin and break-even,
    and what is missing or how old each rate is."""
    lane, ccy = result.lane, result.currency
    head = Text(
        "cost.lane_head",
        {
            "market": lane.market,
            "channel": Text(f"cost.channel.{lane.channel}"),
            "freight": f"{lane.freight_rate.normalize():f} {lane.freight_currency}/{lane.freight_basis}",
            "currency": ccy,
        },
    )
    lines: list[Line] = [Strong(head)]
    build = result.build
    if build is not None:
        lines += _build_up(result)
        be = build.break_even
        summary: list[Line] = [
            Text("cost.margin", {"margin": percent(build.margin), "landed": money_with_code(build.landed, ccy)}),
            Text(
                "cost.break_even",
                {"price": money_with_code(be, ccy, up=True), "home": _home_text(result, be, up=True)},
            )
            if be is not None
            else Text("cost.no_break_even"),
        ]
        if build.contribution < 0:
            summary[0] = [WARNING, summary[0]]
        excludes = not_entered_warning(build)
        if excludes is not None:
            summary.insert(1, excludes)
        lines += summary
    aside: list[Line] = [("• ", m) for m in _missing(result)]
    if build is not None and lane.customs == "cif" and lane.declared is None and lane.after_arrival_pct is None:
        aside.append(("• ", Text("cost.missing.freight_in_cif")))
    if result.fba_needs is not None and lane.fulfilment is None:
        aside.append(("• ", Text(f"cost.missing.fba_{result.fba_needs}")))
    if result.schedule is not None and build is not None and "referral" in build.not_entered:
        allowed = ", ".join(sorted(result.schedule.referral))
        aside.append(("• ", Text("cost.missing.category", {"allowed": allowed})))
    if result.schedule is not None and not result.schedule.rate_card_checked and build is not None:
        dated = {"marketplace": result.schedule.marketplace, "since": result.schedule.since.isoformat()}
        aside.append(("• ", Text("cost.schedule_unchecked", dated)))
    aside += [rate_line(r, today) for r in result.rates]
    return [Divider(), Section(tuple(lines)), Note(tuple(aside)) if aside else None]


def _build_up(result: LaneResult) -> list[Line]:
    """The build-up as table rows: `= 6.59 51.54 Contribution`, the amounts in fixed-width columns."""
    lane, ccy, home, build = result.lane, result.currency, result.home, result.build
    assert build is not None
    show_home = home != ccy

    def columns(sign: str, market: str, in_home: str) -> Code:
        return Code(f"{sign} {market:>{AMOUNT_WIDTH}} {in_home:>{AMOUNT_WIDTH}}".rstrip())

    def row(key: str, amount: Decimal, sign: str = MINUS, **params: Any) -> Line:
        in_home = money(result.home_amount(amount), home) if show_home else ""
        return [columns(sign, money(amount, ccy), in_home), "  ", Text(key, params)]

    missing = set(build.not_entered)

    def fee(name: str, amount: Decimal, rate: Decimal | None = None, **params: Any) -> Line:
        if name in missing:
            label = Text("cost.not_entered", {"line": Text(f"cost.name.{name}")})
            return [columns(MINUS, NOT_ENTERED_MARK, ""), "  ", label]
        return row(f"cost.line.{name}", amount, rate=pct_text(rate) if rate is not None else "", **params)

    came = build.arrival
    rows: list[Line] = [columns(" ", ccy, home if show_home else "")]
    rows.append(row("cost.line.price", build.price, " "))
    if build.vat:
        rows.append(row("cost.line.vat", build.vat, rate=pct_text(lane.vat_pct)))
    rows.append(row("cost.line.net", build.net_revenue, "="))
    rows.append(row("cost.line.purchase", build.purchase))
    if lane.after_arrival_pct is None:
        rows.append(row("cost.line.freight", build.freight))
    else:
        rows.append(row("cost.line.freight_before", came.freight_before))
        rows.append(row("cost.line.freight_after", came.freight_after, rate=pct_text(lane.after_arrival_pct)))
    rows.append(fee("insurance", came.insurance, lane.insurance_pct))
    duty_basis = Text(f"cost.customs.{'declared' if lane.declared is not None else lane.customs}")
    duty_rate = result.inputs.duty_pct if result.inputs else lane.duty_pct
    rows.append(row("cost.line.duty", came.duty_base, rate=pct_text(duty_rate), basis=duty_basis))
    if lane.section301_pct is not None or "section301" in missing:
        rows.append(fee("section301", came.duty_301, lane.section301_pct))
    if lane.extra_duty_pct is not None or "additional" in missing:
        rows.append(fee("additional", came.duty_extra, lane.extra_duty_pct))
    if result.fees.mpf is not None:
        rows.append(row("cost.line.mpf", came.mpf, rate=pct_text(result.fees.mpf.pct), how=_mpf_how(result)))
    if came.hmf:
        rows.append(row("cost.line.hmf", came.hmf, rate=pct_text(result.fees.hmf_pct)))
    if build.import_vat:
        vat_params = {"rate": pct_text(lane.vat_pct)}
        if build.vat_reclaimed:
            in_home = money(result.home_amount(build.import_vat), home) if show_home else ""
            shown = f"({money(build.import_vat, ccy)})"
            days = {"days": result.vat.days}
            rows.append(
                [
                    columns(" ", shown, f"({in_home})" if in_home else ""),
                    "  ",
                    Text("cost.line.import_vat_reclaimed", vat_params | days),
                ]
            )
        else:
            rows.append(row("cost.line.import_vat", build.import_vat, **vat_params))
    schedule = result.schedule
    dated = {"marketplace": schedule.marketplace, "since": schedule.since.isoformat()} if schedule else {}
    rule = result.inputs.referral_rule if result.inputs else None
    if rule is not None and lane.referral_pct is None:
        band = rule.band_of(build.price)
        params = dated | {"category": rule.category, "rate": pct_text(band.pct), "minimum": money(rule.minimum, ccy)}
        rows.append(row("cost.line.referral_schedule", build.referral, **params))
    else:
        rows.append(fee("referral", build.referral, lane.referral_pct))
    if result.fba is not None and result.schedule is not None and result.schedule.fba is not None:
        weight = (
            f"{result.fba.shipping_weight.quantize(Decimal('0.01')).normalize():f} {result.schedule.fba.weight_unit}"
        )
        tier = Text(f"cost.tier.{result.fba.tier}")
        rows.append(row("cost.line.fba", build.fulfilment, tier=tier, weight=weight, **dated))
    else:
        rows.append(fee("fulfilment", build.fulfilment))
    if result.storage_season is not None:
        season = Text(f"cost.season.{result.storage_season}")
        rows.append(row("cost.line.storage_schedule", build.storage, season=season, **dated))
    else:
        rows.append(fee("storage", build.storage))
    rows.append(fee("ads", build.ads, lane.ads_pct))
    back = build.returned
    rows.append(
        fee(
            "returns",
            build.returns,
            lane.returns_pct,
            refund=money(back.refund, ccy),
            referral=money(back.referral_refund, ccy),
            fee=money(back.fee, ccy),
            unsellable=pct_text(back.unsellable_pct),
            landed=money(back.landed, ccy),
        )
    )
    rows.append(row("cost.line.contribution", build.contribution, "="))
    return rows


def _mpf_how(result: LaneResult) -> Text:
    """How the MPF was held within its bounds: the entry's size and the bound it hit, or that no entry
    size is known."""
    mpf, lane, build = result.fees.mpf, result.lane, result.build
    assert mpf is not None and build is not None
    bounds = {
        "min": money_with_code(mpf.minimum, mpf.currency),
        "max": money_with_code(mpf.maximum, mpf.currency),
        "units": lane.entry_units or 0,
        "since": mpf.since.isoformat(),
    }
    if not lane.entry_units:
        return Text("cost.mpf.no_entry", bounds)
    bound = build.arrival.mpf_bound
    return Text(f"cost.mpf.{bound or 'within'}", bounds)


def not_entered_warning(build: BuildUp) -> Line | None:
    """`⚠ The margin leaves out what is not entered: referral fee, storage`."""
    if not build.not_entered:
        return None
    names = [Text(f"cost.name.{name}") for name in build.not_entered]
    return [WARNING, Text("cost.margin_excludes", {"lines": names})]


def card(sku: Sku, results: list[LaneResult], today: date, *, notice: Text | None = None) -> Reply:
    return Reply("cost_card", card=cost_card(sku, results, today, notice=notice))


def cost_card(sku: Sku, results: list[LaneResult], today: date, *, notice: Text | None = None) -> Card:
    """A SKU's facts and, per market lane (up to MAX_LANES_SHOWN), its landed cost and margin."""
    shown = results[:MAX_LANES_SHOWN]
    parts: list[Any] = [Note((sku_facts(sku),))]
    if not shown:
        parts.append(Section((Text("cost.no_lanes_yet", {"sku": sku.code}),)))
    for result in shown:
        parts += lane_parts(result, today)
    if len(results) > len(shown):
        parts.append(Note((Text("cost.more_lanes", {"count": len(results) - len(shown)}),)))
    if shown:
        parts.append(Note((Text("cost.basis_note"),)))
    return Card(
        summary=Text("cost.fallback", {"sku": sku.code}),
        header=Header(Text("cost.card_title", {"sku": sku.code})),
        parts=tuple(p for p in parts if p is not None),
        notice=(notice,) if notice else (),
    )


def price_reply(sku: Sku, result: LaneResult, margin: Decimal, today: date) -> Reply:
    return Reply("cost_price", card=price_card(sku, result, margin, today))


def price_card(sku: Sku, result: LaneResult, margin: Decimal, today: date) -> Card:
    """The shelf price that reaches a target margin in one market, and where the lane stands today."""
    title = Text("cost.price.title", {"sku": sku.code, "market": result.market})
    answer: Text | None = None
    now: Text | None = None
    inputs, ccy = result.inputs, result.currency
    if inputs is not None and result.build is not None:
        exact = price_for_margin(inputs, margin)
        if exact is None:
            answer = Text("cost.price.unreachable", {"margin": percent(margin), "market": result.market})
        else:
            charm = charm_price(exact, price_step(ccy))
            at_charm = build_up(replace(inputs, price=charm))
            answer = Text(
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
            now = Text(
                "cost.price.now",
                {"price": money_with_code(result.build.price, ccy), "margin": percent(result.build.margin)},
            )
    missing = _missing(result)
    rates = [rate_line(r, today) for r in result.rates]
    parts = [
        Section((answer,)) if answer else None,
        Note((now,)) if now else None,
        Section(tuple(("• ", m) for m in missing)) if missing else None,
        Note(tuple(rates)) if rates else None,
        Section((Text("common.none"),)) if answer is None and not missing else None,
    ]
    return Card(summary=title, header=Header(title), parts=tuple(p for p in parts if p is not None))


def what_if_reply(sku: Sku, found: list[WhatIf], shock: Shock) -> Reply:
    return Reply("cost_whatif", card=what_if_card(sku, found, shock))


def what_if_card(sku: Sku, found: list[WhatIf], shock: Shock) -> Card:
    """Each lane's margin and contribution before and under a shock; the lanes it makes lose money."""
    title = Text("cost.whatif.title", {"sku": sku.code})
    rows = []
    for hit in found:
        ccy = hit.shocked.currency
        before, after = hit.base.build, hit.shocked.build
        line: list[Line] = [Strong(hit.market), "  "]
        if before is not None and after is not None:
            line.append(
                Text(
                    "cost.whatif.line",
                    {
                        "before": percent(before.margin),
                        "after": percent(after.margin),
                        "was": money_with_code(before.contribution, ccy),
                        "now": money_with_code(after.contribution, ccy),
                        "home": _home_text(hit.shocked, after.contribution),
                    },
                )
            )
            if hit.turns_negative:
                line += ["  ", WARNING, Text("cost.whatif.turns_negative")]
            elif hit.negative:
                line += ["  ", WARNING, Text("cost.whatif.still_negative")]
        else:
            line.append(joined(_missing(hit.shocked), "; "))
        rows.append(Row(line))
    negatives = [hit.market for hit in found if hit.turns_negative]
    parts: list[Any] = [Note((Text("cost.whatif.shock", {"shock": shock_text(shock)}),)), Rows(tuple(rows))]
    if negatives:
        parts.append(Section((Text("cost.whatif.negatives", {"markets": ", ".join(negatives)}),), mark="warning"))
    return Card(summary=title, header=Header(title), parts=tuple(parts))


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


def list_page(found: SkuPage, *, page: int, replace_original: bool = False) -> Reply:
    buttons = page_buttons(PAGE_ACTION, page, found.more)
    return Reply("cost_list", card=list_card(found, page), buttons=buttons, replace_original=replace_original)


def list_card(found: SkuPage, page: int) -> Card:
    """A page of SKUs by code: each with its purchase cost and the markets of its lanes."""
    title = Text("cost.list_title")
    if not found.items:
        return Card(summary=title, header=Header(title), parts=(Section((Text("cost.list_empty"),)),))
    counted = page_note(page, PAGE_SIZE, len(found.items), found.total)
    rows = tuple(
        Row(
            [
                Strong(sku.code),
                " · ",
                money_with_code(sku.purchase, sku.purchase_currency),
                " · ",
                ", ".join(markets) if markets else Text("cost.no_markets"),
            ]
        )
        for sku, markets in found.items
    )
    return Card(summary=[title, " · ", counted], header=Header(title), parts=(Note((counted,)), Rows(rows)))


def fx_card(found: FxRates, today: date, *, notice: Text | None = None) -> Card:
    """The team's exchange rates, each with the date it is for and its age, and the home currency."""
    title = Text("fx.title")
    rates: tuple[Row, ...] = tuple(Row(("• ", rate_line(r, today))) for r in found.rates)
    return Card(
        summary=notice or title,
        header=Header(title),
        parts=(
            Note((Text("fx.home", {"currency": found.home}),)),
            Rows(rates, empty=Text("fx.none")),
            Note((Text("fx.note"),)),
        ),
        notice=(notice,) if notice else (),
    )


def fees_card(schedule: Schedule, own: dict[str, Decimal], *, notice: Text | None = None) -> Card:
    """A marketplace's fee schedule: its source and date, its referral categories, size tiers and
    storage rates, and the workspace's own figures in place of the shipped ones."""
    title = Text("cost.fees.title", {"marketplace": schedule.marketplace, "since": schedule.since.isoformat()})
    ccy = schedule.currency
    shipped = schedule_with(schedule.market, None)
    assert shipped is not None
    edited = schedule_with(schedule.market, own) or shipped
    referral = [
        Row(
            [
                "• ",
                Strong(key),
                "  ",
                _bands(rule.bands, rule.portion, ccy),
                "  ",
                Text("cost.fees.minimum", {"amount": money(rule.minimum, ccy)}),
            ]
        )
        for key, rule in sorted(edited.referral.items())
    ]
    tiers: list[Row] = []
    if edited.fba is not None:
        unit = edited.fba.weight_unit
        for tier in edited.fba.tiers:
            low, high = tier.bands[0].fee, tier.bands[-1].fee
            span = money(low, ccy) if low == high else f"{money(low, ccy)}–{money(high, ccy)}"
            sides = "×".join(f"{v.normalize():f}" for v in (tier.longest, tier.median, tier.shortest))
            limits = f"{sides} {edited.fba.length_unit}, {tier.max_weight.normalize():f} {unit}"
            tiers.append(Row(["• ", Strong(Text(f"cost.tier.{tier.key}")), f"  {limits}  {ccy} {span}"]))
        for kind, rates in edited.fba.storage.items():
            shown = ", ".join(f"{money(v, ccy)}" for v in rates.values())
            tiers.append(
                Row(["• ", Text("cost.fees.storage", {"kind": kind, "rates": shown, "unit": edited.fba.storage_unit})])
            )
    mine = [Row(["• ", Code(key), f" = {value.normalize():f}"]) for key, value in sorted(own.items())]
    checked = (
        None
        if schedule.rate_card_checked
        else Note(
            (
                Text(
                    "cost.schedule_unchecked",
                    {"marketplace": schedule.marketplace, "since": schedule.since.isoformat()},
                ),
            )
        )
    )
    parts = [
        Note((schedule.source,)),
        checked,
        Section((Strong(Text("cost.fees.referral")),)),
        Rows(tuple(referral)),
        Section((Strong(Text("cost.fees.fba")),)),
        Rows(tuple(tiers), empty=Text("common.none")),
        Section((Strong(Text("cost.fees.own")),)),
        Rows(tuple(mine), empty=Text("cost.fees.none_own")),
        Note((Text("cost.fees.how", {"market": schedule.market}),)),
    ]
    return Card(
        summary=notice or title,
        header=Header(title),
        parts=tuple(p for p in parts if p is not None),
        notice=(notice,) if notice else (),
    )


def _bands(bands: tuple[Band, ...], portion: bool, ccy: str) -> str:
    shown = [f"{pct_text(b.pct)} ≤ {money(b.up_to, ccy)}" if b.up_to is not None else pct_text(b.pct) for b in bands]
    return ("; " if portion else ", ").join(shown)


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
