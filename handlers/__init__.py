"""Platform-neutral features, one folder each: `handlers/<feature>/` holds its command table entries
(COMMANDS, ACTIONS, JOBS, DIGEST_SECTIONS), input parsing, handlers and cards; its tables and queries
are in `models/<feature>/`, its wording in `templates/i18n/<lang>/<feature>.toml`."""

from types import ModuleType

from handlers.approvals import commands as approvals
from handlers.approvals import forms as approval_forms
from handlers.core.command import Registry
from handlers.costs import commands as costs
from handlers.costs import fees, fx, vat
from handlers.digest import commands as digest
from handlers.experiments import commands as experiments
from handlers.home import commands as home
from handlers.markets import commands as markets
from handlers.requirements import audit
from handlers.requirements import commands as requirements
from handlers.risks import commands as risks
from handlers.scoring import commands as scoring
from handlers.scoring import ranking
from handlers.standup import commands as standup
from handlers.standup import digest as standup_digest
from handlers.standup import questions as standup_questions
from handlers.suppliers import commands as suppliers
from handlers.workspace import commands as workspace
from handlers.workspace import housekeeping, roles, settings

# Each feature, and the modules of its folder that list COMMANDS, ACTIONS, JOBS (and DIGEST_SECTIONS).
FEATURES: dict[str, tuple[ModuleType, ...]] = {
    "requirements": (requirements, audit),
    "workspace": (workspace, roles, settings, housekeeping),
    "scoring": (scoring, ranking),
    "approvals": (approvals, approval_forms),
    "risks": (risks,),
    "experiments": (experiments,),
    "costs": (costs, fx, vat, fees),
    "suppliers": (suppliers,),
    "markets": (markets,),
    "digest": (digest,),
    "standup": (standup, standup_digest, standup_questions),
    "home": (home,),
}
MODULES = [module for modules in FEATURES.values() for module in modules]

JOBS = [job for module in MODULES for job in module.JOBS]

# Files built after the answer (UploadFile with a FileQuery), by kind; optional per feature.
FILES = {kind: build for module in MODULES for kind, build in getattr(module, "FILES", {}).items()}

# What each feature adds to the standup digest (handlers/core/digest.py); optional per feature.
DIGEST_SECTIONS = [section for module in MODULES for section in getattr(module, "DIGEST_SECTIONS", ())]

REGISTRY = Registry.build(
    commands=[spec for module in MODULES for spec in module.COMMANDS],
    actions=[spec for module in MODULES for spec in module.ACTIONS],
)
