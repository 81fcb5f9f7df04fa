"""Platform-neutral features: one module per feature, each listing its COMMANDS and ACTIONS."""

from handlers import (
    access,
    approval_forms,
    approvals,
    audit_log,
    costs,
    digest,
    experiments,
    fx,
    housekeeping,
    markets,
    pm,
    ranking,
    requirements,
    risks,
    scoring,
    standup,
    suppliers,
)
from handlers.core.command import Registry

FEATURES = (
    requirements,
    pm,
    scoring,
    ranking,
    approvals,
    approval_forms,
    access,
    audit_log,
    risks,
    experiments,
    costs,
    fx,
    suppliers,
    markets,
    digest,
    standup,
    housekeeping,
)

JOBS = [job for feature in FEATURES for job in feature.JOBS]

# What each feature adds to the standup digest (handlers/core/digest.py); optional per feature.
DIGEST_SECTIONS = [section for feature in FEATURES for section in getattr(feature, "DIGEST_SECTIONS", ())]

REGISTRY = Registry.build(
    commands=[spec for feature in FEATURES for spec in feature.COMMANDS],
    actions=[spec for feature in FEATURES for spec in feature.ACTIONS],
)
