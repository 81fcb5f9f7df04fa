"""Turning `/supplier` options into facts, scores and weights, every bad field named."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Any

from handlers.core import fields
from handlers.core import money as parse
from handlers.core.args import split_list
from handlers.core.reply import FieldError, InvalidFields
from models.suppliers import supplier as supplier_model
from models.suppliers.supplier import CRITERIA

FACT_KEYS = frozenset({"category", "city", "lead_days", "defects", "certs", "note"})
SCORE_KEYS = frozenset({*CRITERIA, "note"})
CERT_MAX, CERTS_MAX = 24, 20
DEFECTS = re.compile(r"(\d{1,7})/(\d{1,7})")
ONE = Decimal(1)


def facts(options: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for key, raw in options.items():
        try:
            match key:
                case "category" | "city":
                    values[key] = fields.text(key, raw, max_length=supplier_model.SHORT_MAX)
                case "note":
                    values[key] = fields.text(key, raw, max_length=supplier_model.NOTE_MAX)
                case "lead_days":
                    values[key] = parse.whole(key, raw, low=0, high=365)
                case "defects":
                    values["defects"], values["batch"] = _defects(raw)
                case "certs":
                    values[key] = _certs(raw)
        except FieldError as err:
            errors.append(err)
    if errors:
        raise InvalidFields(errors)
    return values


def scores(options: dict[str, str]) -> tuple[dict[str, int], str | None]:
    found: dict[str, int] = {}
    errors: list[FieldError] = []
    for criterion in CRITERIA:
        if criterion in options:
            try:
                found[criterion] = parse.whole(criterion, options[criterion], low=1, high=5)
            except FieldError as err:
                errors.append(FieldError(criterion, "supplier.bad_score", value=err.text.params.get("value", "")))
    note = None
    if "note" in options:
        try:
            note = fields.text("note", options["note"], max_length=supplier_model.NOTE_MAX)
        except FieldError as err:
            errors.append(err)
    if errors:
        raise InvalidFields(errors)
    return found, note


def weights(options: dict[str, str]) -> dict[str, Decimal]:
    """Every criterion's weight, as 0.3 or 30%; they must sum to exactly 1."""
    found: dict[str, Decimal] = {}
    errors: list[FieldError] = []
    for criterion in CRITERIA:
        raw = options.get(criterion)
        if raw is None:
            errors.append(FieldError(criterion, "field.required"))
            continue
        try:
            value = (
                parse.percent(criterion, raw) / 100
                if raw.strip().endswith(("%", "％"))
                else parse.amount(criterion, raw)
            )
        except FieldError as err:
            errors.append(err)
            continue
        if value > ONE:
            errors.append(FieldError(criterion, "supplier.weight_over_one", value=raw))
        found[criterion] = value
    if errors:
        raise InvalidFields(errors)
    return found


def _defects(raw: str) -> tuple[int, int]:
    match = DEFECTS.fullmatch(unicodedata.normalize("NFKC", raw).replace(" ", ""))
    if match is None:
        raise FieldError("defects", "supplier.bad_defects", value=raw)
    defects, batch = int(match.group(1)), int(match.group(2))
    if batch == 0 or defects > batch:
        raise FieldError("defects", "supplier.bad_defects", value=raw)
    return defects, batch


def _certs(raw: str) -> list[str]:
    found = list(dict.fromkeys(unicodedata.normalize("NFKC", c).strip().upper() for c in split_list(raw)))
    if len(found) > CERTS_MAX:
        raise FieldError("certs", "field.too_many", max=CERTS_MAX)
    for cert in found:
        if len(cert) > CERT_MAX:
            raise FieldError("certs", "field.too_long", length=len(cert), max=CERT_MAX)
    return found
