"""The ranked backlog (`/score top`), market weights (`/pm markets`) and the CSV export (`/req export`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlmodel import Session

from handlers.core import fields
from handlers.core.args import normalise_word
from handlers.core.command import ActionInput, ActionSpec, CommandInput, CommandSpec
from handlers.core.reply import FieldError, InvalidFields, Reply, Text, UploadFile, UsageError
from handlers.core.roles import can_decide
from handlers.requirements.input import status_from_word
from handlers.scoring import backlog_csv
from handlers.scoring import cards as scoring_view
from handlers.scoring.input import weights as parse_weights
from models.market_codes import ISO_COUNTRY_CODES, MARKET_ALIASES
from models.requirements import export as backlog_export
from models.requirements.requirement import PLATFORM_MAX, ListFilter
from models.scoring import ranking
from models.scoring import score as score_model
from models.scoring.ranking import By

TOP_KEYS = frozenset({"market", "by"})
EXPORT_KEYS = frozenset({"status", "market", "platform"})
MARKET_KEYS = frozenset(code.lower() for code in (*ISO_COUNTRY_CODES, *MARKET_ALIASES))
DEFAULT_TOP, MAX_TOP = 10, 50
BY_WORDS = {
    "rice": By.RICE,
    "ice": By.ICE,
    "weighted": By.WEIGHTED,
    "weighted_rice": By.WEIGHTED,
    "wrice": By.WEIGHTED,
    "加权": By.WEIGHTED,
}
CLEAR_WORDS = frozenset({"none", "clear", "清空", "无"})


def top(cmd: CommandInput, db: Session) -> Reply:
    usage = "score.top.usage"
    size = DEFAULT_TOP
    if len(cmd.args.words) > 1:
        raise UsageError("args.unexpected_word", usage, value=cmd.args.words[1])
    if cmd.args.words:
        raw = normalise_word(cmd.args.words[0])
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_TOP:
            raise UsageError("score.top.bad_n", usage, value=cmd.args.words[0], max=MAX_TOP)
        size = int(raw)
    by = By.RICE
    if "by" in cmd.args.options:
        found = BY_WORDS.get(normalise_word(cmd.args.options["by"]))
        if found is None:
            raise UsageError("score.top.bad_by", usage, value=cmd.args.options["by"])
        by = found
    market = None
    if "market" in cmd.args.options:
        market = _one_market(cmd.args.options["market"], usage)
    return _top_reply(db, cmd.actor.workspace_id, by, market, size, 0, replace_original=False)


def on_page(action: ActionInput, db: Session) -> Reply:
    payload = action.payload
    by = BY_WORDS.get(str(payload.get("b")), By.RICE)
    market = payload.get("m") if isinstance(payload.get("m"), str) and len(payload["m"]) == 2 else None
    size = payload.get("n") if isinstance(payload.get("n"), int) and 1 <= payload["n"] <= MAX_TOP else DEFAULT_TOP
    offset = payload.get("o") if isinstance(payload.get("o"), int) and payload["o"] >= 0 else 0
    return _top_reply(db, action.actor.workspace_id, by, market, size, offset, replace_original=True)


def _top_reply(
    db: Session, workspace_id: int, by: By, market: str | None, size: int, offset: int, *, replace_original: bool
) -> Reply:
    page = ranking.top(db=db, workspace_id=workspace_id, by=by, market=market, offset=offset, limit=size)
    return scoring_view.top_reply(
        page, by=by, market=market, size=size, offset=offset, replace_original=replace_original
    )


def markets(cmd: CommandInput, db: Session) -> Reply:
    """`/pm markets` shows the weights; `/pm markets US=0.5 DE=0.3` replaces them; `none` clears them."""
    usage = "pm.markets.usage"
    workspace_id = cmd.actor.workspace_id
    words = [normalise_word(w) for w in cmd.args.words]
    if not words and not cmd.args.options:
        return _weights_reply(score_model.weights(db=db, workspace_id=workspace_id), None)
    if words and (len(words) > 1 or words[0] not in CLEAR_WORDS or cmd.args.options):
        raise UsageError("args.unexpected_word", usage, value=cmd.args.words[0])
    if not can_decide(cmd.actor):
        raise UsageError("pm.markets.not_allowed", None)
    try:
        new = {} if words else parse_weights(cmd.args.options)
    except InvalidFields as err:
        raise err.usage_error(usage) from err
    if new and sum(new.values()) == 0:
        raise UsageError("pm.markets.all_zero", usage)
    score_model.set_weights(db=db, workspace_id=workspace_id, actor_id=cmd.actor.member_id, new=new)
    return _weights_reply(new, Text("pm.markets.set" if new else "pm.markets.cleared"))


def _weights_reply(weights: dict[str, Decimal], notice: Text | None) -> Reply:
    return Reply("market_weights", card=scoring_view.weights_card(weights, notice=notice))


def export(cmd: CommandInput, db: Session) -> Reply:
    """`/req export [status=…] [market=…] [platform=…] [mine]`: the backlog with its scores, as a CSV file
    whose column names and statuses are in the reader's language, built and uploaded after the answer."""
    usage = "req.export.usage"
    where = _export_filter(cmd, usage)
    if not backlog_export.any_match(db=db, workspace_id=cmd.actor.workspace_id, where=where):
        return Reply.message("req.export.empty")
    day = fields.local_today(cmd.actor.tz).isoformat()
    at = datetime.now(ZoneInfo(cmd.actor.tz)).strftime("%H%M%S")  # two exports of a day never share a name
    upload = UploadFile(
        f"tradewind-backlog-{day}-{at}.csv",
        backlog_csv.query(cmd.actor.workspace_id, where),
        Text("req.export.title", {"day": day}),
    )
    return Reply.message("req.export.started", effects=[upload])


def _export_filter(cmd: CommandInput, usage: str) -> ListFilter:
    member_id = None
    for word in cmd.args.words:
        if normalise_word(word) in ("mine", "我的"):
            member_id = cmd.actor.member_id
        else:
            raise UsageError("args.unexpected_word", usage, value=word)
    options = cmd.args.options
    status = status_from_word(options["status"], usage).value if "status" in options else None
    market = _one_market(options["market"], usage) if "market" in options else None
    platform = None
    if "platform" in options:
        try:
            platform = fields.platform("platform", options["platform"], max_length=PLATFORM_MAX)
        except FieldError as err:
            raise UsageError("field.invalid", usage, field=err.field, reason=err.text) from err
    return ListFilter(status=status, market=market, platform=platform, member_id=member_id)


def _one_market(value: str, usage: str) -> str:
    try:
        return fields.markets("market", value, limit=1)[0]
    except FieldError as err:
        raise UsageError("field.invalid", usage, field=err.field, reason=err.text) from err
    except IndexError as err:
        raise UsageError("field.invalid", usage, field="market", reason=Text("field.required")) from err


COMMANDS = (
    CommandSpec("score top", top, "score.top.usage", "score.top.summary", keys=TOP_KEYS, aliases=("score rank",)),
    CommandSpec("req export", export, "req.export.usage", "req.export.summary", keys=EXPORT_KEYS),
    CommandSpec("pm markets", markets, "pm.markets.usage", "pm.markets.summary", keys=MARKET_KEYS),
)
ACTIONS = (ActionSpec(scoring_view.TOP_ACTION, on_page),)
JOBS = ()
FILES = backlog_csv.FILES
