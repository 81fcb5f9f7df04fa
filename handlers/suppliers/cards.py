"""Supplier cards: one supplier's scorecard, the weights, suppliers side by side, and a page of the list."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session

from handlers.core.card import (
    Card,
    Divider,
    Header,
    Inline,
    Line,
    Mention,
    Note,
    Row,
    Rows,
    Section,
    Strong,
    When,
    card,
    joined,
    note,
    person,
)
from handlers.core.reply import Reply, Text, Visibility
from handlers.core.views import page_buttons, page_note
from models.money import percent
from models.suppliers import queries
from models.suppliers.queries import Compared, LinkTarget, Scored, SupplierCard, SupplierPage
from models.suppliers.supplier import CRITERIA, Supplier, SupplierScore, weighted_total

PAGE_ACTION = "supplier.page"
PAGE_SIZE = 15  # the longest page (every name and place at its limit, all escaped) fits one message
COLOUR = "turquoise"


def total_text(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def weight_text(value: Decimal) -> str:
    return percent(value, digits=1)


def criterion(name: str) -> Text:
    return Text(f"supplier.criterion.{name}")


# ---- one supplier -----------------------------------------------------------------------------------


def card_reply(db: Session, supplier: Supplier, *, notice: Text | None = None) -> Reply:
    drawn = supplier_card(queries.supplier_card(db=db, supplier=supplier), notice=notice)
    return Reply("supplier_card", card=drawn, visibility=Visibility.EPHEMERAL)


def facts_line(supplier: Supplier) -> Line:
    """`apparel · Shenzhen · lead time 25 days · defect rate 1.50% (3/200 in sample) · certified CE`."""
    parts: list[Line] = []
    if supplier.category:
        parts.append(supplier.category)
    if supplier.city:
        parts.append(supplier.city)
    if supplier.lead_days is not None:
        parts.append(Text("supplier.lead_days", {"days": supplier.lead_days}))
    rate = supplier.defect_rate
    if rate is not None:
        parts.append(
            Text("supplier.defect_rate", {"rate": percent(rate), "defects": supplier.defects, "batch": supplier.batch})
        )
    if supplier.certs:
        parts.append(Text("supplier.certs", {"certs": ", ".join(supplier.certs)}))
    return joined(parts) if parts else Text("supplier.no_facts")


def supplier_card(data: SupplierCard, *, notice: Text | None = None) -> Card:
    supplier, weights = data.supplier, data.weights
    current = data.history[0] if data.history else None
    if current is not None:
        scores = current.scores()
        total = Text("supplier.weighted_total", {"total": total_text(weighted_total(scores, weights))})
        lines: list[Line] = [Strong(total)]
        lines += [[criterion(c), f" ({weight_text(weights[c])}): {scores[c]}/5"] for c in CRITERIA]
        scorecard = Section(tuple(lines))
    else:
        scorecard = Section((Text("supplier.not_scored", {"name": supplier.name, "key": supplier.key}),))
    history = tuple(_history_line(h, data.people, weights) for h in data.history)
    links = [Text("supplier.links"), ": ", *joined([_link_line(link) for link in data.links], ", ")]
    return card(
        Text("supplier.fallback", {"name": supplier.name, "key": supplier.key}),
        Section((facts_line(supplier),)),
        note(supplier.note),
        scorecard,
        Note(history, title=Text("supplier.history")) if history else None,
        note(links) if data.links else None,
        header=Header(f"{supplier.key} · {supplier.name}", COLOUR),
        notice=notice,
    )


def _history_line(row: SupplierScore, people: queries.People, weights: dict[str, Decimal]) -> Line:
    """`2026-01-02 09:30 @li · 4.00 (5/5/3/4/2/4) · new QC lead`."""
    scores = row.scores()
    who: Inline = "—"
    if row.scored_by in people:
        ref, name = people[row.scored_by]
        who = person(Mention(ref, name))
    line: list[Inline] = [When(row.scored_at), " ", who, " · ", total_text(weighted_total(scores, weights))]
    line.append(" (" + "/".join(str(scores[c]) for c in CRITERIA) + ")")
    if row.note:
        line += [" · ", row.note]
    return line


def _link_line(link: LinkTarget) -> Line:
    if link.is_requirement:
        target: Line = link.requirement_key or "?"
    else:
        target = Text("supplier.sku_target", {"sku": link.sku_code or "?"})
    return [target, " · ", Text(f"supplier.role.{link.role}")]


# ---- weights ----------------------------------------------------------------------------------------


def weights_reply(weights: dict[str, Decimal], *, notice: Text | None = None) -> Reply:
    return Reply("supplier_weights", card=weights_card(weights, notice=notice))


def weights_card(weights: dict[str, Decimal], *, notice: Text | None = None) -> Card:
    title = Text("supplier.weights.title")
    lines = tuple([criterion(c), f": {weight_text(weights[c])}"] for c in CRITERIA)
    return card(
        title,
        Section(lines),
        note(Text("supplier.weights.note")),
        header=Header(title, COLOUR),
        notice=notice,
    )


# ---- side by side -----------------------------------------------------------------------------------


def compare_reply(db: Session, workspace_id: int, suppliers: list[Supplier]) -> Reply:
    found = queries.compared(db=db, workspace_id=workspace_id, suppliers=suppliers)
    return Reply("supplier_compare", card=compare_card(found))


def ranked(found: Compared) -> list[Scored]:
    """Best weighted score first; suppliers without a scorecard last, in the order given."""
    weights = found.weights

    def order(item: Scored) -> tuple[bool, Decimal]:
        if item.latest is None:
            return True, Decimal(0)
        return False, -weighted_total(item.latest.scores(), weights)

    return sorted(found.suppliers, key=order)


def compare_card(found: Compared) -> Card:
    title = Text("supplier.compare.title")
    weights = found.weights
    order = ranked(found)
    rows = []
    for rank, item in enumerate(order, start=1):
        name = item.supplier.name
        if item.latest is not None:
            total = total_text(weighted_total(item.latest.scores(), weights))
            main: Line = [Strong([f"{rank}. ", name]), " · ", Text("supplier.weighted_total", {"total": total})]
        else:
            main = [Strong(name), " · ", Text("supplier.not_scored_short")]
        rows.append(Row(main, facts_line(item.supplier)))
    lines = []
    for c in CRITERIA:
        cells = [(item.supplier.name, item.latest.scores()[c] if item.latest else None) for item in order]
        best = max((score for _, score in cells if score is not None), default=None)
        shown: list[Line] = []
        for name, score in cells:
            mark = " ★" if score is not None and score == best and len(cells) > 1 else ""
            shown.append([name, f" {score if score is not None else '—'}{mark}"])
        lines.append([criterion(c), f" ({weight_text(weights[c])}): ", *joined(shown)])
    return card(title, Rows(tuple(rows)), Divider(), Section(tuple(lines)), header=Header(title, COLOUR))


# ---- the list, a page at a time ---------------------------------------------------------------------


def list_reply(db: Session, workspace_id: int, page: int, *, replace_original: bool = False) -> Reply:
    found = queries.supplier_page(db=db, workspace_id=workspace_id, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    if not found.items and found.total and page > 1:  # past the end (suppliers went): the last page
        page = -(-found.total // PAGE_SIZE)
        found = queries.supplier_page(db=db, workspace_id=workspace_id, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    return list_page(found, page=page, replace_original=replace_original)


def list_page(found: SupplierPage, *, page: int, replace_original: bool = False) -> Reply:
    buttons = page_buttons(PAGE_ACTION, page, found.more)
    return Reply("supplier_list", card=list_card(found, page), buttons=buttons, replace_original=replace_original)


def list_card(found: SupplierPage, page: int) -> Card:
    title = Text("supplier.list_title")
    if not found.items:
        return card(title, Section((Text("supplier.list_empty"),)), header=Header(title, COLOUR))
    counted = page_note(page, PAGE_SIZE, len(found.items), found.total)
    rows = tuple(Row(_list_line(item, found.weights)) for item in found.items)
    return card([title, " · ", counted], Note((counted,)), Rows(rows), header=Header(title, COLOUR))


def _list_line(item: Scored, weights: dict[str, Decimal]) -> Line:
    """`**Shenzhen Hongda** · apparel · Shenzhen · Weighted score 3.70 / 5`."""
    supplier = item.supplier
    parts: list[Line] = [[Strong(supplier.key), " ", Strong(supplier.name)]]
    if supplier.category:
        parts.append(supplier.category)
    if supplier.city:
        parts.append(supplier.city)
    if item.latest is not None:
        total = total_text(weighted_total(item.latest.scores(), weights))
        parts.append(Text("supplier.weighted_total", {"total": total}))
    else:
        parts.append(Text("supplier.not_scored_short"))
    return joined(parts)
