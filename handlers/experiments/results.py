"""Recording results: totals typed per arm, or daily rows from a CSV (a Slack modal's file input, a
file shared in the experiment's thread, or a local path in the console)."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from sqlmodel import Session

from handlers.core import fields
from handlers.core.card import Card, Note, Row, Rows, Section
from handlers.core.command import ActionInput, CommandInput
from handlers.core.reply import (
    Attachment,
    FetchFiles,
    FieldError,
    FileRef,
    Form,
    FormField,
    InvalidFields,
    OpenForm,
    Reply,
    Text,
    UsageError,
    Visibility,
    file_action,
)
from handlers.experiments import cards as view_of
from handlers.experiments.csv_file import ERRORS_SHOWN, MAX_BYTES, Problem, read_daily
from handlers.experiments.input import RESULT_KEYS, arm_for, counts, find, invalid
from handlers.experiments.input import sums as input_sums
from models.experiments import experiment as exp_model
from models.experiments import queries
from models.experiments import result as results
from models.experiments.experiment import Experiment, ExpStatus
from models.experiments.result import OVERALL, DailyRow

FILE_ACTION = file_action(exp_model.ENTITY)
TABLE_SUFFIXES = (".csv", ".tsv", ".txt")
SPREADSHEET_SUFFIXES = (".xlsx", ".xls", ".numbers", ".ods")
USAGE = "exp.result.usage"

__all__ = ["FILE_ACTION", "RESULT_KEYS", "on_file", "result"]


def result(cmd: CommandInput, db: Session) -> Reply:
    """`/exp result EXP-4 control=10000/330 variant=10000/300 [market=DE]`, `file=./daily.csv` in the
    console, or just `/exp result EXP-4` for a form with a file input."""
    if not cmd.args.words:
        raise UsageError("exp.need_key", USAGE)
    if len(cmd.args.words) > 1:
        raise UsageError("args.unexpected_word", USAGE, value=cmd.args.words[1])
    item = find(db, cmd.actor, cmd.args.words[0], USAGE)
    _open_for_results(item)
    options = dict(cmd.args.options)
    if "file" in options:
        return _local_file(cmd, item, options)
    market = options.pop("market", None)
    guarded = options.pop("guard", None)
    if guarded is not None:
        return _guard_result(db, cmd, item, guarded, market, options)
    if not options:
        if market is not None:
            raise UsageError("exp.result.no_counts", USAGE)
        return Reply("silent", effects=[OpenForm(upload_form(item))])
    numbers, sums = _typed(item, options)
    if results.has_daily(db=db, experiment_id=item.id or 0):
        raise UsageError("exp.result.has_daily", USAGE, key=item.key)
    code = OVERALL
    if market is not None:
        try:
            code = fields.markets("market", market, limit=1)[0]
        except FieldError as err:
            raise UsageError("field.invalid", USAGE, field=err.field, reason=err.text) from err
    notices = _started(db, cmd.actor.member_id, item)
    results.record_totals(
        db=db, item=item, actor_id=cmd.actor.member_id, market=code, numbers=numbers, sums=sums or None
    )
    queries.lock_if_reached(db=db, item=item)
    where = code or Text("exp.all_markets")
    notices.insert(0, Text("exp.result.recorded", {"key": item.key, "market": where, "arms": list(numbers)}))
    return view_of.changed(db, item, notices)


def _guard_result(
    db: Session, cmd: CommandInput, item: Experiment, metric: str, market: str | None, options: dict[str, str]
) -> Reply:
    """`/exp result EXP-4 guard=refund_rate control=10000/300 variant=10000/330`: a guardrail's totals."""
    names = [g["metric"] for g in item.guardrails]
    if metric not in names:
        raise UsageError("exp.guard.unknown", USAGE, name=metric, key=item.key, names=", ".join(names) or "—")
    if market is not None:
        raise UsageError("exp.guard.no_market", USAGE)
    if not options:
        raise UsageError("exp.result.no_counts", USAGE)
    numbers: dict[str, tuple[int, int]] = {}
    errors: list[FieldError] = []
    for key, value in options.items():
        arm = arm_for(key, list(item.arms))
        if arm is None:
            raise UsageError("exp.result.unknown_arm", USAGE, name=key, key=item.key, arms=", ".join(item.arms))
        try:
            numbers[arm] = counts(arm, value)
        except FieldError as err:
            errors.append(err)
    if errors:
        raise invalid(InvalidFields(errors), USAGE)
    exp_model.record_guardrail(db, item, cmd.actor.member_id, metric, numbers)
    return view_of.changed(db, item, [Text("exp.guard.recorded", {"key": item.key, "metric": metric})])


def on_file(action: ActionInput, db: Session) -> Reply:
    """Two steps through one action: file references (from a form or a thread) are checked and
    fetched; the fetched files are read and stored."""
    item = exp_model.get_by_id(
        db=db, workspace_id=action.actor.workspace_id, experiment_id=_int(action.payload.get("id"))
    )
    if item is None:
        return Reply.message("exp.gone")
    if action.files:
        return _import(db, action, item)
    from_thread = action.payload.get("thread") is True
    refs = [f for f in (action.form or {}).get("file") or [] if isinstance(f, FileRef)]
    tables = [f for f in refs if f.name.lower().endswith(TABLE_SUFFIXES)]
    if not tables:
        if any(f.name.lower().endswith(SPREADSHEET_SUFFIXES) for f in refs):
            return _refuse(from_thread, Text("exp.csv.spreadsheet"))
        if from_thread:
            return Reply("silent")  # a picture or a document in the thread: not ours to read
        return _refuse(from_thread, Text("exp.form.csv_only") if refs else Text("field.required"))
    if item.decision is not None:
        return _refuse(from_thread, Text("exp.decided_already", {"key": item.key}))
    if item.kind == "mean":
        return _refuse(from_thread, Text("exp.csv.mean_typed", {"key": item.key}))
    if any(f.size is not None and f.size > MAX_BYTES for f in tables):
        return _refuse(from_thread, Text("exp.csv.too_big", {"max_mb": MAX_BYTES // (1024 * 1024)}))
    return Reply("silent", effects=[FetchFiles(tuple(tables), FILE_ACTION, {"id": item.id})])


def _refuse(from_thread: bool, text: Text) -> Reply:
    """In a thread, a message; in a form, an error under the file field."""
    if from_thread:
        return Reply.message(text)
    return Reply("silent", form_errors={"file": text})


def upload_form(item: Experiment) -> Form:
    return Form(
        action=FILE_ACTION,
        title=Text("exp.form.title"),
        fields=(FormField("file", Text("exp.form.file", {"key": item.key}), kind="file", required=True,
                          hint=Text("exp.form.hint", {"arms": ", ".join(item.arms)}), accept=("csv", "tsv", "text")),),
        submit=Text("exp.form.submit"),
        metadata={"id": item.id},
    )  # fmt: skip


def _import(db: Session, action: ActionInput, item: Experiment) -> Reply:
    if item.decision is not None:
        return Reply.message("exp.decided_already", key=item.key)
    default_market = item.market_list[0] if len(item.market_list) == 1 else OVERALL
    rows: dict[tuple[Any, ...], DailyRow] = {}
    for attachment in action.files:
        read = read_daily(attachment.content, arms=list(item.arms), default_market=default_market)
        if read.problems:
            return _problems(item, attachment, read.problems)
        for row in read.rows:
            rows[(row.day, row.arm, row.market)] = row  # a later file wins over an earlier one
    names = ", ".join(a.name for a in action.files)
    notices = _started(db, action.actor.member_id, item)
    dropped = results.import_daily(
        db=db, item=item, actor_id=action.actor.member_id, rows=list(rows.values()), source=names
    )
    queries.lock_if_reached(db=db, item=item)
    days = {r.day for r in rows.values()}
    markets = {r.market for r in rows.values() if r.market}
    imported = {"key": item.key, "file": names, "rows": f"{len(rows):,}", "days": len(days), "markets": len(markets)}
    notices.insert(0, Text("exp.csv.imported", imported))
    if dropped:
        notices.append(Text("exp.csv.replaced_typed"))
    reply = view_of.changed(db, item, notices)
    reply.effects.extend(view_of.chart_effect(db, view_of.reading(db, item)))
    return reply


def _problems(item: Experiment, attachment: Attachment, problems: list[Problem]) -> Reply:
    return Reply("exp_problems", card=problems_card(item, attachment.name, problems), visibility=Visibility.EPHEMERAL)


def problems_card(item: Experiment, file_name: str, problems: list[Problem]) -> Card:
    """Why a CSV was refused: the first problems, line by line, how many more, and what was expected."""
    title = Text("exp.csv.refused", {"key": item.key, "file": file_name})
    shown = [
        Text("exp.csv.at_line", {"line": p.line, "problem": p.text}) if p.line else p.text
        for p in problems[:ERRORS_SHOWN]
    ]
    hidden = len(problems) - len(shown)
    return Card(
        summary=title,
        parts=(
            Section((title,), mark="warning"),
            Rows(
                tuple(Row(("• ", line)) for line in shown),
                more=Text("exp.csv.more", {"n": hidden}) if hidden else None,
            ),
            Note((Text("exp.csv.expected", {"arms": ", ".join(item.arms)}),)),
        ),
    )


def _local_file(cmd: CommandInput, item: Experiment, options: dict[str, str]) -> Reply:
    if cmd.actor.platform != "console":
        raise UsageError("exp.result.file_console_only", USAGE, key=item.key)
    if len(options) > 1:
        other = next(k for k in options if k != "file")
        raise UsageError("exp.result.file_alone", USAGE, name=other)
    if item.kind == "mean":
        raise UsageError("exp.csv.mean_typed", USAGE, key=item.key)
    path = options["file"].strip()
    if not path:
        raise UsageError("exp.result.file_missing", USAGE)
    return Reply("silent", effects=[FetchFiles((FileRef(PurePath(path).name, path),), FILE_ACTION, {"id": item.id})])


def _typed(
    item: Experiment, options: dict[str, str]
) -> tuple[dict[str, tuple[int, int]], dict[str, tuple[float, float]]]:
    """Per arm visitors/conversions, or for a mean metric visitors/Σy/Σy² (then also the sums)."""
    numbers: dict[str, tuple[int, int]] = {}
    sums: dict[str, tuple[float, float]] = {}
    errors: list[FieldError] = []
    for key, value in options.items():
        arm = arm_for(key, list(item.arms))
        if arm is None:
            raise UsageError("exp.result.unknown_arm", USAGE, name=key, key=item.key, arms=", ".join(item.arms))
        if arm in numbers:
            raise UsageError("args.duplicate_key", USAGE, name=arm)
        try:
            if item.kind == "mean":
                n, total, squares = input_sums(arm, value)
                numbers[arm], sums[arm] = (n, 0), (total, squares)
            else:
                numbers[arm] = counts(arm, value)
        except FieldError as err:
            errors.append(err)
    if errors:
        raise invalid(InvalidFields(errors), USAGE)
    return {arm: numbers[arm] for arm in item.arms if arm in numbers}, sums


def _open_for_results(item: Experiment) -> None:
    if item.decision is not None:
        raise UsageError("exp.decided_already", USAGE, key=item.key)


def _started(db: Session, actor_id: int, item: Experiment) -> list[Text]:
    """Results for a draft mean it is running: say so."""
    if item.status != ExpStatus.DRAFT:
        return []
    exp_model.set_status(db=db, item=item, actor_id=actor_id, target=ExpStatus.RUNNING)
    return [Text("exp.started", {"key": item.key})]


def _int(value: object) -> int:
    return fields.row_id(value) or -1
