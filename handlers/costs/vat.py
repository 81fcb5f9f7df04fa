"""/cost vat: whether the team reclaims import VAT/GST, and how many days that cash is tied up."""

from __future__ import annotations

from sqlmodel import Session

from handlers.core import money as parse
from handlers.core.args import normalise_word
from handlers.core.command import CommandInput, CommandSpec
from handlers.core.reply import FieldError, Reply, Text, UsageError
from handlers.core.roles import is_admin
from models.costs import vat as vat_model

USAGE = "cost.vat.usage"
RECLAIMED = frozenset({"reclaimed", "reclaim", "yes", "可抵扣", "抵扣"})
NOT_RECLAIMED = frozenset({"not-reclaimed", "not", "no", "cost", "不可抵扣", "不抵扣"})


def vat(cmd: CommandInput, db: Session) -> Reply:
    ws = cmd.actor.workspace_id
    words = [normalise_word(w) for w in cmd.args.words]
    if not words and not cmd.args.options:
        return setting_reply(vat_model.import_vat(db=db, workspace_id=ws))
    if len(words) != 1 or words[0] not in RECLAIMED | NOT_RECLAIMED:
        raise UsageError("cost.vat.bad_word", USAGE, value=" ".join(cmd.args.words) or "days")
    reclaimed = words[0] in RECLAIMED
    if "days" in cmd.args.options and not reclaimed:
        raise UsageError("cost.vat.days_without_reclaim", USAGE)
    days = vat_model.import_vat(db=db, workspace_id=ws).days
    if "days" in cmd.args.options:
        try:
            days = parse.whole("days", cmd.args.options["days"], low=0, high=vat_model.MAX_DAYS)
        except FieldError as err:
            raise UsageError("field.invalid", USAGE, field=err.field, reason=err.text) from err
    if not is_admin(cmd.actor):
        raise UsageError("pm.admin_only", None)
    setting = vat_model.ImportVat(reclaimed, days)
    vat_model.set_import_vat(db=db, workspace_id=ws, actor_id=cmd.actor.member_id, setting=setting)
    return setting_reply(setting)


def setting_reply(setting: vat_model.ImportVat) -> Reply:
    if setting.reclaimed:
        return Reply.message("cost.vat.reclaimed", days=setting.days)
    return Reply.message(Text("cost.vat.not_reclaimed"))


COMMANDS = (CommandSpec("cost vat", vat, USAGE, "cost.vat.summary", keys=frozenset({"days"})),)
ACTIONS = ()
JOBS = ()
