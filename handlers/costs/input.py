"""Turning `/cost add` and `/cost lane` options into SKU and lane values, every bad field named."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from handlers.core import fields
from handlers.core import money as parse
from handlers.core.reply import FieldError, InvalidFields
from models.costs import cost as cost_model
from models.costs.fee_schedule import schedule_for
from models.costs.landed_cost import DEFAULT_DIVISOR, Channel, Customs
from models.markets.defaults import STANDARD_VAT, TAX_EXCLUSIVE, currency_of, customs_basis

SKU_KEYS = frozenset({"purchase", "currency", "weight", "dims", "carton", "carton_weight", "per_carton"})
LANE_KEYS = frozenset(
    {
        "market",
        "channel",
        "freight",
        "freight_currency",
        "divisor",
        "duty",
        "section301",
        "additional",
        "insurance",
        "after_arrival",
        "entry_units",
        "hs",
        "customs",
        "declared",
        "vat",
        "referral",
        "fulfilment",
        "fulfillment",
        "fba",
        "storage",
        "ads",
        "returns",
        "return_fee",
        "unsellable",
        "price",
        "price_currency",
        "platform",
        "category",
    }
)
LANE_REQUIRED = ("channel", "freight", "duty", "price")
FULFILMENT_KEYS = ("fulfilment", "fulfillment", "fba")
CHANNELS = {"sea": Channel.SEA, "海运": Channel.SEA, "air": Channel.AIR, "空运": Channel.AIR}
CHANNELS |= {"express": Channel.EXPRESS, "快递": Channel.EXPRESS, "courier": Channel.EXPRESS}
CUSTOMS = {"cif": Customs.CIF, "fob": Customs.FOB}
HS_CHARS = frozenset("0123456789.")
PLATFORMS = {
    "amazon": "amazon",
    "亚马逊": "amazon",
    "other": cost_model.OTHER_PLATFORM,
    "其他": cost_model.OTHER_PLATFORM,
}


def sku_values(options: dict[str, str], *, creating: bool, home: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    errors: list[FieldError] = []

    def take(key: str, targets: tuple[str, ...], work: Callable[[str, str], Any]) -> None:
        if key not in options:
            return
        try:
            found = work(key, options[key])
        except FieldError as err:
            errors.append(err)
            return
        values.update(zip(targets, found if len(targets) > 1 else (found,), strict=True))

    take("purchase", ("purchase",), parse.amount)
    take("currency", ("purchase_currency",), parse.currency)
    take("weight", ("weight_kg",), parse.weight_kg)
    take("dims", ("length_cm", "width_cm", "height_cm"), parse.dims_cm)
    take("carton", ("carton_length_cm", "carton_width_cm", "carton_height_cm"), parse.dims_cm)
    take("carton_weight", ("carton_weight_kg",), parse.weight_kg)
    take("per_carton", ("carton_units",), lambda k, v: parse.whole(k, v, low=1, high=100_000))
    if creating and "purchase" not in options:
        errors.append(FieldError("purchase", "field.required"))
    if creating:
        values.setdefault("purchase_currency", home)
    if ("carton" in options) != ("per_carton" in options):
        errors.append(FieldError("per_carton" if "carton" in options else "carton", "cost.carton_needs_both"))
    if errors:
        raise InvalidFields(errors)
    return values


def market_of(options: dict[str, str]) -> str:
    if "market" not in options:
        raise InvalidFields([FieldError("market", "field.required")])
    try:
        return fields.markets("market", options["market"], limit=1)[0]
    except FieldError as err:
        raise InvalidFields([err]) from err
    except IndexError as err:
        raise InvalidFields([FieldError("market", "field.required")]) from err


def lane_values(
    options: dict[str, str], *, market: str, sku: cost_model.Sku, existing: cost_model.CostLane | None
) -> dict[str, Any]:
    """Lane values from options; for a new lane, the defaults of its market fill what was left out."""
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    pct = parse.percent

    def take(key: str, work: Callable[[str], Any], target: str) -> None:
        if key in options:
            try:
                values[target] = work(options[key])
            except FieldError as err:
                errors.append(err)

    take("channel", lambda v: _choice("channel", v, CHANNELS), "channel")
    take("freight", lambda v: parse.freight("freight", v), "freight")
    take("freight_currency", lambda v: parse.currency("freight_currency", v), "freight_currency")
    take("divisor", lambda v: parse.whole("divisor", v, low=1000, high=10_000), "divisor")
    take("duty", lambda v: pct("duty", v), "duty_pct")
    take("section301", lambda v: pct("section301", v), "section301_pct")
    take("additional", lambda v: pct("additional", v, maximum=parse.HUNDRED * 10), "extra_duty_pct")
    take("insurance", lambda v: pct("insurance", v, maximum=parse.HUNDRED / 10), "insurance_pct")
    take("after_arrival", lambda v: pct("after_arrival", v), "after_arrival_pct")
    take("entry_units", lambda v: parse.whole("entry_units", v, low=1, high=10_000_000), "entry_units")
    take("hs", _hs_code, "hs_code")
    take("customs", lambda v: _choice("customs", v, CUSTOMS), "customs")
    take("declared", lambda v: parse.amount("declared", v), "declared")
    take("vat", lambda v: pct("vat", v, maximum=parse.HUNDRED - 1), "vat_pct")
    take("referral", lambda v: pct("referral", v, maximum=parse.HUNDRED - 1), "referral_pct")
    spellings = [k for k in FULFILMENT_KEYS if k in options]
    for key in spellings:
        take(key, lambda v, k=key: parse.amount(k, v), "fulfilment")
    if len(spellings) > 1:
        errors.append(FieldError(spellings[1], "args.duplicate_key", name=spellings[1]))
    take("storage", lambda v: parse.amount("storage", v), "storage")
    take("ads", lambda v: pct("ads", v, maximum=parse.HUNDRED - 1), "ads_pct")
    take("returns", lambda v: pct("returns", v, maximum=parse.HUNDRED - 1), "returns_pct")
    take("return_fee", lambda v: parse.amount("return_fee", v), "return_fee")
    take("unsellable", lambda v: pct("unsellable", v), "unsellable_pct")
    take("price", lambda v: parse.amount("price", v, positive=True), "price")
    take("price_currency", lambda v: parse.currency("price_currency", v), "price_currency")
    take("platform", lambda v: _choice("platform", v, PLATFORMS), "platform")
    take("category", lambda v: _category(v, market), "category")
    if "freight" in values:
        values["freight_rate"], values["freight_basis"] = values.pop("freight")
    if market in TAX_EXCLUSIVE and values.get("vat_pct"):
        errors.append(FieldError("vat", "cost.vat_excluded", market=market))
    if existing is None:
        errors += [FieldError(k, "field.required") for k in LANE_REQUIRED if k not in options]
        _defaults(values, errors, market=market, sku=sku)
    if errors:
        raise InvalidFields(errors)
    if "channel" in values and "divisor" not in options and existing is not None:
        values["divisor"] = DEFAULT_DIVISOR[values["channel"]]
    return {k: (v.value if hasattr(v, "value") else v) for k, v in values.items()}


def _defaults(values: dict[str, Any], errors: list[FieldError], *, market: str, sku: cost_model.Sku) -> None:
    currency = currency_of(market)
    if "price_currency" not in values:
        if currency is None:
            errors.append(FieldError("price_currency", "field.required"))
        else:
            values["price_currency"] = currency
    if "vat_pct" not in values:
        if market in STANDARD_VAT:
            values["vat_pct"] = STANDARD_VAT[market]
        else:
            errors.append(FieldError("vat", "cost.vat_required", market=market))
    values.setdefault("freight_currency", sku.purchase_currency)
    values.setdefault("customs", customs_basis(market))
    if "channel" in values:
        values.setdefault("divisor", DEFAULT_DIVISOR[values["channel"]])


def _choice(name: str, value: str, choices: dict[str, Any]) -> Any:
    found = choices.get(value.strip().lower())
    if found is None:
        allowed = ", ".join(sorted({getattr(c, "value", c) for c in choices.values()}))
        raise FieldError(name, "cost.bad_choice", value=value, allowed=allowed)
    return found


def _category(value: str, market: str) -> str:
    found = schedule_for(market)
    if found is None:
        raise FieldError("category", "cost.no_schedule", market=market)
    key = value.strip().lower()
    if key not in found.referral:
        raise FieldError("category", "cost.bad_choice", value=value, allowed=", ".join(sorted(found.referral)))
    return key


def _hs_code(value: str) -> str:
    cleaned = value.strip()
    digits = cleaned.replace(".", "")
    if not cleaned or not set(cleaned) <= HS_CHARS or not 6 <= len(digits) <= 12 or len(cleaned) > cost_model.HS_MAX:
        raise FieldError("hs", "cost.bad_hs", value=value)
    return cleaned
